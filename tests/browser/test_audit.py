"""The auditor in a real browser: find a finished trip_staff case by a delegation member's name,
step through its history on the diagram (buttons, slider, keyboard), verify it, download the
audit report PDF and read it."""

from __future__ import annotations

import subprocess

from engine.scenarios.parse import load_scenario
from engine.scenarios.runner import run_scenario
from tests.browser.conftest import SCENARIOS, save_screenshot


def marked(page, element_id: str) -> str:
    """The state class the viewer put on a diagram element (el-completed / el-current / …)."""
    classes = page.locator(f'#case-diagram g.djs-element[data-element-id="{element_id}"]').first.get_attribute(
        "class") or ""
    return " ".join(sorted(c for c in classes.split() if c.startswith(("el-", "flow-")) and c != "el-step"))


def done_in_this_step(page, element_id: str) -> bool:
    selector = f'#case-diagram g.djs-element[data-element-id="{element_id}"]'
    return "el-step" in (page.locator(selector).first.get_attribute("class") or "")


def at_step(page, k: int) -> None:
    page.wait_for_selector(f'#replay-step[data-step="{k}"]')
    page.wait_for_selector(f'#case-diagram[data-ready="true"][data-step="{k}"]')


def test_the_auditor_finds_replays_verifies_and_reports_a_finished_trip(live_server, sign_in, tmp_path):
    result = run_scenario(load_scenario(SCENARIOS / "trip_staff_happy.toml"), live_server.db)
    assert result.ok, result
    case_id = result.case_id
    events = live_server.case(case_id).seq
    assert live_server.case(case_id).status == "completed" and events > 10

    page = sign_in("auditor")
    assert page.url.endswith("/audit/")  # the auditor's home
    page.fill("#a-person", "李娜")  # a delegation member, not the applicant
    with page.expect_navigation():
        page.get_by_role("button", name="搜索").click()
    rows = page.locator('table[data-testid="audit-results"] tbody tr')
    assert rows.count() == 1 and rows.first.get_attribute("data-case") == str(case_id)
    with page.expect_navigation():
        rows.first.get_by_role("link", name="重放").click()

    # The last step: everything done, nothing current.
    at_step(page, events)
    assert page.locator('[data-testid="replay-ok"]').is_visible()
    assert marked(page, "ut_leader") == "el-completed"
    assert marked(page, "end_done") == "el-completed"

    # First step by button: the application is the current task, nothing completed yet but the start.
    page.locator('[data-go="first"]').click()
    at_step(page, 1)
    assert marked(page, "ut_apply") == "el-current"
    assert marked(page, "ut_head_sign") == ""
    assert "王经办" in page.locator('[data-testid="step-actor"]').inner_text()
    assert page.locator('[data-testid="step-count"]').inner_text().startswith("第 1 步")

    # Two steps on with the keyboard: the head has signed, the FAO check is current.
    page.keyboard.press("ArrowRight")
    at_step(page, 2)
    page.keyboard.press("ArrowRight")
    at_step(page, 3)
    assert marked(page, "ut_apply") == "el-completed"
    assert marked(page, "ut_head_sign") == "el-completed"
    assert marked(page, "ut_fao_check") == "el-current"
    assert done_in_this_step(page, "ut_head_sign") and not done_in_this_step(page, "ut_apply")
    assert page.locator('#case-diagram g.djs-connection.flow-taken').count() >= 3
    assert page.locator('[data-testid="step-check"]').inner_text() == "状态哈希与记录一致"
    save_screenshot(page, "audit-replay")

    # The slider goes anywhere.
    page.locator('[data-testid="step-slider"]').fill("6")
    at_step(page, 6)
    assert marked(page, "ut_section_chief") == "el-completed"

    with page.expect_navigation():
        page.locator('[data-testid="verify-button"]').click()
    assert page.locator('[data-testid="verify-result"]').get_attribute("data-ok") == "true"
    assert "验证通过" in page.locator('[data-testid="verify-result"]').inner_text()

    page.goto(f"/audit/cases/{case_id}")
    with page.expect_download() as info:
        page.locator('[data-testid="report-pdf"]').click()
    pdf = tmp_path / "audit.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "审计报告" in text and str(case_id) in text and "李局长" in text and "通过" in text
    assert "兰州市商务局赴德国经贸洽谈团" in text

    # Each look was recorded, and the auditor can read that record.
    page.goto("/audit/log")
    commands = page.locator('table[data-testid="access-log"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.command)")
    assert {"audit_search", "audit_replay", "audit_verify", "audit_export"} <= set(commands)
    assert commands[0] == "audit_export"  # newest first: the report just downloaded


def test_the_heatmap_draws_counts_on_the_diagram(live_server, sign_in):
    for name in ("trip_staff_happy", "trip_staff_reject_unit_head"):
        assert run_scenario(load_scenario(SCENARIOS / f"{name}.toml"), live_server.db).ok
    page = sign_in("auditor")
    page.goto("/audit/heatmap")
    version = page.locator("#h-version option", has_text="v1").filter(has_text="2").first.get_attribute("value")
    page.goto(f"/audit/heatmap?version={version}")
    page.wait_for_selector('#heatmap-diagram[data-ready="true"]')
    assert "2" in page.locator('[data-testid="heatmap-total"]').inner_text()
    badges = page.locator(".djs-overlay .heat-badge")
    assert badges.count() > 10
    apply_badge = page.locator('.djs-overlays[data-container-id="ut_apply"] .heat-badge')
    assert apply_badge.first.inner_text() == "2"
    save_screenshot(page, "audit-heatmap")
