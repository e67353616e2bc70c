"""The analyst in a real browser: open trip_staff as a draft, rename a task in the modeler's
properties panel, save (the draft survives a reload), change a trip_limits rule, run the
scenarios (two fail, one shown on the diagram), fix the limit's scenario, deploy with a reason
for the one left (a trip the new rule now sends to the over-limit review); and a broken upload
whose problems are marked on their elements."""

from __future__ import annotations

from sqlalchemy import select

from engine.storage.models import DefinitionVersion
from tests.browser.conftest import flash_texts, save_screenshot

DAYS_2 = "trip_staff_over_limit_days_2.toml"


def trip_staff_version(live_server) -> int:
    with live_server.db.read() as s:
        return s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.process_id == "trip_staff"))


def open_draft(page) -> None:
    page.goto("/definitions")
    with page.expect_navigation():
        row = page.locator('[data-process="trip_staff"] tr[data-version="1"]')
        row.get_by_role("button", name="作为草稿编辑").click()
    page.wait_for_selector('#editor[data-ready="true"]')


def test_the_analyst_edits_tests_fixes_and_deploys(live_server, sign_in):
    page = sign_in("analyst")
    open_draft(page)
    page.evaluate("""() => {}""")
    # Rename a task in the properties panel.
    page.locator('#editor-canvas .djs-element[data-element-id="ut_head_sign"]').first.click(force=True)
    page.locator("#editor-panel .bio-properties-panel-group-header", has_text="常规").first.click()
    name = page.locator("#bio-properties-panel-name")
    name.fill("单位负责人审签并盖章")
    name.press("Tab")
    page.wait_for_timeout(700)
    with page.expect_navigation():
        page.locator("#save-file").click()
    assert "已保存到草稿。" in flash_texts(page)
    page.reload()
    page.wait_for_selector('#editor[data-ready="true"]')
    assert "单位负责人审签并盖章" in page.locator("textarea#content").input_value()  # kept on the server
    save_screenshot(page, "analyst-modeler")

    # The rule: 2 countries → 7 days, in the decision-table editor.
    page.goto("/drafts/trip_staff?file=dmn:trip_limits.dmn")
    page.wait_for_selector('#editor[data-ready="true"]')
    for cell, value in (("r_days_2_days", "> 7"), ("r_days_2_value", "7")):
        editable = page.locator(f'#editor-canvas td[data-element-id="{cell}"] [contenteditable]').first
        editable.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    page.locator("#editor-canvas .tjs-table").first.click(position={"x": 2, "y": 2})
    save_screenshot(page, "analyst-dmn")
    with page.expect_navigation():
        page.locator("#save-file").click()
    dmn = page.locator("textarea#content").input_value()
    row = dmn[dmn.index('<rule id="r_days_2">'):dmn.index("</rule>", dmn.index('<rule id="r_days_2">'))]
    assert "&gt; 7" in row and "<text>7</text>" in row, row

    # The run takes a while on a busy machine: the navigation's own limit applies, not click()'s.
    with page.expect_navigation(timeout=120_000):
        page.get_by_role("button", name="运行场景测试").click(no_wait_after=True)
    failed = page.locator('tr.scenario-run[data-ok="false"]')
    # The limit itself, and a trip of 2 countries and 8 days that is now over the limit.
    assert sorted(failed.evaluate_all("rows => rows.map(r => r.dataset.scenario)")) == [
        DAYS_2, "trip_staff_visa_refused_cancelled.toml"]
    assert page.locator('tr.scenario-run[data-ok="true"]').count() > 5
    page.wait_for_selector('#editor[data-ready="true"]')
    failed.first.locator(".show-path").click()
    page.wait_for_selector(f'#editor[data-path-of="{failed.first.get_attribute("data-scenario")}"]')
    assert page.locator("#editor-canvas g.djs-element.el-path").count() > 5
    assert page.locator("#editor-canvas g.djs-connection.flow-taken").count() > 5
    save_screenshot(page, "analyst-tests")

    # Fix the scenario the rule change broke, then deploy.
    page.goto(f"/drafts/trip_staff?file=scenario:{DAYS_2}")
    text = page.locator("textarea#content").input_value()
    page.locator("textarea#content").fill(text.replace("limit = 8, actual = 9", "limit = 7, actual = 9"))
    with page.expect_navigation():
        page.locator("#save-file").click()
    page.locator("#reason").fill("两国出访在外天数上限调整为 7 天；8 天的行程今后走超限审批")
    with page.expect_navigation(timeout=120_000):
        page.get_by_test_id("deploy").click(no_wait_after=True)
    assert any("trip_staff v2" in f for f in flash_texts(page)), flash_texts(page)
    with live_server.db.read() as s:
        assert s.scalar(select(DefinitionVersion.version).where(DefinitionVersion.process_id == "trip_staff")
                        .order_by(DefinitionVersion.version.desc()).limit(1)) == 2


def test_a_broken_upload_has_its_problems_marked(live_server, sign_in, tmp_path):
    page = sign_in("analyst")
    open_draft(page)
    xml = page.locator("textarea#content").input_value()
    broken = tmp_path / "trip_staff.bpmn"
    broken.write_text(xml.replace('name="unit_head"', 'name="单位负责人"'))
    page.set_input_files("#import", str(broken))
    with page.expect_navigation():
        page.get_by_role("button", name="导入草稿").click()
    with page.expect_navigation():
        page.get_by_test_id("validate").click()
    assert page.locator('[data-testid="validation"]').get_attribute("data-ok") == "false"
    page.wait_for_selector('#editor[data-ready="true"]')
    problem = page.locator(".problem[data-element]").filter(has=page.locator("a.select-element")).first
    element = problem.get_attribute("data-element")
    marked = page.locator(f'#editor-canvas g.djs-element[data-element-id="{element}"]').first
    assert "problem-marker" in (marked.get_attribute("class") or "")
    problem.locator("a.select-element").click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.querySelectorAll('#editor-canvas .djs-element.selected').length") == 1
