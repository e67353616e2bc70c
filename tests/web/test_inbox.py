"""The inbox: who sees which tasks (role and unit), claim and release with conflicts shown as
messages, the completed tab, due-date marks, filters and the counts in the navigation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from engine import users
from engine.storage.models import WorkItem
from tests.helpers import open_item
from tests.web.conftest import flashes


def _rows(page: str, tab: str) -> list[tuple[int, str]]:
    """(case id, task id) of the rows of the inbox table of `tab`."""
    table = re.search(rf'(?s)data-testid="inbox-{tab}".*?</table>', page)
    if table is None:
        return []
    return [(int(c), t) for c, t in re.findall(r'data-case="(\d+)" data-task="([^"]+)"', table.group(0))]


def _nav_count(page: str) -> int:
    found = re.search(r'data-testid="task-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def _clerk2(db):
    users.create_user(db, "admin", username="clerk2_commerce", display_name="第二经办", password="second-pass",
                      unit_code="commerce", roles=["unit_clerk"])


def test_visibility_by_role_and_unit(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    task_url = f"/cases/{case_id}/tasks/{item.task_id}"

    clerk = make_web("clerk_commerce")
    page = clerk.get("/?tab=claimable").get_data(as_text=True)
    assert _rows(page, "claimable") == [(case_id, item.task_id)]
    assert _nav_count(page) == 1
    assert clerk.get(task_url).status_code == 200

    # Another unit's clerk: nothing in any list, and 403 on the case and the task.
    other = make_web("clerk_education")
    for tab in ("mine", "claimable", "done"):
        page = other.get(f"/?tab={tab}").get_data(as_text=True)
        assert _rows(page, tab) == [] and f"/cases/{case_id}" not in page
    assert _nav_count(page) == 0
    cases_page = other.get("/cases").get_data(as_text=True)
    assert f'data-case="{case_id}"' not in cases_page
    assert other.get(f"/cases/{case_id}").status_code == 403
    assert other.get(task_url).status_code == 403

    # Same unit, other role: reads the case, has no task to claim.
    head = make_web("head_commerce")
    assert _rows(head.get("/?tab=claimable").get_data(as_text=True), "claimable") == []
    assert f'data-case="{case_id}"' in head.get("/cases").get_data(as_text=True)
    task_page = head.get(task_url).get_data(as_text=True)
    assert "认领</button>" not in task_page and "您可以查看此任务，但不能办理" in task_page

    # Office roles and auditors read every case; administrators read none.
    for name in ("fao_clerk", "auditor", "leader"):
        person = make_web(name)
        assert person.get(f"/cases/{case_id}").status_code == 200, name
        assert f'data-case="{case_id}"' in person.get("/cases").get_data(as_text=True), name
        assert _rows(person.get("/?tab=claimable").get_data(as_text=True), "claimable") == [], name
    admin = make_web("admin")
    assert admin.get(f"/cases/{case_id}").status_code == 403
    assert _rows(admin.get("/?tab=claimable").get_data(as_text=True), "claimable") == []


def test_claim_release_and_conflicts_as_messages(service, db, make_web):
    _clerk2(db)
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    claim_url = f"/cases/{case_id}/tasks/{item.task_id}/claim"
    release_url = f"/cases/{case_id}/tasks/{item.task_id}/release"

    clerk = make_web("clerk_commerce")
    second = make_web("clerk2_commerce", "second-pass")
    stale_version = item.version

    response = clerk.post(claim_url, {"expected_version": item.version, "next": "/?tab=claimable"}, follow=True)
    page = response.get_data(as_text=True)
    assert "任务已由您认领" in " ".join(flashes(page))
    assert open_item(db, case_id, "ut_apply").assignee == "clerk_commerce"
    mine = clerk.get("/?tab=mine").get_data(as_text=True)
    assert _rows(mine, "mine") == [(case_id, item.task_id)]
    assert "释放</button>" in mine

    # The second clerk's page was rendered before the claim: stale version.
    page = second.post(claim_url, {"expected_version": stale_version, "next": "/?tab=claimable"},
                       follow=True).get_data(as_text=True)
    assert "该任务在您打开后已被他人修改，请刷新后重试" in flashes(page)
    # With a fresh version: already claimed by someone else.
    fresh = open_item(db, case_id, "ut_apply").version
    page = second.post(claim_url, {"expected_version": fresh}, follow=True).get_data(as_text=True)
    assert "此任务已由 clerk_commerce 认领" in flashes(page)
    page = second.post(release_url, {"expected_version": fresh}, follow=True).get_data(as_text=True)
    assert "您未认领此任务，无法释放" in flashes(page)
    assert _rows(second.get("/?tab=claimable").get_data(as_text=True), "claimable") == []
    assert open_item(db, case_id, "ut_apply").assignee == "clerk_commerce"

    # The same conflict in English.
    second.english()
    page = second.post(claim_url, {"expected_version": fresh}, follow=True).get_data(as_text=True)
    assert "This task is already claimed by clerk_commerce" in flashes(page)

    page = clerk.post(release_url, {"expected_version": fresh, "next": "/?tab=mine"}, follow=True)
    assert "任务已释放" in " ".join(flashes(page.get_data(as_text=True)))
    assert open_item(db, case_id, "ut_apply").assignee is None
    assert _rows(second.get("/?tab=claimable").get_data(as_text=True), "claimable") == [(case_id, item.task_id)]


def test_claim_without_version_is_refused(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    clerk = make_web("clerk_commerce")
    page = clerk.post(f"/cases/{case_id}/tasks/{item.task_id}/claim", {}, follow=True).get_data(as_text=True)
    assert "页面已过期，请刷新后重试。" in flashes(page)
    assert open_item(db, case_id, "ut_apply").assignee is None


def test_claim_of_another_units_task_is_refused(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    other = make_web("clerk_education")
    page = other.post(f"/cases/{case_id}/tasks/{item.task_id}/claim", {"expected_version": item.version},
                      follow=True).get_data(as_text=True)
    assert "此案件属于其他单位，您无权办理" in flashes(page)
    assert open_item(db, case_id, "ut_apply").assignee is None


def test_completed_by_me(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    service.complete_task("clerk_commerce", case_id, item.task_id, {"applicant": "张三", "days": 3, "countries": 1},
                          expected_version=item.version)
    clerk = make_web("clerk_commerce")
    assert _rows(clerk.get("/?tab=done").get_data(as_text=True), "done") == [(case_id, item.task_id)]
    assert _rows(clerk.get("/?tab=claimable").get_data(as_text=True), "claimable") == []
    head = make_web("head_commerce")
    head_item = open_item(db, case_id, "ut_head")
    assert _rows(head.get("/?tab=claimable").get_data(as_text=True), "claimable") == [(case_id, head_item.task_id)]
    assert _rows(head.get("/?tab=done").get_data(as_text=True), "done") == []


def test_due_marks_filters_and_sorting(service, db, make_web):
    ids = [service.start_case("clerk_commerce", "test_approval") for _ in range(3)]
    now = datetime.now(UTC)
    dues = {ids[0]: now - timedelta(hours=2), ids[1]: now + timedelta(hours=20), ids[2]: None}
    with db.transaction() as s:
        for case_id, due in dues.items():
            s.execute(update(WorkItem).where(WorkItem.case_id == case_id).values(due_at=due))
    clerk = make_web("clerk_commerce")
    page = clerk.get("/?tab=claimable").get_data(as_text=True)
    assert [c for c, _ in _rows(page, "claimable")] == [ids[0], ids[1], ids[2]]  # earliest due first
    assert page.count('class="badge badge-overdue">已逾期') == 1
    assert page.count('class="badge badge-due_soon">即将到期') == 1
    assert 'class="due-overdue"' in page and 'class="due-due_soon"' in page
    assert 'badge-alert" data-testid="task-count">3<' in page  # overdue work turns the count yellow

    def case_ids(query: str) -> list[int]:
        return [c for c, _ in _rows(clerk.get("/?tab=claimable&" + query).get_data(as_text=True), "claimable")]

    assert case_ids("due=overdue") == [ids[0]]
    assert case_ids("due=due_soon") == [ids[1]]
    assert case_ids("due=later") == [ids[2]]
    tomorrow = (now + timedelta(hours=8) + timedelta(days=1)).date().isoformat()
    assert case_ids(f"due_before={tomorrow}") == [ids[0], ids[1]]
    assert case_ids("sort=case") == sorted(ids, reverse=True)
    assert case_ids("process=test_approval") == [ids[0], ids[1], ids[2]]
    assert case_ids("process=trip_staff") == []
    page = clerk.get("/?tab=claimable&due_before=31/12/2026").get_data(as_text=True)
    assert "截止日期筛选须为日期" in " ".join(flashes(page))
    assert len(_rows(page, "claimable")) == 3


def test_escalated_task_reaches_the_escalation_role(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    with db.transaction() as s:
        s.execute(update(WorkItem).where(WorkItem.id == item.id).values(escalated_role="section_chief"))
    chief = make_web("section_chief")
    page = chief.get("/?tab=claimable").get_data(as_text=True)
    assert _rows(page, "claimable") == [(case_id, item.task_id)]
    assert "已上报" in page
    fresh = open_item(db, case_id, "ut_apply")
    chief.post(f"/cases/{case_id}/tasks/{item.task_id}/claim", {"expected_version": fresh.version})
    assert open_item(db, case_id, "ut_apply").assignee == "section_chief"
    assert _rows(chief.get("/?tab=mine").get_data(as_text=True), "mine") == [(case_id, item.task_id)]


def test_inbox_needs_sign_in(app):
    response = app.test_client().get("/?tab=mine")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
