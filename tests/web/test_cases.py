"""The case page (summary, key data with labels, work items, history with data diffs), the case
list with its filters and scoping, and starting an application."""

from __future__ import annotations

import re

from sqlalchemy import update

from engine.storage.models import Unit
from tests.helpers import open_item
from tests.web.conftest import flashes, text_of


def _walk_to_head(service, db):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    service.claim("clerk_commerce", case_id, item.task_id, expected_version=item.version)
    item = open_item(db, case_id, "ut_apply")
    service.complete_task("clerk_commerce", case_id, item.task_id, {"applicant": "张三", "days": 8, "countries": 2},
                          expected_version=item.version)
    return case_id


def _case_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-case="(\d+)"', page)]


def test_case_page_shows_summary_data_items_and_history(service, db, make_web):
    case_id = _walk_to_head(service, db)
    page = make_web("fao_clerk").get(f"/cases/{case_id}").get_data(as_text=True)
    text = text_of(page)
    assert f"案件 {case_id}" in text and "办理中" in text and "测试审批 第 1 版" in text
    assert "兰州市商务局" in text and "王经办（商务局）" in text
    # Key data, labelled from the version's forms.
    data = text_of(re.search(r'(?s)data-testid="case-data".*?</dl>', page).group(0))
    assert "申请人 张三" in data and "天数 8" in data and "国家数 2" in data
    # Work items: the finished one and the open one.
    items = text_of(re.search(r'(?s)data-testid="work-items".*?</table>', page).group(0))
    assert "填写申请" in items and "已完成" in items and "单位负责人审核" in items and "未认领" in items
    # History: who did what, in order, with the data the completion added.
    history = re.search(r'(?s)data-testid="timeline".*?</ol>', page).group(0)
    steps = [text_of(li) for li in re.findall(r'(?s)<li class="event.*?</li>', history)]
    assert len(steps) == 3
    assert "王经办（商务局） 发起了申请" in steps[0]
    assert "认领了任务: 填写申请" in steps[1]
    assert "办理了任务: 填写申请" in steps[2] and "申请人 张三" in steps[2] and "天数 8" in steps[2]
    assert "文件材料" in text  # the documents section is there for the next step


def test_case_page_in_english(service, db, make_web):
    case_id = _walk_to_head(service, db)
    person = make_web("fao_clerk").english()
    text = text_of(person.get(f"/cases/{case_id}").get_data(as_text=True))
    assert "In progress" in text and "Lanzhou Municipal Bureau of Commerce" in text
    assert "Applicant 张三" in text and "Started the case" in text and "Completed the task" in text


def test_cases_list_filters_and_scope(service, db, make_web):
    a = service.start_case("clerk_commerce", "test_approval")
    b = service.start_case("clerk_education", "test_approval")
    c = service.start_case("clerk_commerce", "test_approval")
    service.cancel_case("clerk_commerce", c, "test")
    office = make_web("fao_clerk")
    assert sorted(_case_ids(office.get("/cases").get_data(as_text=True))) == [a, b, c]
    assert sorted(_case_ids(office.get("/cases?status=running").get_data(as_text=True))) == [a, b]
    assert _case_ids(office.get("/cases?status=cancelled").get_data(as_text=True)) == [c]
    assert sorted(_case_ids(office.get("/cases?unit=education").get_data(as_text=True))) == [b]
    assert _case_ids(office.get("/cases?process=trip_staff").get_data(as_text=True)) == []
    assert _case_ids(office.get(f"/cases?q={b}").get_data(as_text=True)) == [b]
    assert sorted(_case_ids(office.get("/cases?q=测试").get_data(as_text=True))) == [a, b, c]

    clerk = make_web("clerk_education")
    assert _case_ids(clerk.get("/cases").get_data(as_text=True)) == [b]
    # A unit role cannot widen its scope with the unit filter.
    assert _case_ids(clerk.get("/cases?unit=commerce").get_data(as_text=True)) == [b]
    assert _case_ids(clerk.get(f"/cases?q={a}").get_data(as_text=True)) == []


def test_start_lists_what_my_roles_may_start_and_goes_to_the_first_task(db, make_web):
    clerk = make_web("clerk_commerce")
    page = clerk.get("/start").get_data(as_text=True)
    assert "测试审批" in page and 'value="test_approval"' in page
    response = clerk.post("/start", {"process_id": "test_approval"})
    assert response.status_code == 303
    found = re.match(r"/cases/(\d+)/tasks/([0-9a-f-]+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    case_id = int(found.group(1))
    assert open_item(db, case_id, "ut_apply").task_id == found.group(2)
    task_page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已发起申请，案件编号 {case_id}" in " ".join(flashes(task_page))
    assert 'data-testid="task-form"' in task_page and "认领</button>" in task_page

    # An office clerk holds no start lane of the test process.
    office = make_web("fao_clerk")
    assert 'value="test_approval"' not in office.get("/start").get_data(as_text=True)
    page = office.post("/start", {"process_id": "test_approval"}, follow=True).get_data(as_text=True)
    assert "您不能发起此流程。" in flashes(page)


def test_held_unit_sees_why_it_cannot_start(db, make_web):
    with db.transaction() as s:
        s.execute(update(Unit).where(Unit.code == "commerce").values(held=True))
    clerk = make_web("clerk_commerce")
    page = clerk.get("/start").get_data(as_text=True)
    assert "本单位有逾期未交回的护照" in page
    assert 'value="test_approval"' not in page  # no start form, only the disabled button
    page = clerk.post("/start", {"process_id": "test_approval"}, follow=True).get_data(as_text=True)
    assert "本单位有逾期未交回的护照，新的申请暂停受理" in " ".join(flashes(page))
    other = make_web("clerk_education")
    assert 'value="test_approval"' in other.get("/start").get_data(as_text=True)


def test_task_page_of_a_finished_task_says_who_finished_it(service, db, make_web):
    case_id = _walk_to_head(service, db)
    with db.read() as s:
        from engine.storage.models import WorkItem
        done = s.query(WorkItem).filter_by(case_id=case_id, spec_name="ut_apply").one()
    page = make_web("clerk_commerce").get(f"/cases/{case_id}/tasks/{done.task_id}").get_data(as_text=True)
    text = text_of(page)
    assert "已完成" in text and "王经办（商务局）" in text and "认领</button>" not in page
    assert make_web("clerk_commerce").get(f"/cases/{case_id}/tasks/nope").status_code == 404
