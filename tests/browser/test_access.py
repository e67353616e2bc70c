"""Who may see what, and two tabs submitting one task.

- A unit clerk of another unit can neither open a case (403, nothing of it on the page) nor find
  it in any list: the inbox's three tabs and the case list, searched or not — while the case's own
  unit clerk finds it in each, and the other clerk's lists do show their own unit's case.
- The same task submitted from two tabs of one browser: the first wins; the second gets the 409
  page naming who completed it, with no traceback or server error.
"""

from __future__ import annotations

import re

from tests.browser.conftest import TASK_DONE, fill_form, flash_texts, scenario_step, submit_task

HAPPY = "trip_staff_happy"
RETURNS = "trip_staff_returns_by_approvers"


def returned_trip(engine) -> int:
    """A commerce trip_staff case returned to its unit clerk by the section chief."""
    case_id = engine.start("trip_staff", "clerk_commerce")
    engine.complete(case_id, "ut_apply", "clerk_commerce", scenario_step(RETURNS, 0))
    engine.complete(case_id, "ut_head_sign", "head_commerce", scenario_step(RETURNS, 1))
    engine.complete(case_id, "ut_fao_check", "fao_clerk", scenario_step(RETURNS, 2))
    engine.complete(case_id, "ut_section_chief", "section_chief", scenario_step(RETURNS, 3))
    return case_id


def listed_cases(page, path: str) -> set[int]:
    page.goto(path)
    return {int(c) for c in page.locator("tr[data-case]").evaluate_all("rows => rows.map(r => r.dataset.case)")}


def test_a_clerk_of_another_unit_can_neither_open_nor_find_the_case(live_server, engine, sign_in):
    case_id = returned_trip(engine)
    own_case = engine.start("trip_staff", "clerk_education")
    task_url = live_server.task_url(case_id, "ut_apply")
    delegation = scenario_step(RETURNS, 0)["delegation_name"]
    lists = ["/?tab=mine", "/?tab=claimable", "/?tab=done", "/cases", f"/cases?q={case_id}",
             f"/cases?q={delegation}", "/cases?status=running"]

    owner = sign_in("clerk_commerce")
    seen = {path: case_id in listed_cases(owner, path) for path in lists}
    # the returned application waits in one of the two task lists; the clerk's submission is in "done"
    assert seen["/?tab=mine"] or seen["/?tab=claimable"]
    assert seen["/?tab=done"] and seen["/cases"] and seen[f"/cases?q={case_id}"] and seen["/cases?status=running"]
    assert owner.goto(f"/cases/{case_id}").status == 200 and owner.goto(task_url).status == 200

    other = sign_in("clerk_education")
    for path in lists:
        assert case_id not in listed_cases(other, path), path
    assert own_case in listed_cases(other, "/cases")  # their lists work: their own unit's case is there
    for url in (f"/cases/{case_id}", task_url, f"/cases/{case_id}/diagram.bpmn"):
        response = other.goto(url)
        assert response.status == 403, url
        shown = other.locator("body").inner_text()
        assert "403" in shown and delegation not in shown and "张伟" not in shown
    assert case_id not in listed_cases(other, "/")

    # Nor can the other unit's head act on it: the commerce head sees the next approval, they do not.
    engine.complete(case_id, "ut_apply", "clerk_commerce", scenario_step(RETURNS, 5))
    assert case_id in listed_cases(sign_in("head_commerce"), "/?tab=claimable")
    head = sign_in("head_education")
    assert case_id not in listed_cases(head, "/?tab=claimable") | listed_cases(head, "/?tab=mine")
    assert head.goto(live_server.task_url(case_id, "ut_head_sign")).status == 403


def test_a_double_submit_from_two_tabs_gets_the_conflict_page(live_server, engine, sign_in):
    case_id = engine.start("trip_staff", "clerk_commerce")
    engine.complete(case_id, "ut_apply", "clerk_commerce", scenario_step(HAPPY, 0))
    url = live_server.task_url(case_id, "ut_head_sign")
    approval = scenario_step(HAPPY, 1)

    first = sign_in("head_commerce")
    second = first.context.new_page()  # a second tab of the same person
    for tab in (first, second):
        tab.goto(url)
        fill_form(tab, approval)

    submit_task(first)
    assert TASK_DONE in flash_texts(first)
    assert live_server.open_items(case_id) == ["ut_fao_check"]

    with second.expect_response(lambda r: r.request.method == "POST") as posted:
        submit_task(second)
    assert posted.value.status == 409
    conflict = second.locator('[data-testid="conflict"]')
    assert conflict.is_visible()
    # "This task was already completed by <the unit head> at <Beijing time>."
    assert re.search(r"此任务已由 李局长（商务局） 于 \d{4}-\d\d-\d\d \d\d:\d\d 完成。", conflict.inner_text())
    page = second.content()
    for leak in ("Traceback", "Internal Server Error", "werkzeug", "sqlalchemy", "Conflict("):
        assert leak not in page, leak
    assert live_server.open_items(case_id) == ["ut_fao_check"]  # completed once
