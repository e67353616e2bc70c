"""The auditor's engine: replay at every step, the path and heatmap figures, search, each way a
record can be tampered with, the read-only rule and the access log. Real database, real engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from engine.audit.heatmap import HeatmapFilter
from engine.audit.search import SearchFilter
from engine.audit.service import AuditService
from engine.audit.stepper import ReplayCache
from engine.audit.verify import verify
from engine.errors import Forbidden
from engine.storage.models import AuditEvent, CasePath, WorkItem
from tests.conftest import T0
from tests.helpers import Walker, _bypass_triggers, events, get_case, open_item


def full_path(service, data=None) -> Walker:
    """start, apply, return, apply, approve, budget ∥ review, timer, escalated: 9 events."""
    w = Walker(service, T0)
    w.start(data)
    w.apply()
    w.complete("ut_head", decision="return", comment="请补充行程")
    w.apply(days=9)
    w.complete("ut_head", decision="approve")
    w.complete("ut_budget", budget_ok="ok")
    w.complete("ut_review", decision="approve")
    assert service.fire_timers(w.case_id, at=w.tick(timedelta(days=6))) is True
    w.complete("ut_escalated", decision="approve")
    return w


@pytest.fixture
def audit(service):
    return AuditService(service.db, service.specs)


# -- replay ---------------------------------------------------------------------------------------


def test_replay_reproduces_the_recorded_state_hash_at_every_step(service, audit):
    w = full_path(service)
    header, replayed = audit.replay("auditor", w.case_id)
    recorded = [e.state_hash for e in events(service.db, w.case_id)]
    assert replayed.ok and len(replayed.steps) == len(recorded) == 9
    assert [s.replayed_hash for s in replayed.steps] == recorded
    assert all(s.matches for s in replayed.steps)
    assert header.status == "completed"


def test_replay_shows_what_each_step_did_on_the_diagram(service, audit):
    w = full_path(service)
    _, replayed = audit.replay("auditor", w.case_id)
    first, after_return, last = replayed.step(1), replayed.step(3), replayed.step(9)
    assert first.current == ("ut_apply",) and "ut_apply" not in first.completed
    assert first.role == "unit_clerk" and first.command == "start"
    # The head returned it: the application is current again and was completed before.
    assert after_return.states()["ut_apply"] == "current" and "ut_head" in after_return.completed
    assert after_return.actor == "head_commerce" and after_return.role == "unit_head"
    assert after_return.submitted == {"decision": "return", "comment": "请补充行程"}
    assert set(after_return.step_flows) and set(after_return.step_flows) <= after_return.flows
    assert last.current == () and {"ut_budget", "ut_review", "ut_escalated"} <= last.completed
    assert last.data()["summary"] == "张三: approved (director)"
    # Flows only accumulate; each step's own flows are among them.
    for a, b in zip(replayed.steps, replayed.steps[1:], strict=False):
        assert a.flows <= b.flows and a.completed <= b.completed


def test_the_live_path_is_the_replayed_path(service, audit):
    w = full_path(service)
    _, replayed = audit.replay("auditor", w.case_id)
    from engine.audit import pathindex

    assert pathindex.catch_up(service.db) > 20 and pathindex.catch_up(service.db) == 0
    with service.db.read() as s:
        rows = s.execute(select(CasePath.seq, CasePath.kind, CasePath.element_id)
                         .where(CasePath.case_id == w.case_id)).all()
    live = {(seq, kind, e) for seq, kind, e in rows}
    replay = {(st.seq, "element", e) for st in replayed.steps for e in st.step_completed}
    replay |= {(st.seq, "flow", f) for st in replayed.steps for f in st.step_flows}
    assert live == replay and len(live) > 20


def test_replay_is_cached_per_last_event_and_renewed_by_a_new_one(service):
    w = Walker(service, T0)
    w.start()
    cache = ReplayCache()
    with service.db.read() as s:
        first = cache.get(s, service.specs, w.case_id)
        assert cache.get(s, service.specs, w.case_id) is first
    w.apply()
    with service.db.read() as s:
        again = cache.get(s, service.specs, w.case_id)
    assert again is not first and len(again.steps) == len(first.steps) + 1


# -- heatmap --------------------------------------------------------------------------------------


def test_heatmap_counts_cases_per_element_and_flow_and_times_per_task(service, audit):
    full_path(service)  # one case with a return round, the escalation timer
    quick = Walker(service, T0 + timedelta(days=1))
    quick.start()
    item = open_item(service.db, quick.case_id, "ut_apply")
    service.complete_task("clerk_commerce", quick.case_id, item.task_id,
                          {"applicant": "李四", "days": 3, "countries": 1}, expected_version=item.version,
                          at=quick.tick(timedelta(hours=3)))
    quick.complete("ut_head", decision="reject", comment="否")
    other = Walker(service, T0 + timedelta(days=60))  # outside the date range below
    other.start()
    version_id = get_case(service.db, quick.case_id).version_id
    h = audit.heatmap("auditor", HeatmapFilter(version_id, date(2026, 3, 1), date(2026, 3, 31)))
    assert h.cases == 2
    assert h.elements["ut_apply"] == 2 and h.elements["ut_head"] == 2
    assert h.elements["ut_budget"] == 1 and "ut_escalated" in h.elements
    assert sum(1 for n in h.flows.values() if n == 2) >= 2
    # ut_apply: the full path's two rounds took a minute each, the quick case three hours.
    apply_time = h.times["ut_apply"]
    assert apply_time.count == 3 and apply_time.median_s == 60 and apply_time.p90_s == 3 * 3600
    assert h.times["ut_head"].count == 3
    everything = audit.heatmap("auditor", HeatmapFilter(version_id))
    assert everything.cases == 3 and everything.elements["ut_apply"] == 2  # the third is still at it
    assert audit.heatmap("auditor", HeatmapFilter(version_id, unit_code="education")).cases == 0


# -- search ---------------------------------------------------------------------------------------

TRIP = {"members": [{"name": "张伟", "id_card_no": "620102197505122018"}, {"name": "Anna Schmidt"}],
        "itinerary": [{"country": "DE", "days": 3}, {"country": "FR", "days": 2}],
        "batch_number": "兰外出任〔2026〕7号"}


def test_search_by_every_criterion(service, audit):
    trip = Walker(service, T0)
    trip.start(TRIP)
    plain = Walker(service, T0 + timedelta(days=40))
    plain.start()
    plain.apply()
    plain.complete("ut_head", decision="approve")

    def found(**criteria) -> set[int]:
        return {r.id for r in audit.search("auditor", SearchFilter(**criteria)).rows}

    assert found(person="张伟") == {trip.case_id}
    assert found(person="anna  schmidt") == {trip.case_id}  # case and spaces folded
    assert found(person="620102197505122018") == {trip.case_id}
    assert found(person="head_commerce") == {plain.case_id}  # someone who acted
    assert found(person="clerk_commerce") == {trip.case_id, plain.case_id}
    assert found(country="德国") == found(country="de") == found(country="Germany") == {trip.case_id}
    assert found(country="JP") == set()
    assert found(document="兰外出任〔2026〕7号") == {trip.case_id}
    assert found(case_id=plain.case_id) == {plain.case_id}
    assert found(started_from=date(2026, 4, 1)) == {plain.case_id}
    assert found(started_to=date(2026, 3, 31)) == {trip.case_id}
    assert found(process_id="test_approval", version=1, status="running", unit_code="commerce") == \
        {trip.case_id, plain.case_id}
    assert found(version=2) == set() and found(unit_code="education") == set()
    page = audit.search("auditor", SearchFilter(sort="id", descending=False, page_size=1))
    assert page.total == 2 and page.pages == 2 and page.rows[0].id == trip.case_id
    csv = audit.search_csv("auditor", SearchFilter(person="张伟"))
    assert csv.splitlines()[0].startswith("case,process") and len(csv.splitlines()) == 2


def test_search_terms_follow_the_case_data(service):
    w = Walker(service, T0)
    w.start({"members": [{"name": "张伟"}]})
    with service.db.read() as s:
        terms = s.execute(text("SELECT kind, term FROM case_terms WHERE case_id = :c"), {"c": w.case_id}).all()
    assert [tuple(t) for t in terms] == [("person", "张伟")]


# -- tampering ------------------------------------------------------------------------------------


def kinds(db, case_id):
    report = verify(db, case_id)
    assert not report.ok
    return {f.kind for f in report.findings}, report


def test_edited_event_data(service):
    w = full_path(service)
    ev = events(service.db, w.case_id)[3]
    _bypass_triggers(service.db, "UPDATE audit_events SET payload = :p WHERE id = :i",
                     {"p": '{"data": {"applicant": "李四", "days": 1, "countries": 1}}', "i": ev.id})
    found, report = kinds(service.db, w.case_id)
    assert "hash_mismatch" in found and report.first_break().seq == 4


def test_deleted_event(service):
    w = full_path(service)
    ev = events(service.db, w.case_id)[4]
    _bypass_triggers(service.db, "DELETE FROM audit_events WHERE id = :i", {"i": ev.id})
    found, report = kinds(service.db, w.case_id)
    assert {"gap", "link_broken"} <= found and report.first_break().seq == 6


def test_deleted_last_event(service):
    w = full_path(service)
    ev = events(service.db, w.case_id)[-1]
    _bypass_triggers(service.db, "DELETE FROM audit_events WHERE id = :i", {"i": ev.id})
    found, _ = kinds(service.db, w.case_id)
    assert "last_hash" in found


def test_swapped_events(service):
    w = full_path(service)
    evs = events(service.db, w.case_id)
    a, b = evs[2], evs[3]
    _bypass_triggers(service.db, "UPDATE audit_events SET seq = -seq WHERE id IN (:a, :b)", {"a": a.id, "b": b.id})
    _bypass_triggers(service.db, "UPDATE audit_events SET seq = :s WHERE id = :i", {"s": 4, "i": a.id})
    _bypass_triggers(service.db, "UPDATE audit_events SET seq = :s WHERE id = :i", {"s": 3, "i": b.id})
    found, report = kinds(service.db, w.case_id)
    assert "reorder" in found and report.first_break().seq == 3


def test_edited_stored_state(service):
    w = full_path(service)
    with service.db.transaction() as s:
        s.execute(text("UPDATE cases SET state = replace(state, '张三', '李四') WHERE id = :c"), {"c": w.case_id})
    found, _ = kinds(service.db, w.case_id)
    assert found == {"state_altered"}


def test_edited_work_item(service):
    w = Walker(service, T0)
    w.start()
    w.apply()
    with service.db.transaction() as s:
        s.execute(text("UPDATE work_items SET completed_by = 'mallory' WHERE case_id = :c AND spec_name = 'ut_apply'"),
                  {"c": w.case_id})
    found, report = kinds(service.db, w.case_id)
    assert found == {"projection_differs"} and "ut_apply" in report.findings[0].message


def test_an_open_work_item_moved_to_another_role_or_assignee(service):
    w = Walker(service, T0)
    w.start()
    w.apply()
    with service.db.transaction() as s:
        s.execute(text("UPDATE work_items SET assignee = 'fao_clerk' WHERE case_id = :c AND state = 'open'"),
                  {"c": w.case_id})
    assert kinds(service.db, w.case_id)[0] == {"projection_differs"}


def test_edited_case_status_or_data_view(service):
    w = Walker(service, T0)
    w.start()
    w.apply()
    with service.db.transaction() as s:
        s.execute(text("UPDATE cases SET status = 'completed' WHERE id = :c"), {"c": w.case_id})
    assert kinds(service.db, w.case_id)[0] == {"projection_differs"}


def test_a_clean_history_verifies_with_its_projection(service):
    w = full_path(service)
    report = verify(service.db, w.case_id)
    assert report.ok, report.findings
    with service.db.read() as s:
        assert s.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.case_id == w.case_id)) == 8


# -- the auditor reads, and changes nothing -------------------------------------------------------


def test_auditors_can_change_nothing_through_the_engine(service):
    w = Walker(service, T0)
    w.start()
    item = open_item(service.db, w.case_id, "ut_apply")
    from engine import drafts, notifications
    from engine.office import admin as office

    attempts = [
        lambda: service.start_case("auditor", "test_approval"),
        lambda: service.claim("auditor", w.case_id, item.task_id),
        lambda: service.complete_task("auditor", w.case_id, item.task_id, {"applicant": "x", "days": 1,
                                                                           "countries": 1}),
        lambda: service.comment("auditor", w.case_id, "看过"),
        lambda: service.cancel_case("auditor", w.case_id, "x"),
        lambda: drafts.save(service.db, w.case_id, item.task_id, "auditor", {"applicant": "x"}),
        lambda: notifications.mark_all_read(service.db, "auditor"),
        lambda: office.put_setting(service.db, "auditor", "number_format.trip_batch", "X{n}"),
    ]
    before = len(events(service.db, w.case_id))
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert len(events(service.db, w.case_id)) == before


def test_only_auditors_use_the_workspace_and_every_look_is_recorded(service, audit):
    w = full_path(service)
    with pytest.raises(Forbidden):
        audit.search("fao_clerk", SearchFilter())
    with pytest.raises(Forbidden):
        audit.replay("clerk_commerce", w.case_id)
    audit.search("auditor", SearchFilter(person="张三"))
    audit.replay("auditor", w.case_id)
    audit.verify_case("auditor", w.case_id)
    audit.events("auditor", w.case_id, "json")
    entries, total = audit.access_log("auditor")
    assert [e.command for e in entries] == ["audit_export", "audit_verify", "audit_replay", "audit_search"]
    assert total == 4
    assert entries[1].payload == {"case_id": w.case_id, "ok": True, "findings": 0, "events": 9}
    assert entries[3].payload["criteria"]["person"] == "张三"
    with service.db.read() as s:
        logged = s.scalars(select(AuditEvent.actor).where(AuditEvent.chain == "system",
                                                          AuditEvent.command.like("audit_%"))).all()
    assert set(logged) == {"auditor"} and len(logged) == 5  # the log's own reading is a look too
    assert verify(service.db).ok


def test_events_export_recomputes_outside_waishi(service, audit):
    import hashlib
    import json

    w = full_path(service)
    exported = json.loads(audit.events("auditor", w.case_id, "json"))
    prev = exported["genesis"]
    for ev in exported["events"]:
        body = {k: ev[k] for k in ("chain", "seq", "at", "actor", "command", "task_id", "task_spec", "payload",
                                   "diff", "state_hash", "prev_hash", "note")}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                           ensure_ascii=False).encode()).hexdigest()
        assert ev["prev_hash"] == prev and digest == ev["hash"]
        prev = ev["hash"]
    csv = audit.events("auditor", w.case_id, "csv")
    assert len(csv.strip().splitlines()) == 10
