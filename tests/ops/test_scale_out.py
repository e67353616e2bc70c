"""Scale-out on PostgreSQL with real processes: 2 gunicorn web processes and 2 `waishi worker`
processes on one database, concurrent people over HTTP on 127.0.0.1 (two sessions per role,
racing for the same tasks), timers already due when the workers start. Bounded: a fixed number
of cases, every wait with a limit. Checks: no task completed twice, no command lost, every due
timer fired exactly once, every chain verifies."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine.audit.verify import verify
from engine.definitions.deploy import deploy_paths
from engine.demo import DEMO_PASSWORD, load_demo
from engine.runtime.service import CaseService
from engine.storage.db import Database
from engine.storage.migrate import upgrade
from engine.storage.models import AuditEvent, Case, WorkItem
from tests.conftest import TEST_PROCESSES
from tests.helpers import Walker
from tests.ops.http_user import HttpUser, complete_task, inbox_rows
from tests.ops.servers import free_port, scratch_pg, stop, waishi, wait_for

HTTP_CASES = 8
TIMER_CASES = 6
LIMIT = 240.0  # seconds for the whole drive; the test fails (never hangs) past it
PEOPLE = {"clerk_commerce": {"ut_apply": {"applicant": "张三", "days": "8", "countries": "2"}},
          "head_commerce": {"ut_head": {"decision": "approve", "comment": ""}},
          "fao_clerk": {"ut_review": {"decision": "approve", "comment": ""}},
          "section_chief": {"ut_budget": {"budget_ok": "ok"}},
          "fao_director": {"ut_director": {"decision": "approve", "comment": ""}}}


def _person(port: int, username: str, spec_of: dict[tuple[int, str], str], cases: set[int], done: threading.Event,
            successes: list, conflicts: list, errors: list) -> None:
    user = HttpUser(port)
    try:
        user.sign_in(username, DEMO_PASSWORD)
        forms = PEOPLE[username]
        while not done.is_set():
            rows = [r for r in inbox_rows(user.get("/?tab=claimable").body) if r[0] in cases]
            worked = False
            for case_id, task_id in rows:
                spec = spec_of.get((case_id, task_id))
                if spec not in forms:
                    continue
                worked = True
                response = complete_task(user, case_id, task_id, forms[spec])
                if response.status == 303:
                    successes.append((case_id, task_id, username))
                elif response.status == 409:
                    conflicts.append((case_id, task_id))
                else:
                    errors.append((case_id, task_id, response.status))
            if not worked:
                time.sleep(0.05)
    except Exception as exc:  # reported by the test, not lost in a thread
        errors.append(("exception", username, repr(exc)))
    finally:
        user.close()


def test_two_web_processes_and_two_workers_on_postgresql():
    with scratch_pg("waishi_serve_scale") as url:
        db = Database(url)
        upgrade(db)
        load_demo(db)
        deploy_paths(db, [TEST_PROCESSES])
        service = CaseService(db)
        # Cases whose director timer is long due: started and walked forty days ago.
        timer_cases = []
        for _ in range(TIMER_CASES):
            w = Walker(service, datetime.now(UTC) - timedelta(days=40))
            timer_cases.append(w.start())
            w.apply()
            w.complete("ut_head", decision="approve")
            w.complete("ut_review", decision="approve")
            w.complete("ut_budget", budget_ok="ok")
        http_cases = {service.start_case("clerk_commerce", "test_approval") for _ in range(HTTP_CASES)}

        port = free_port()
        web = waishi(url, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4")
        workers = [waishi(url, "worker", "--interval", "0.5") for _ in range(2)]
        done = threading.Event()
        successes: list = []
        conflicts: list = []
        errors: list = []
        try:
            wait_for(f"http://127.0.0.1:{port}/ready")
            spec_of: dict[tuple[int, str], str] = _SpecIndex(db, http_cases)
            people = [threading.Thread(target=_person, args=(port, username, spec_of, http_cases, done, successes,
                                                             conflicts, errors))
                      for username in PEOPLE for _ in range(2)]  # two sessions per role race
            for p in people:
                p.start()
            deadline = time.monotonic() + LIMIT
            while time.monotonic() < deadline and not errors:
                with db.read() as s:
                    running = s.scalar(select(func.count()).select_from(Case).where(
                        Case.id.in_(http_cases), Case.status == "running"))
                    fired = s.scalar(select(func.count(func.distinct(AuditEvent.case_id))).where(
                        AuditEvent.command == "fire_timers", AuditEvent.case_id.in_(timer_cases)))
                if running == 0 and fired == TIMER_CASES:
                    break
                time.sleep(0.2)
            done.set()
            for p in people:
                p.join(timeout=60)
        finally:
            done.set()
            codes = [stop(p) for p in [web, *workers]]
        assert errors == [], errors
        assert codes == [0, 0, 0]

        with db.read() as s:
            # every HTTP case went all the way: no command lost
            statuses = dict(s.execute(select(Case.id, Case.status).where(Case.id.in_(http_cases))).all())
            assert set(statuses.values()) == {"completed"}, statuses
            completes = s.execute(select(AuditEvent.case_id, AuditEvent.task_id).where(
                AuditEvent.command == "complete", AuditEvent.case_id.in_(http_cases))).all()
            # no task completed twice, and every success a person saw is a recorded completion
            assert not [k for k, n in Counter(completes).items() if n > 1]
            assert sorted((c, t) for c, t, _ in successes) == sorted((c, t) for c, t in completes)
            assert len(completes) == HTTP_CASES * 5
            done_items = s.scalar(select(func.count()).select_from(WorkItem).where(
                WorkItem.case_id.in_(http_cases), WorkItem.state == "completed"))
            assert done_items == len(completes)
            # every due timer fired exactly once
            fires = Counter(s.scalars(select(AuditEvent.case_id).where(
                AuditEvent.command == "fire_timers", AuditEvent.case_id.in_(timer_cases))))
            assert fires == Counter({c: 1 for c in timer_cases})
            escalated = Counter(s.scalars(select(WorkItem.case_id).where(
                WorkItem.case_id.in_(timer_cases), WorkItem.spec_name == "ut_escalated")))
            assert escalated == Counter({c: 1 for c in timer_cases})
        assert verify(db).ok
        db.dispose()


class _SpecIndex(dict):
    """(case id, task id) → task name, looked up in the database on a miss (tasks appear as
    cases move on)."""

    def __init__(self, db: Database, cases: set[int]) -> None:
        super().__init__()
        self.db = db
        self.cases = cases
        self.lock = threading.Lock()

    def get(self, key, default=None):
        with self.lock:
            if key not in self:
                with self.db.read() as s:
                    for c, t, spec in s.execute(select(WorkItem.case_id, WorkItem.task_id, WorkItem.spec_name)
                                                .where(WorkItem.case_id.in_(self.cases))):
                        self[(c, t)] = spec
            return super().get(key, default)
