"""Audit benchmark: what re-executing recorded cases costs the auditor.

  (1) replay   — `engine.audit.stepper.replay_case` (the step viewer's first open, uncached) on a
                 looping case of ~10, ~100 and ~1,000 events of tests/processes' approval (head
                 returns, clerk re-applies, round after round through the real CaseService): ms
                 per event should not grow with the case (target: ratio 1000 vs 10 <= 1.5); then
                 the cost of `ReplayCache.get` + `.step(k)` once the case is cached;
  (2) verify   — `engine.audit.verify.verify(db)` over N finished cases (the approval's straight
                 path: start, apply, head, review, budget, director = 6 events each) on a SQLite
                 file, against the chain check alone (`check_chain` over the same events), and on
                 PostgreSQL (fewer cases, in a temporary database waishi_bench_audit) when
                 DATABASE_URL is set.

Prints readable lines (progress on stderr), then one JSON object as the last line.
Usage: python bench/audit.py [--cases N] [--pg-cases N] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself on the path: bench/http.py would shadow the standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.audit.chain import case_chain  # noqa: E402
from engine.audit.stepper import ReplayCache, replay_case  # noqa: E402
from engine.audit.verify import VerifyReport, check_chain, events_of, verify  # noqa: E402
from engine.definitions.cache import SpecCache  # noqa: E402
from engine.definitions.deploy import deploy_paths  # noqa: E402
from engine.demo import load_demo  # noqa: E402
from engine.runtime.service import CaseService  # noqa: E402
from engine.storage.db import Database  # noqa: E402
from engine.storage.migrate import upgrade  # noqa: E402
from engine.storage.models import Case, WorkItem  # noqa: E402

PROCESSES = ROOT / "tests" / "processes"
PG_NAME = "waishi_bench_audit"
USERS = {"unit_clerk": "clerk_commerce", "unit_head": "head_commerce", "fao_clerk": "fao_clerk",
         "section_chief": "section_chief", "fao_director": "fao_director"}
APPLY = {"applicant": "张三", "days": 8, "countries": 2}
STRAIGHT = {"ut_apply": APPLY, "ut_head": {"decision": "approve"}, "ut_review": {"decision": "approve"},
            "ut_budget": {"budget_ok": "ok"}, "ut_director": {"decision": "approve"}}
LOOP = {"ut_apply": APPLY, "ut_head": {"decision": "return", "comment": "补充"}}


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


class Counter:
    """A `\\r` progress counter on stderr, usable as verify's `progress(done, total)`."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.started, self.shown = label, total, time.perf_counter(), 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.perf_counter()
        if now - self.shown < 0.5 and done < self.total:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        end = "\n" if done >= self.total else ""
        print(f"\r  {self.label}: {done:>6}/{self.total} ({rate:6.1f}/s)", end=end, file=sys.stderr, flush=True)


def prepare(db: Database) -> Database:
    upgrade(db)
    load_demo(db)
    deploy_paths(db, [PROCESSES])
    return db


@contextlib.contextmanager
def pg_database(url: str) -> Iterator[Database]:
    """A database of our own next to DATABASE_URL's (as tests/conftest.py does), dropped at the end."""
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
    db = Database(make_url(url).set(database=PG_NAME).render_as_string(hide_password=False))
    try:
        yield prepare(db)
    finally:
        db.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
        admin.dispose()


_OPEN = (select(WorkItem.task_id, WorkItem.version, WorkItem.role, WorkItem.spec_name)
         .where(WorkItem.case_id == bindparam("c"), WorkItem.state == "open").order_by(WorkItem.id))


def complete_next(service: CaseService, case_id: int, data_for: dict[str, dict]) -> bool:
    """Complete the case's oldest open work item as its lane's demo user; False when none is open."""
    with service.db.read() as s:
        item = s.execute(_OPEN, {"c": case_id}).first()
    if item is None:
        return False
    service.complete_task(USERS[item.role], case_id, item.task_id, data_for[item.spec_name],
                          expected_version=item.version)
    return True


def finished_case(service: CaseService) -> int:
    case_id = service.start_case("clerk_commerce", "test_approval", {})
    while complete_next(service, case_id, STRAIGHT):
        pass
    return case_id


def looping_case(service: CaseService, events: int) -> int:
    """A running case of exactly `events` events: start, then apply / return round after round."""
    case_id = service.start_case("clerk_commerce", "test_approval", {})
    for _ in range(events - 1):
        complete_next(service, case_id, LOOP)
    return case_id


def replay_ms_per_event(db: Database, specs: SpecCache, case_id: int, runs: int) -> tuple[float, int]:
    """Median ms per event of an uncached `replay_case` (the step viewer's first open)."""
    samples, steps = [], 0
    for _ in range(runs):
        with db.read() as s:
            t = time.perf_counter()
            replayed = replay_case(s, specs, s.get(Case, case_id))
            elapsed = time.perf_counter() - t
        assert replayed.ok, replayed.findings
        steps = len(replayed.steps)
        samples.append(elapsed * 1000 / steps)
    return statistics.median(samples), steps


