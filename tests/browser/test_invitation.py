"""An invitation_official case in the browser, every role signed in as its own user, on the
city-level route (a prefectural-rank guest: rule IR08): the unit clerk's application, the unit
head, FAO clerk, section chief, FAO director and the leader in charge approve, the FAO clerk drafts
the 签证通知函 — whose submission issues it — and the unit clerk downloads the PDF. Field values come
from processes/scenarios/invitation_official_city_completed.toml, moved to this week (the form
refuses entry dates in the past)."""

from __future__ import annotations

import re

from tests.browser.conftest import (
    TASK_DONE,
    act,
    fill_form,
    flash_texts,
    scenario_step,
    start_case,
    submit_task,
)
from tests.documents_support import pdf_fonts, pdf_text

SCENARIO = "invitation_official_city_completed"
NOTICE = re.compile(r"兰外签通〔\d{4}〕第\d+号")

# (task name on the page, user, scenario step) after the application, in order
APPROVALS = [
    ("单位负责人审核", "head_commerce", 1),
    ("外办经办人审核", "fao_clerk", 2),
    ("处长审核", "section_chief", 3),
    ("外办主任审核", "fao_director", 4),
    ("分管外事市领导审批", "leader", 5),
]


def test_invitation_official_on_the_city_route_to_its_visa_notice(live_server, sign_in, tmp_path):
    clerk = sign_in("clerk_commerce")
    case_id = start_case(clerk, "invitation_official")
    application = scenario_step(SCENARIO, 0, to_today=True)
    fill_form(clerk, application)
    submit_task(clerk)
    assert TASK_DONE in flash_texts(clerk)

    for task_name, username, step in APPROVALS:
        act(sign_in(username), case_id, task_name, scenario_step(SCENARIO, step, to_today=True))
    assert live_server.open_items(case_id) == ["ut_visa_notice"]  # no provincial or MFA step on this route
    data = live_server.case(case_id).data
    assert data["approval_level"] == "city" and data["route_rule"].startswith("IR08")

    notice = scenario_step(SCENARIO, 6, to_today=True)
    flashes = act(sign_in("fao_clerk"), case_id, "拟制签证通知函", notice)
    number = live_server.case(case_id).data["visa_notice_number"]
    assert NOTICE.fullmatch(number)
    assert f"签证通知函 {number} 已签发。" in flashes  # submitting the draft issued it

    clerk.goto(f"/cases/{case_id}")
    items = clerk.locator('table[data-testid="work-items"] tbody tr td:first-child').all_inner_texts()
    assert [t.strip() for t in items] == ["填写邀请申请"] + [name for name, _, _ in APPROVALS] + \
        ["拟制签证通知函", "登记签证办理结果"], items
    documents = clerk.locator('table[data-testid="documents"]')
    assert "签证通知函" in documents.inner_text() and number in documents.inner_text()
    with clerk.expect_download() as info:
        documents.get_by_role("link", name="下载 PDF").click()
    pdf = tmp_path / "notice.pdf"
    info.value.save_as(pdf)

    printed = re.sub(r"\s+", "", pdf_text(pdf))
    assert number in printed
    assert notice["visa_notice_addressee"] in printed
    for person in application["invitees"]:
        assert person["passport_no"] in printed and person["name"].replace(" ", "") in printed, person["name"]
    assert any("CJK" in name and embedded == "yes" for name, embedded in pdf_fonts(pdf))
