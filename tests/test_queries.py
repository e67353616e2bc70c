"""The read model agrees with the engine's authorization: a case is listed for exactly the people
who may view it, and a task is offered for claiming to exactly the people who may act on it."""

from __future__ import annotations

from sqlalchemy import select, update

from engine.demo import USERS
from engine.queries import cases as case_queries
from engine.queries import inbox
from engine.runtime.actors import load_reader
from engine.runtime.authz import may_act, may_view_case
from engine.storage.models import Case, WorkItem
from tests.helpers import open_item


def test_lists_and_authorization_agree_for_every_demo_user(service, db):
    commerce = service.start_case("clerk_commerce", "test_approval")
    education = service.start_case("clerk_education", "test_approval")
    item = open_item(db, commerce, "ut_apply")
    service.complete_task("clerk_commerce", commerce, item.task_id, {"applicant": "A", "days": 2, "countries": 1},
                          expected_version=item.version)
    with db.transaction() as s:  # one escalated item, to an office role
        s.execute(update(WorkItem).where(WorkItem.case_id == education).values(escalated_role="section_chief"))
    with db.read() as s:
        all_cases = list(s.execute(select(Case.id, Case.unit_code)))
        open_items = list(s.execute(select(WorkItem).where(WorkItem.state == "open")).scalars())
        for username, *_ in USERS:
            actor = load_reader(s, username)
            listed = {r.id for r in case_queries.case_list(s, actor).rows}
            assert listed == {c.id for c in all_cases if may_view_case(actor, c)}, username
            claimable = {(r.case_id, r.task_id) for r in inbox.rows(s, actor, "claimable")}
            expected = {(i.case_id, i.task_id) for i in open_items
                        if i.assignee is None and may_act(actor, s.get(Case, i.case_id), i)}
            assert claimable == expected, username
            counts = inbox.counts(s, actor)
            assert counts.claimable == len(expected) and counts.mine == 0, username
    # Someone holds a task for every path above: the test is not vacuous.
    assert any(True for _ in open_items) and len(all_cases) == 2
