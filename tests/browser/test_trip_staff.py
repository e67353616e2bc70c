"""A trip_staff case in the browser, every role signed in as its own user: the unit clerk's
application, one return for correction (the section chief), the approvals up to the leader in
charge, whose approval issues the 任务批件; the unit clerk downloads the PDF, and its text and
fonts are checked. Field values come from processes/scenarios/trip_staff_happy.toml and
trip_staff_returns_by_approvers.toml. Also saves docs/screenshots/task.png and case.png."""

from __future__ import annotations

import re

from tests.browser.conftest import (
    TASK_DONE,
    act,
    fill_form,
    flash_texts,
    open_task_from_inbox,
    save_screenshot,
    scenario_step,
    start_case,
    submit_task,
)
from tests.documents_support import pdf_fonts, pdf_text

HAPPY = "trip_staff_happy"
RETURNS = "trip_staff_returns_by_approvers"
BATCH = re.compile(r"兰外出任〔\d{4}〕\d+号")


def test_trip_staff_from_application_to_the_issued_task_batch(live_server, sign_in, tmp_path):
    clerk = sign_in("clerk_commerce")
    case_id = start_case(clerk, "trip_staff")
    assert clerk.locator("h1").inner_text().startswith("填写出访申请")
    application = scenario_step(HAPPY, 0)
    fill_form(clerk, application)
    submit_task(clerk)
    assert TASK_DONE in flash_texts(clerk)
    assert live_server.open_items(case_id) == ["ut_head_sign"]

    head = sign_in("head_commerce")
    act(head, case_id, "单位负责人审签", scenario_step(HAPPY, 1))
    fao = sign_in("fao_clerk")
    act(fao, case_id, "外办受理", scenario_step(HAPPY, 2))

    # The section chief returns it for correction (returns_by_approvers, step 4) ...
    chief = sign_in("section_chief")
    returned = scenario_step(RETURNS, 3)
    assert returned["decision"] == "return"
    act(chief, case_id, "处长审核", returned, screenshot="task")
    assert live_server.open_items(case_id) == ["ut_apply"]

    # ... the clerk sees why on the form and sends the application again (step 6).
    open_task_from_inbox(clerk, case_id, "填写出访申请")
    assert returned["comment"] in clerk.locator('form[data-testid="task-form"]').inner_text()
    fill_form(clerk, scenario_step(RETURNS, 5))
    submit_task(clerk)
    assert TASK_DONE in flash_texts(clerk)

    act(head, case_id, "单位负责人审签", scenario_step(RETURNS, 6))
    act(fao, case_id, "外办受理", scenario_step(RETURNS, 7))
    act(chief, case_id, "处长审核", scenario_step(RETURNS, 8))
    act(sign_in("fao_director"), case_id, "外办主任审核", scenario_step(HAPPY, 4))
    flashes = act(sign_in("leader"), case_id, "分管外事市领导审批", scenario_step(HAPPY, 5))

    data = live_server.case(case_id).data
    number = data["batch_number"]
    assert BATCH.fullmatch(number) and data["correction_round"] == 1 and data["outcome"] == "approved"
    assert f"出国（境）任务批件 {number} 已签发。" in flashes  # the leader's approval issued it

    # The unit clerk finds it on the case page and downloads it.
    clerk.goto(f"/cases/{case_id}")
    documents = clerk.locator('table[data-testid="documents"]')
    assert number in documents.inner_text() and "出国（境）任务批件" in documents.inner_text()
    # Each member's 备案表 is listed with it (docs/documents.md).
    assert documents.inner_text().count("因公临时出国人员备案表") == len(data["members"])
    save_screenshot(clerk, "case")
    with clerk.expect_download() as info:
        documents.get_by_role("link", name="下载 PDF").first.click()  # the 批件 is listed first
    pdf = tmp_path / "batch.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    printed = re.sub(r"\s+", "", pdf_text(pdf))
    assert number in printed
    assert application["delegation_name"] in printed
    for member in application["members"]:
        assert member["name"] in printed, member["name"]
    assert "德国" in printed  # the itinerary's DE, in printed words
    fonts = pdf_fonts(pdf)
    assert any("CJK" in name and embedded == "yes" for name, embedded in fonts), fonts
