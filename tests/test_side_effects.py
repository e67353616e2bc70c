"""Outside calls from diagram code: gapless numbers, settings, escalation, notifications and
unit holds — executed in the command's transaction, recorded, and handed back on replay."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.audit.verify import verify
from engine.definitions.deploy import deploy_paths
from engine.errors import Conflict, Forbidden
from engine.runtime.engine_errors import EngineFailure
from engine.runtime.service import CaseService
from engine.storage.models import AuditEvent, Notification, Unit, UnitHold
from tests.conftest import T0
from tests.helpers import get_case, open_item

EFFECTS = Path(__file__).resolve().parent / "processes_effects"


@pytest.fixture
def svc(db):
    deploy_paths(db, [EFFECTS])
    return CaseService(db)


def _apply(svc, case_id, at, days=5):
    item = open_item(svc.db, case_id, "ut_apply")
    svc.complete_task("clerk_commerce", case_id, item.task_id, {"applicant": "张三", "days": days, "countries": 1},
                      at=at)


def test_numbers_are_sequential_recorded_and_replayed(svc):
    ids = [svc.start_case("clerk_commerce", "test_effects", at=T0) for _ in range(3)]
    for i, case_id in enumerate(ids):
        _apply(svc, case_id, T0 + timedelta(minutes=i + 1))
    numbers = [get_case(svc.db, c).data["batch_number"] for c in ids]
    assert numbers == ["兰外出任〔2026〕1号", "兰外出任〔2026〕2号", "兰外出任〔2026〕3号"]
    assert get_case(svc.db, ids[0]).data["return_days"] == 7
    with svc.db.read() as s:
        payload = s.scalar(select(AuditEvent.payload).where(AuditEvent.case_id == ids[1], AuditEvent.seq == 2))
    assert payload["effects"][0] == {"op": "issue_number", "args": {"kind": "trip_batch"}, "value": numbers[1]}
    assert verify(svc.db).ok


def test_a_failed_command_gives_its_number_back(svc):
    first = svc.start_case("clerk_commerce", "test_effects", at=T0)
    with pytest.raises(EngineFailure):
        _apply(svc, first, T0 + timedelta(minutes=1), days=0)  # 10 / days fails after the number was drawn
    _apply(svc, first, T0 + timedelta(minutes=2), days=2)
    assert get_case(svc.db, first).data["batch_number"] == "兰外出任〔2026〕1号"


def test_concurrent_commands_get_distinct_gapless_numbers(svc):
    ids = [svc.start_case("clerk_commerce", "test_effects", at=T0) for _ in range(8)]
    barrier = threading.Barrier(len(ids))
    errors = []

    def run(case_id):
        barrier.wait()
        try:
            _apply(svc, case_id, T0 + timedelta(minutes=1))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(int(get_case(svc.db, c).data["batch_number"].split("〕")[1].rstrip("号")) for c in ids)
    assert numbers == list(range(1, len(ids) + 1))


def test_overdue_approval_escalates_and_notifies(svc):
    case_id = svc.start_case("clerk_commerce", "test_effects", at=T0)
    _apply(svc, case_id, T0 + timedelta(minutes=1))
    item = open_item(svc.db, case_id, "ut_approve")
    with pytest.raises(Forbidden):
        svc.complete_task("fao_director", case_id, item.task_id, {"decision": "approve"}, at=T0 + timedelta(hours=1))
    assert svc.fire_timers(case_id, at=T0 + timedelta(days=4))
    item = open_item(svc.db, case_id, "ut_approve")
    assert item.escalated_role == "fao_director"
    with svc.db.read() as s:
        kinds = sorted(s.scalars(select(Notification.kind).where(Notification.case_id == case_id,
                                                                  Notification.kind != "task")))
    assert kinds == ["escalation", "reminder"]
    svc.complete_task("fao_director", case_id, item.task_id, {"decision": "approve"}, at=T0 + timedelta(days=5))
    assert get_case(svc.db, case_id).status == "completed"
    assert verify(svc.db, case_id).ok


def test_held_unit_cannot_start_new_applications(svc):
    case_id = svc.start_case("clerk_commerce", "test_effects", at=T0)
    _apply(svc, case_id, T0 + timedelta(minutes=1))
    item = open_item(svc.db, case_id, "ut_approve")
    svc.complete_task("section_chief", case_id, item.task_id, {"decision": "reject"}, at=T0 + timedelta(hours=1))
    from engine.runtime.outside import unit_held

    with svc.db.read() as s:
        assert unit_held(s, "commerce") and not s.get(Unit, "commerce").held  # held by the case, not by hand
    with pytest.raises(Conflict, match="on hold"):
        svc.start_case("clerk_commerce", "test_effects", at=T0 + timedelta(hours=2))
    svc.start_case("clerk_education", "test_effects", at=T0 + timedelta(hours=2))  # other units go on
    assert verify(svc.db, case_id).ok


def test_fallback_calendar_answers_are_recorded_for_replay(db):
    """2027 is not in the official calendar package: the admin table decides, and the answer is
    recorded so that a later change of the table does not change the replayed history."""
    import datetime as dt

    from engine.determinism import command_context
    from engine.office import holidays
    from engine.runtime.outside import LiveEffects
    from engine.runtime.service import utcnow
    from engine.sandbox.helpers import is_working_day, working_days_between
    from engine.side_effects import effect_log

    holidays.put(db, dt.date(2027, 2, 8), True, "春节（测试）")
    case = type("C", (), {"id": 0, "unit_code": None, "started_by": "x", "title": ""})()
    with db.transaction() as s, command_context("case:0", 1, utcnow()), \
            effect_log(handler=LiveEffects(s, case, utcnow(), db.is_postgres)) as log:
        assert is_working_day("2027-02-08") is False
        assert working_days_between("2027-02-08", "2027-02-12") == 4
        assert is_working_day("2026-02-09") is True  # official year: not recorded
    assert [r["op"] for r in log.recorded] == ["calendar", "calendar"]
    holidays.put(db, dt.date(2027, 2, 8), False, "changed")
    with effect_log(replay=log.recorded):
        assert is_working_day("2027-02-08") is False  # replay returns what was decided then


def test_message_delivery_by_case_and_by_subscription(svc):
    first = svc.start_case("clerk_commerce", "test_message", at=T0)
    _apply(svc, first, T0 + timedelta(minutes=1))
    with pytest.raises(Forbidden):
        svc.deliver_message("clerk_commerce", "province_reply", {"decision": "approve"}, case_id=first,
                            at=T0 + timedelta(hours=1))
    with pytest.raises(Conflict):
        svc.deliver_message("fao_clerk", "no_such_message", {}, case_id=first, at=T0 + timedelta(hours=1))
    # Only one case waits: the message finds it by its subscription.
    assert svc.deliver_message("fao_clerk", "province_reply", {"decision": "approve"},
                               at=T0 + timedelta(hours=2)) == first
    case = get_case(svc.db, first)
    assert case.status == "completed" and case.data["reply_decision"] == "approve"
    second = svc.start_case("clerk_commerce", "test_message", at=T0)
    third = svc.start_case("clerk_commerce", "test_message", at=T0)
    _apply(svc, second, T0 + timedelta(minutes=3))
    _apply(svc, third, T0 + timedelta(minutes=4))
    with pytest.raises(Conflict, match="2 cases"):
        svc.deliver_message("fao_clerk", "province_reply", {"decision": "reject"}, at=T0 + timedelta(hours=3))
    svc.deliver_message("fao_clerk", "province_reply", {"decision": "reject"}, case_id=third,
                        at=T0 + timedelta(hours=3))
    assert get_case(svc.db, third).data["reply_decision"] == "reject"
    assert verify(svc.db).ok


def test_absurd_timer_duration_is_refused_quickly():
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    from engine.errors import SandboxViolation

    with pytest.raises(SandboxViolation, match="100"):
        TimerEventDefinition.parse_iso_duration("P99999999Y")
    assert TimerEventDefinition.parse_iso_duration("P2Y3M") == {"years": 2, "months": 3}


def test_scripts_see_who_runs_the_command():
    from datetime import UTC, datetime

    from engine.determinism import command_context
    from engine.sandbox.helpers import current_user

    assert current_user() == ""
    with command_context("case:1", 1, datetime(2026, 1, 1, tzinfo=UTC), "fao_director"):
        assert current_user() == "fao_director"


def test_nested_subprocesses_and_a_cycle_reminder_replay(svc):
    case_id = svc.start_case("clerk_commerce", "test_nested", at=T0)
    item = open_item(svc.db, case_id, "ut_inner")
    svc.complete_task("clerk_commerce", case_id, item.task_id, {"applicant": "甲", "days": 1, "countries": 1},
                      at=T0 + timedelta(minutes=1))
    case = get_case(svc.db, case_id)
    assert case.next_timer_at == T0 + timedelta(minutes=1, hours=1)
    assert not svc.fire_timers(case_id, at=case.next_timer_at)  # due means strictly past, as SpiffWorkflow has it
    assert svc.fire_timers(case_id, at=T0 + timedelta(hours=1, minutes=2))
    assert svc.fire_timers(case_id, at=T0 + timedelta(hours=2, minutes=2))
    with svc.db.read() as s:
        reminders = s.scalars(select(Notification.kind).where(Notification.case_id == case_id,
                                                              Notification.kind != "task")).all()
    assert reminders == ["reminder", "reminder"]
    item = open_item(svc.db, case_id, "ut_after")
    svc.complete_task("clerk_commerce", case_id, item.task_id, {"decision": "approve"}, at=T0 + timedelta(hours=3))
    assert get_case(svc.db, case_id).status == "completed"
    report = verify(svc.db, case_id)
    assert report.ok, report.findings


def test_a_unit_stays_held_while_any_case_holds_it(svc):
    from engine.office import admin as office
    from engine.runtime.outside import unit_held

    cases = []
    for i in range(2):
        case_id = svc.start_case("clerk_commerce", "test_effects", at=T0 + timedelta(minutes=i))
        _apply(svc, case_id, T0 + timedelta(minutes=10 + i))
        cases.append(case_id)
    for i, case_id in enumerate(cases):
        item = open_item(svc.db, case_id, "ut_approve")
        svc.complete_task("section_chief", case_id, item.task_id, {"decision": "reject"},
                          at=T0 + timedelta(hours=1 + i))
    with svc.db.read() as s:
        assert sorted(s.scalars(select(UnitHold.case_id))) == sorted(cases)
    # An administrator lifting the hold by hand releases every case's hold, and says so in the system chain.
    office.update_unit(svc.db, "admin", "commerce", name_zh="兰州市商务局", name_en="Commerce", held=False)
    with svc.db.read() as s:
        assert not unit_held(s, "commerce")
        payload = s.scalars(select(AuditEvent.payload).where(AuditEvent.command == "update_unit")).one()
    assert sorted(payload["released_case_holds"]) == sorted(cases)