def step_lookup_us(db: Database, specs: SpecCache, case_id: int, n: int = 5000) -> tuple[float, float]:
    """µs of `ReplayCache.get` + `.step(k)` once cached: in one session (the cache alone), and with
    a fresh session per look-up, as each web request has (adds the case row's SELECT)."""
    cache = ReplayCache()
    with db.read() as s:
        total = len(cache.get(s, specs, case_id).steps)
        t = time.perf_counter()
        for i in range(n):
            cache.get(s, specs, case_id).step(i % total + 1)
        same = (time.perf_counter() - t) * 1e6 / n
    m = max(n // 10, 1)
    t = time.perf_counter()
    for i in range(m):
        with db.read() as s:
            cache.get(s, specs, case_id).step(i % total + 1)
    return same, (time.perf_counter() - t) * 1e6 / m


def build_cases(db: Database, n: int, label: str) -> None:
    service = CaseService(db, clock=Clock())
    progress = Counter(f"creating {n} finished cases ({label})", n)
    for done in range(1, n + 1):
        finished_case(service)
        progress(done)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def chain_only(db: Database) -> tuple[int, int]:
    """What verify does minus re-execution: read each case's events, recompute hashes and links."""
    report = VerifyReport()
    with db.read() as s:
        ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        for cid in ids:
            events = events_of(s, case_chain(cid))
            report.checked_events += len(events)
            check_chain(case_chain(cid), events, report)
    assert report.ok, report.findings[:5]
    return len(ids), report.checked_events


def verify_rates(db: Database, cases: int, label: str) -> dict[str, float]:
    build_cases(db, cases, label)
    chain_s, (n_cases, n_events) = timed(lambda: chain_only(db))
    verify_s, report = timed(lambda: verify(db, progress=Counter(f"verifying ({label})", cases)))
    assert report.ok, report.findings[:5]
    assert report.checked_cases == n_cases == cases, (report.checked_cases, n_cases, cases)
    out = {"cases": n_cases, "events": report.checked_events,
           "verify_cases_per_s": n_cases / verify_s, "verify_events_per_s": report.checked_events / verify_s,
           "chain_cases_per_s": n_cases / chain_s, "chain_events_per_s": n_events / chain_s}
    print(f"verify ({label}): {n_cases} cases, {report.checked_events} events in {verify_s:.1f} s = "
          f"{out['verify_cases_per_s']:.1f} cases/s, {out['verify_events_per_s']:.0f} events/s")
    print(f"chain check alone ({label}): {chain_s:.2f} s = {out['chain_cases_per_s']:.0f} cases/s, "
          f"{out['chain_events_per_s']:.0f} events/s; re-execution costs {chain_s and verify_s / chain_s:.0f}x "
          "the chain check")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=None, help="finished cases to verify on SQLite (10,000)")
    ap.add_argument("--pg-cases", type=int, default=None, help="cases on PostgreSQL, with DATABASE_URL (2,000)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 200 cases, 10/100/300 events")
    args = ap.parse_args()
    cases = args.cases or (200 if args.quick else 10_000)
    pg_cases = args.pg_cases or (100 if args.quick else 2_000)
    marks = {10: 15, 100: 7, 300 if args.quick else 1000: 3}  # events -> runs (median)
    big = max(marks)
    started = time.perf_counter()
    result: dict[str, float | int | bool] = {"quick": args.quick} if args.quick else {}
    with tempfile.TemporaryDirectory() as tmp:
        db = prepare(Database(f"sqlite:///{Path(tmp) / 'replay.db'}"))
        service = CaseService(db, clock=Clock())
        specs = SpecCache()
        looping = {events: looping_case(service, events) for events in marks}
        replay_ms_per_event(db, specs, looping[10], 3)  # warm up: spec parse, imports
        print(f"{'case events':>12} {'replay ms/event':>16} {'replay ms':>10} {'runs':>5}")
        for events, runs in marks.items():
            ms, steps = replay_ms_per_event(db, specs, looping[events], runs)
            result[f"replay_ms_per_event_at_{events}"] = round(ms, 3)
            print(f"{steps:12} {ms:16.3f} {ms * steps:10.1f} {runs:5}")
        ratio = result[f"replay_ms_per_event_at_{big}"] / result["replay_ms_per_event_at_10"]
        result[f"replay_ratio_{big}_vs_10"] = round(ratio, 3)
        print(f"ratio {big} vs 10 events: {ratio:.2f} (target <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")
        same, fresh = step_lookup_us(db, specs, looping[big])
        result["step_lookup_us"] = round(same, 2)
        result["step_lookup_fresh_session_us"] = round(fresh, 1)
        print(f"cached step look-up ({big} events): {same:.1f} µs in one session, {fresh:.0f} µs with a "
              "fresh session per look-up (as a web request)")
        db.dispose()

        sq = verify_rates(prepare(Database(f"sqlite:///{Path(tmp) / 'verify.db'}")), cases, "sqlite")
        result.update({"verify_cases": sq["cases"], "verify_events": sq["events"],
                       "verify_all_cases_per_s": round(sq["verify_cases_per_s"], 1),
                       "verify_all_events_per_s": round(sq["verify_events_per_s"], 0),
                       "verify_chain_only_cases_per_s": round(sq["chain_cases_per_s"], 0),
                       "verify_chain_only_events_per_s": round(sq["chain_events_per_s"], 0),
                       "ratio_reexecute_vs_chain": round(sq["chain_cases_per_s"] / sq["verify_cases_per_s"], 1)})
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgresql"):
            print(f"PostgreSQL: {pg_cases} cases (fewer than on SQLite), database {PG_NAME}")
            with pg_database(url) as pg_db:
                pg = verify_rates(pg_db, pg_cases, "postgresql")
            result.update({"pg_verify_cases": pg["cases"],
                           "pg_verify_all_cases_per_s": round(pg["verify_cases_per_s"], 1),
                           "pg_verify_all_events_per_s": round(pg["verify_events_per_s"], 0),
                           "pg_verify_chain_only_cases_per_s": round(pg["chain_cases_per_s"], 0)})
    print(f"total {time.perf_counter() - started:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
