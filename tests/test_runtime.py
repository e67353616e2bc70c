"""The case commands against a real database: paths, checks, atomicity, and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from engine.audit.verify import verify
from engine.errors import Conflict, Forbidden, NotFound
from engine.runtime import projection
from engine.storage.models import AuditEvent, Case, WorkItem
from tests.conftest import T0
from tests.helpers import Walker, _bypass_triggers, add_user, events, get_case, open_item, open_items


def test_full_path_with_loop_parallel_dmn_and_timer(service):
    w = Walker(service, T0)
    case_id = w.start()
    assert open_items(w.db, case_id) == ["ut_apply"]
    w.apply()
    w.complete("ut_head", decision="return", comment="请补充行程")
    w.apply(days=9)
    w.complete("ut_head", decision="approve")
    assert open_items(w.db, case_id) == ["ut_budget", "ut_review"]
    w.complete("ut_budget", budget_ok="ok")
    w.complete("ut_review", decision="approve")
    case = get_case(w.db, case_id)
    assert case.data["level"] == "director" and case.data["sla_days"] == 5
    assert case.next_timer_at == w.now + timedelta(days=5)
    # Nothing is due yet, then the boundary timer fires and the escalation task opens.
    assert service.fire_timers(case_id, at=w.now + timedelta(days=1)) is False
    assert service.fire_timers(case_id, at=w.tick(timedelta(days=6))) is True
    assert open_items(w.db, case_id) == ["ut_escalated"]
    w.complete("ut_escalated", decision="approve")
    case = get_case(w.db, case_id)
    assert case.status == "completed"
    assert case.data["summary"] == "张三: approved (director)"
    commands = [e.command for e in events(w.db, case_id)]
    assert commands == ["start"] + ["complete"] * 6 + ["fire_timers", "complete"]
    report = verify(w.db, case_id)
    assert report.ok, report.findings
    assert report.checked_events == 9


def test_rejection_ends_case(service):
    w = Walker(service, T0)
    case_id = w.start()
    w.apply()
    w.complete("ut_head", decision="reject", comment="不符合规定")
    case = get_case(w.db, case_id)
    assert case.status == "completed"
    with service.db.read() as s:
        rows = s.execute(select(WorkItem.spec_name, WorkItem.state).where(WorkItem.case_id == case_id))
        states = {r[0]: r[1] for r in rows}
    assert states == {"ut_apply": "completed", "ut_head": "completed"}


def test_double_submit_reports_who_and_when_and_changes_nothing(service):
    w = Walker(service, T0)
    case_id = w.start()
    item = w.apply()
    before = get_case(w.db, case_id)
    with pytest.raises(Conflict) as err:
        service.complete_task("clerk_commerce", case_id, item.task_id, {"applicant": "x"},
                              expected_version=item.version, at=w.tick())
    assert "clerk_commerce" in err.value.message.en and "already completed" in err.value.message.en
    assert "已由 clerk_commerce" in err.value.message.zh
    after = get_case(w.db, case_id)
    assert (after.seq, after.state_hash, after.last_hash) == (before.seq, before.state_hash, before.last_hash)


def test_stale_version_is_refused(service):
    w = Walker(service, T0)
    case_id = w.start()
    item = open_item(w.db, case_id, "ut_apply")
    service.claim("clerk_commerce", case_id, item.task_id, expected_version=item.version, at=w.tick())
    with pytest.raises(Conflict) as err:
        service.complete_task("clerk_commerce", case_id, item.task_id, {"applicant": "a", "days": 3,
                              "countries": 1}, expected_version=item.version, at=w.tick())
    assert "reload" in err.value.message.en


def test_roles_and_units_are_checked_in_the_engine(service):
    w = Walker(service, T0)
    case_id = w.start()
    item = open_item(w.db, case_id, "ut_apply")
    with pytest.raises(Forbidden):  # right role, other unit
        service.complete_task("clerk_education", case_id, item.task_id, {}, at=w.tick())
    with pytest.raises(Forbidden):  # wrong role
        service.complete_task("fao_clerk", case_id, item.task_id, {}, at=w.tick())
    with pytest.raises(Forbidden):  # analysts never start cases
        service.start_case("analyst", "test_approval", {}, at=w.tick())
    assert get_case(w.db, case_id).seq == 1


def test_claim_blocks_others_and_release_frees(service):
    add_user(service.db, "head_commerce_2", "commerce", ["unit_head"])
    w = Walker(service, T0)
    case_id = w.start()
    w.apply()
    item = open_item(w.db, case_id, "ut_head")
    service.claim("head_commerce", case_id, item.task_id, expected_version=item.version, at=w.tick())
    with pytest.raises(Conflict, match="claimed by head_commerce"):
        service.claim("head_commerce_2", case_id, item.task_id, at=w.tick())
    with pytest.raises(Conflict, match="claimed by head_commerce"):
        service.complete_task("head_commerce_2", case_id, item.task_id, {"decision": "approve"}, at=w.tick())
    service.release("head_commerce", case_id, item.task_id, at=w.tick())
    with service.db.read() as s:
        assert s.scalar(select(WorkItem.assignee).where(WorkItem.task_id == item.task_id)) is None
    service.complete_task("head_commerce_2", case_id, item.task_id, {"decision": "approve"}, at=w.tick())
    assert [e.command for e in events(w.db, case_id)][-3:] == ["claim", "release", "complete"]
    assert verify(w.db, case_id).ok


def test_task_that_is_not_ready_cannot_be_run(service):
    w = Walker(service, T0)
    case_id = w.start()
    with pytest.raises(NotFound):
        service.complete_task("clerk_commerce", case_id, "00000000-0000-4000-8000-000000000000", {}, at=w.tick())


def test_exception_in_the_middle_of_a_command_leaves_no_trace(service, monkeypatch):
    w = Walker(service, T0)
    case_id = w.start()
    before = get_case(w.db, case_id)
    item = open_item(w.db, case_id, "ut_apply")

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # Fails after the engine ran and the state was serialized, before the event is written.
    monkeypatch.setattr(projection, "diff", boom)
    with pytest.raises(RuntimeError):
        w.apply()
    monkeypatch.undo()
    after = get_case(w.db, case_id)
    assert (after.seq, after.state_hash, after.state) == (before.seq, before.state_hash, before.state)
    assert open_item(w.db, case_id, "ut_apply").version == item.version
    assert len(events(w.db, case_id)) == 1
    assert open_items(w.db, case_id) == ["ut_apply"]
    w.apply()  # and the case still works
    assert open_items(w.db, case_id) == ["ut_head"]


def test_cancel(service):
    w = Walker(service, T0)
    case_id = w.start()
    with pytest.raises(Forbidden):
        service.cancel_case("fao_clerk", case_id, "no", at=w.tick())
    service.cancel_case("clerk_commerce", case_id, "申请撤回", at=w.tick())
    case = get_case(w.db, case_id)
    assert case.status == "cancelled"
    assert open_items(w.db, case_id) == []
    assert verify(w.db, case_id).ok


def test_audit_events_are_append_only(service):
    w = Walker(service, T0)
    case_id = w.start()
    for sql in ("UPDATE audit_events SET actor = 'mallory' WHERE case_id = :c",
                "DELETE FROM audit_events WHERE case_id = :c"):
        with pytest.raises(Exception, match="append-only"):
            with service.db.transaction() as s:
                s.execute(text(sql), {"c": case_id})
    assert len(events(w.db, case_id)) == 1


def _three_event_case(service):
    w = Walker(service, T0)
    case_id = w.start()
    w.apply()
    w.complete("ut_head", decision="approve")
    assert verify(w.db, case_id).ok
    return case_id


@pytest.mark.parametrize("tamper", ["edit_payload", "edit_actor", "delete", "reorder", "delete_last"])
def test_tampering_breaks_verification(service, tamper):
    case_id = _three_event_case(service)
    db = service.db
    evs = events(db, case_id)
    if tamper == "edit_payload":
        _bypass_triggers(db, "UPDATE audit_events SET payload = :p WHERE id = :i",
                         {"p": '{"data": {"decision": "reject"}}', "i": evs[2].id})
    elif tamper == "edit_actor":
        _bypass_triggers(db, "UPDATE audit_events SET actor = 'mallory' WHERE id = :i", {"i": evs[1].id})
    elif tamper == "delete":
        _bypass_triggers(db, "DELETE FROM audit_events WHERE id = :i", {"i": evs[1].id})
    elif tamper == "delete_last":
        _bypass_triggers(db, "DELETE FROM audit_events WHERE id = :i", {"i": evs[2].id})
    else:
        ids = {"a": evs[1].id, "b": evs[2].id}
        _bypass_triggers(db, "UPDATE audit_events SET seq = -seq WHERE id IN (:a, :b)", ids)
        _bypass_triggers(db, "UPDATE audit_events SET seq = :s WHERE id = :i", {"s": 3, "i": evs[1].id})
        _bypass_triggers(db, "UPDATE audit_events SET seq = :s WHERE id = :i", {"s": 2, "i": evs[2].id})
    report = verify(db, case_id)
    assert not report.ok
    assert report.findings[0].chain == f"case:{case_id}"


def test_altered_state_is_caught(service):
    case_id = _three_event_case(service)
    with service.db.transaction() as s:
        case = s.get(Case, case_id)
        case.state = case.state.replace('"decision":"approve"', '"decision":"reject"')
    report = verify(service.db, case_id)
    assert not report.ok


def test_system_chain_records_deploys_and_verifies(service):
    with service.db.read() as s:
        cmds = list(s.scalars(select(AuditEvent.command).where(AuditEvent.chain == "system").order_by(AuditEvent.seq)))
    assert cmds == ["demo_users", "deploy"]
    assert verify(service.db).ok


def test_commands_timed_in_china_time_verify(service):
    from datetime import timedelta, timezone

    china = timezone(timedelta(hours=8))
    w = Walker(service, T0.astimezone(china))
    case_id = w.start()
    w.apply()
    assert verify(service.db, case_id).ok


def test_work_item_due_date_comes_from_its_boundary_timer(service):
    w = Walker(service, T0)
    case_id = w.start()
    w.apply()
    w.complete("ut_head", decision="approve")
    assert open_item(w.db, case_id, "ut_review").due_at is None  # no timer on this task
    w.complete("ut_budget", budget_ok="ok")
    w.complete("ut_review", decision="approve")
    item = open_item(w.db, case_id, "ut_director")
    assert item.due_at == w.now + timedelta(days=5)  # the DMN's sla_days for 8 days / 2 countries


def test_each_new_work_item_sends_a_new_task_notice_to_its_role(service):
    from engine.storage.models import Notification

    w = Walker(service, T0)
    case_id = w.start()
    w.apply()
    with service.db.read() as s:
        rows = s.execute(select(Notification.role, Notification.unit_code, Notification.text_en)
                         .where(Notification.case_id == case_id, Notification.kind == "task")
                         .order_by(Notification.id)).all()
    assert [(r.role, r.unit_code) for r in rows] == [("unit_clerk", "commerce"), ("unit_head", "commerce")]
    assert rows[1].text_en.startswith("New task: 单位负责人审核")
