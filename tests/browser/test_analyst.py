"""The analyst in a real browser: open trip_staff as a draft, rename a task in the modeler's
properties panel, save (the draft survives a reload), change a trip_limits rule, run the
scenarios (two fail, one shown on the diagram), see the impact (the case waiting at the renamed
task, the scenarios of the changed row), fix the limit's scenario, deploy with a reason for the
one left (a trip the new rule now sends to the over-limit review); a unit clerk's new case starts
on the new version while the earlier ones stay on theirs; the migration's dry run lets one move
and refuses the other with its reason. And a broken upload whose problems are marked on their
elements."""

from __future__ import annotations

from sqlalchemy import select

from engine.storage.models import Case, DefinitionVersion
from tests.browser.conftest import flash_texts, save_screenshot, start_case
from tests.documents_support import run_trip

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


def version_of(live_server, case_id: int) -> int:
    with live_server.db.read() as s:
        return s.scalar(select(DefinitionVersion.version).join(Case, Case.version_id == DefinitionVersion.id)
                        .where(Case.id == case_id))


def test_the_analyst_edits_tests_fixes_deploys_and_migrates(live_server, sign_in):
    v1 = trip_staff_version(live_server)
    applying = run_trip(live_server.db, steps=0)  # started earlier, nothing executed yet
    at_head = run_trip(live_server.db, steps=1)  # waiting at the task the analyst renames
    page = sign_in("analyst")
    open_draft(page)
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

    with page.expect_navigation(timeout=120_000):
        page.get_by_role("button", name="运行场景测试").click(timeout=120_000)
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

    # The impact before deploying: the case at the renamed task, and who exercises the changed row.
    with page.expect_navigation(timeout=120_000):
        page.get_by_test_id("see-impact").click(timeout=120_000)
    card = page.get_by_test_id("draft-impact")
    assert card.locator(f'[data-testid="impact-cases"] tr[data-case="{at_head}"]').count() == 1
    assert card.locator(f'[data-testid="impact-cases"] tr[data-case="{applying}"]').count() == 0
    row = card.locator('[data-testid="impact-rules"] tr[data-rule="r_days_2"]')
    assert DAYS_2 in row.get_attribute("data-before") and DAYS_2 in row.get_attribute("data-after")
    page.wait_for_selector('#editor[data-ready="true"]')
    assert page.locator('#editor-canvas g.djs-element.impact-marker[data-element-id="ut_head_sign"]').count() == 1

    # Fix the scenario the rule change broke, then deploy.
    page.goto(f"/drafts/trip_staff?file=scenario:{DAYS_2}")
    text = page.locator("textarea#content").input_value()
    page.locator("textarea#content").fill(text.replace("limit = 8, actual = 9", "limit = 7, actual = 9"))
    with page.expect_navigation():
        page.locator("#save-file").click()
    page.locator("#reason").fill("两国出访在外天数上限调整为 7 天；8 天的行程今后走超限审批")
    with page.expect_navigation(timeout=120_000):
        page.get_by_test_id("deploy").click(timeout=120_000)
    assert any("trip_staff v2" in f for f in flash_texts(page)), flash_texts(page)
    with live_server.db.read() as s:
        v2 = s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.process_id == "trip_staff",
                                                         DefinitionVersion.version == 2))
    assert v2 is not None

    # New cases start on v2; those started earlier stay on v1.
    clerk = sign_in("clerk_commerce")
    started = start_case(clerk, "trip_staff")
    assert version_of(live_server, started) == 2
    assert version_of(live_server, applying) == version_of(live_server, at_head) == 1

    # The dry run: the case that executed nothing migrates, the one at the renamed task is refused.
    page.goto(f"/definitions/versions/{v1}/migrate?to={v2}")
    plan = page.get_by_test_id("migration-plan")
    assert plan.locator(f'tr[data-case="{applying}"]').get_attribute("data-safe") == "true"
    refused = plan.locator(f'tr[data-case="{at_head}"]')
    reason = refused.inner_text()
    assert refused.get_attribute("data-safe") == "false", reason
    assert "ut_head_sign" in reason or "单位负责人审签" in reason, reason
    assert plan.locator(f'tr[data-case="{started}"]').count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="迁移所选案件").click()
    assert any(f"#{applying}" in f for f in flash_texts(page)), flash_texts(page)
    assert version_of(live_server, applying) == 2 and version_of(live_server, at_head) == 1


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


def test_a_long_request_shows_progress_and_cannot_be_sent_twice(live_server, sign_in):
    page = sign_in("analyst")
    open_draft(page)
    # The form posts into a hidden frame, so the page itself stays to be looked at.
    page.evaluate("""() => {
        const sink = document.createElement('iframe');
        sink.name = 'sink'; sink.hidden = true; document.body.append(sink);
        document.querySelector('[data-testid="run-tests"]').form.target = 'sink';
    }""")
    page.get_by_test_id("run-tests").click()
    busy = page.get_by_test_id("busy")
    busy.wait_for()
    assert "正在草稿上运行" in busy.inner_text() and "个场景" in busy.inner_text()
    page.wait_for_function("() => document.querySelector('[data-testid=\"run-tests\"]').disabled")
    page.evaluate("() => document.querySelector('[data-testid=\"run-tests\"]').form.requestSubmit()")
    assert page.get_by_test_id("busy").count() == 1  # a second submit is swallowed
