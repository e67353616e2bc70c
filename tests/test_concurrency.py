"""Concurrent commands on one case: exactly one of two completions wins, every time; several
timer workers never fire one timer twice."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from engine.errors import Conflict
from engine.storage.models import AuditEvent
from engine.timers import fire_due
from tests.conftest import T0
from tests.helpers import Walker, events, open_item

TRIALS = 50


def _race(functions):
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = ("ok", fn())
        except Exception as exc:  # collected and asserted on below
            results[i] = ("error", exc)

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_concurrent_completions_exactly_one_wins(service):
    w = Walker(service, T0)
    for trial in range(TRIALS):
        case_id = w.start()
        item = open_item(w.db, case_id, "ut_apply")
        data = {"applicant": f"申请人{trial}", "days": 3, "countries": 1}
        at = w.tick()

        def submit(case_id=case_id, item=item, data=data, at=at):
            return service.complete_task("clerk_commerce", case_id, item.task_id, data,
                                         expected_version=item.version, at=at)

        results = _race([submit, submit])
        outcomes = sorted(r[0] for r in results)
        assert outcomes == ["error", "ok"], (trial, results)
        error = next(r[1] for r in results if r[0] == "error")
        assert isinstance(error, Conflict), (trial, error)
        assert [e.command for e in events(w.db, case_id)] == ["start", "complete"], trial


def test_several_workers_never_fire_one_timer_twice(service):
    w = Walker(service, T0)
    case_ids = []
    for _ in range(5):
        w.start()
        w.apply()
        w.complete("ut_head", decision="approve")
        w.complete("ut_budget", budget_ok="ok")
        w.complete("ut_review", decision="approve")
        case_ids.append(w.case_id)
    due = w.now + timedelta(days=30)
    results = _race([lambda: fire_due(service, now=due) for _ in range(4)])
    assert all(r[0] == "ok" for r in results), results
    fired = sorted(cid for r in results for cid in r[1])
    assert fired == sorted(case_ids)
    with service.db.read() as s:
        count = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.command == "fire_timers"))
    assert count == len(case_ids)
    for cid in case_ids:
        assert open_item(w.db, cid, "ut_escalated")
