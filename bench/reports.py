"""Report benchmark: the biannual report's figures (every table, this half-year and the same one a
year earlier — 40-odd SQL queries on report_facts, report_fact_items and work_items) over a
database of 1,000 and one of 100,000 cases spread over five years (2022–2026), so that H1 2026
holds a tenth of them. Cases, their work items and their report facts are bulk-inserted with SQL
(the facts derived by `engine.reports.facts.facts_of` from synthetic case data, as every command
does); no workflow runs. Target: the 100k report within 10× the 1k one.

SQLite files by default; with DATABASE_URL, PostgreSQL databases of our own next to it
(waishi_bench_reports_1k / _100k, dropped at the end — the given database is never touched).

Prints a table (progress on stderr), then one JSON line with report_s_at_1k and report_s_at_100k.
Usage: python bench/reports.py [--small N] [--large N] [--rounds R]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself on the path: bench/http.py would shadow the standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.demo import load_demo  # noqa: E402
from engine.reports import facts as facts_mod  # noqa: E402
from engine.reports.figures import build  # noqa: E402
from engine.reports.period import Period  # noqa: E402
from engine.reports.render import render_pdf  # noqa: E402
from engine.reports.xlsx_export import render_xlsx  # noqa: E402
from engine.sandbox.helpers import CHINA_TZ  # noqa: E402
from engine.scenarios import default_definitions, deploy_definitions  # noqa: E402
from engine.storage.db import Database  # noqa: E402
from engine.storage.migrate import upgrade  # noqa: E402
from engine.storage.models import Case, DefinitionVersion, WorkItem  # noqa: E402
from engine.storage.report_models import ReportFact, ReportFactItem  # noqa: E402

PERIOD = Period.half_year(2026, "H1")
START, END = datetime(2022, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
PROCESSES = ["trip_staff"] * 6 + ["trip_leader", "invitation_official", "invitation_general", "post_trip"]
UNITS = ["commerce", "education", "fao"]
COUNTRIES = ["DE", "FR", "JP", "US", "GB", "IT", "RU", "KR", "AU", "BR", "EG", "SG", "NL", "AT"]
PURPOSES = ["investment_promotion", "trade_talks", "exhibition_conference", "cooperation_exchange",
            "friendship_visit", "training", "technical_study"]
RANKS = ["staff", "section", "county_deputy", "county", "prefectural_deputy", "prefectural"]
GUESTS = ["minister", "vice_minister", "prefectural", "diplomat_in_china", "journalist", "other"]
OUTCOMES = ["approved"] * 7 + ["rejected", "cancelled", None]
STEPS = [("ut_apply", "unit_clerk"), ("ut_head_sign", "unit_head"), ("ut_fao_check", "fao_clerk"),
         ("ut_section_chief", "section_chief"), ("ut_director", "fao_director")]
BATCH = 5000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def synthetic(rng: random.Random, process: str) -> dict:
    outcome = rng.choice(OUTCOMES)
    data: dict = {"outcome": outcome or "", "correction_round": rng.choice([0, 0, 0, 1])}
    if process in ("invitation_official", "invitation_general"):
        n = rng.randint(1, 5)
        data.update(guest_rank=rng.choice(GUESTS), stay_days=rng.randint(2, 14), invitee_count=n,
                    invitees=[{"nationality": rng.choice(COUNTRIES)} for _ in range(n)])
        if outcome == "approved" and process == "invitation_official":
            data.update(visa_notice_number="兰外签通〔2026〕第1号", checkout_late=rng.random() < 0.1)
        return data
    n, stops = rng.randint(1, 7), rng.sample(COUNTRIES, rng.randint(1, 3))
    data.update(purpose_category=rng.choice(PURPOSES), head_rank=rng.choice(RANKS), delegation_size=n,
                members=[{"name": f"p{i}"} for i in range(n)], itinerary=[{"country": c} for c in stops],
                days_abroad=rng.randint(2, 12), country_count=len(stops), in_annual_plan=rng.random() < 0.8,
                budget_total_cny=f"{rng.randint(20, 300) * 1000}.00", public_notice_working_days=5,
                over_limit_codes=["days"] if rng.random() < 0.05 else [],
                passports_returned_on_time=rng.random() < 0.9, report_on_time=rng.random() < 0.9)
    if outcome == "approved":
        data["batch_number"] = "兰外出任〔2026〕1号"
    if rng.random() < 0.01:
        data["unit_held_on"] = "2026-04-01"
    return data


def fill(db: Database, n: int, seed: int = 9) -> None:
    """n cases over five years, each with 5 work items and its facts, in batches of BATCH."""
    rng = random.Random(seed)
    with db.read() as session:
        versions = dict(session.execute(select(DefinitionVersion.process_id, DefinitionVersion.id)).all())
        first = (session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0) + 1
    span = (END - START).total_seconds()
    # Case ids grow with submission time, as they do in the office (a case is numbered when it is
    # started): the period's rows lie together, as they would on a real database.
    starts = sorted(START + timedelta(seconds=rng.random() * span) for _ in range(n))
    began = time.perf_counter()
    for lo in range(0, n, BATCH):
        cases, items, fact_rows, fact_items = [], [], [], []
        for i in range(lo, min(n, lo + BATCH)):
            cid, process, at = first + i, rng.choice(PROCESSES), starts[i]
            data, unit = synthetic(rng, process), rng.choice(UNITS)
            status = "cancelled" if data["outcome"] == "cancelled" else "completed"
            cases.append({"id": cid, "process_id": process, "version_id": versions[process], "status": status,
                          "unit_code": unit, "title": process, "started_by": "clerk_commerce", "started_at": at,
                          "updated_at": at, "ended_at": at, "seq": 6, "last_hash": "", "state_hash": "",
                          "state": "", "data": data, "next_timer_at": None})
            t = at
            for k, (spec, role) in enumerate(STEPS):
                done = t + timedelta(hours=rng.expovariate(1 / 6))
                items.append({"case_id": cid, "task_id": f"{cid}-{k}", "spec_name": spec, "name": spec, "role": role,
                              "unit_code": unit, "state": "completed", "version": 2, "created_at": t,
                              "completed_at": done, "completed_by": "x", "process_id": process,
                              "duration_s": round((done - t).total_seconds()),
                              "submitted_on": at.astimezone(CHINA_TZ).date()})
                t = done
            f = facts_mod.facts_of(process, unit, status, data)
            local = at.astimezone(CHINA_TZ)
            row = {k: v for k, v in f.__dict__.items() if k != "items"}
            row.update(case_id=cid, submitted_at=at, submitted_on=local.date(), submitted_month=local.strftime("%Y-%m"),
                       approved_at=t if f.document_number else None,
                       to_approval_s=int((t - at).total_seconds()) if f.document_number else None)
            fact_rows.append(row)
            fact_items += [{"case_id": cid, "kind": k, "code": c, "continent": cont, "persons": p}
                           for k, c, cont, p in f.items]
        with db.transaction() as session:
            session.execute(insert(Case.__table__), cases)
            session.execute(insert(WorkItem.__table__), items)
            session.execute(insert(ReportFact.__table__), fact_rows)
            if fact_items:
                session.execute(insert(ReportFactItem.__table__), fact_items)
        log(f"  {min(n, lo + BATCH):,} / {n:,} cases ({time.perf_counter() - began:.0f} s)")
    with db.engine.connect() as c:  # planner statistics, as autovacuum (or SQLite's ANALYZE) keeps them
        c.exec_driver_sql("ANALYZE")
        c.commit()


def prepare(db: Database) -> Database:
    upgrade(db)
    load_demo(db)
    deploy_definitions(db, default_definitions())
    return db


@contextlib.contextmanager
def database(kind: str, name: str, tmp: Path) -> Iterator[Database]:
    if kind == "sqlite":
        db = Database(f"sqlite:///{tmp / (name + '.db')}")
        try:
            yield prepare(db)
        finally:
            db.dispose()
        return
    url = os.environ["DATABASE_URL"]
    full = f"waishi_bench_reports_{name}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{full}"'))
    db = Database(make_url(url).set(database=full).render_as_string(hide_password=False))
    try:
        yield prepare(db)
    finally:
        db.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)'))
        admin.dispose()


def time_report(db: Database, rounds: int) -> tuple[float, dict]:
    times, figures = [], {}
    for _ in range(rounds):
        began = time.perf_counter()
        with db.read() as session:
            figures = build(session, PERIOD, made_at=datetime.now(UTC), made_by="bench")
        times.append(time.perf_counter() - began)
    return statistics.median(times), figures


def measure(kind: str, n: int, rounds: int, tmp: Path) -> dict:
    name = f"{n // 1000}k"
    with database(kind, name, tmp) as db:
        log(f"{kind}: filling {n:,} cases")
        began = time.perf_counter()
        fill(db, n)
        filled = time.perf_counter() - began
        seconds, figures = time_report(db, rounds)
        in_period = figures["tables"][0]["rows"][0]["values"][0] + figures["tables"][11]["rows"][0]["values"][0]
        began = time.perf_counter()
        render_xlsx(figures, "zh")
        xlsx = time.perf_counter() - began
        began = time.perf_counter()
        render_pdf(figures, "zh")
        pdf = time.perf_counter() - began
    return {"cases": n, "in_period": in_period, "fill_s": filled, "report_s": seconds, "xlsx_s": xlsx, "pdf_s": pdf}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--large", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    kind = "pg" if os.environ.get("DATABASE_URL", "").startswith("postgresql") else "sqlite"
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="waishi-bench-reports-") as tmp:
        small = measure(kind, args.small, args.rounds, Path(tmp))
        large = measure(kind, args.large, args.rounds, Path(tmp))
    ratio = large["report_s"] / small["report_s"]
    print(f"biannual report, H1 2026 and H1 2025, {kind} (median of {args.rounds} rounds; {date.today()})")
    print(f"{'cases':>9} {'in H1 2026':>11} {'fill s':>8} {'report s':>9} {'xlsx s':>7} {'pdf s':>6}")
    for r in (small, large):
        print(f"{r['cases']:>9,} {r['in_period']:>11,} {r['fill_s']:>8.1f} {r['report_s']:>9.3f} {r['xlsx_s']:>7.2f} "
              f"{r['pdf_s']:>6.2f}")
    verdict = "met" if ratio <= 10 else "NOT met"
    print(f"ratio {args.large:,} vs {args.small:,} cases: {ratio:.2f} (target <= 10: {verdict})")
    print(f"total {time.perf_counter() - started:.0f} s")
    print(json.dumps({"bench": "reports", "database": kind, "report_s_at_1k": round(small["report_s"], 4),
                      "report_s_at_100k": round(large["report_s"], 4), "ratio": round(ratio, 2),
                      "cases_in_period_1k": small["in_period"], "cases_in_period_100k": large["in_period"],
                      "pdf_s_at_100k": round(large["pdf_s"], 2), "xlsx_s_at_100k": round(large["xlsx_s"], 2)}))


if __name__ == "__main__":
    main()
