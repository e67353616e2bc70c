"""A sister_city case in the browser, every role signed in as its own user: the FAO clerk (who
starts it, FAO-DOMAIN §1(g)) fills in the application and its checklist, the section chief and
the FAO director approve — which issues the 结好请示 to the municipal government — the clerk records
the municipal government, the provincial FAO, CPAFFC's confirmation and the signed agreement, and
the partner then stands in the register with its next 10-year anniversary; a unit clerk may not
open the register. Field values come from processes/scenarios/sister_city_approved.toml."""

from __future__ import annotations

from tests.browser.conftest import TASK_DONE, act, fill_form, flash_texts, scenario_step, start_case, submit_task

SCENARIO = "sister_city_approved"
# (task name on the page, user, scenario step) after the application, in order
STEPS = [
    ("处长审核", "section_chief", 2),
    ("外办主任审核签发请示", "fao_director", 3),
    ("登记市政府批复", "fao_clerk", 4),
    ("登记省外办审核意见", "fao_clerk", 7),
    ("登记全国对外友协确认及外交部批准", "fao_clerk", 8),
    ("登记签署结好协议书", "fao_clerk", 9),
]


def test_sister_city_application_to_the_register(live_server, sign_in):
    clerk = sign_in("fao_clerk")
    clerk.goto("/partners/")
    assert clerk.locator('[data-testid="partners-empty"]').is_visible()
    case_id = start_case(clerk, "sister_city")
    fill_form(clerk, scenario_step(SCENARIO, 0, to_today=False))
    submit_task(clerk)
    assert TASK_DONE in flash_texts(clerk)
    assert live_server.open_items(case_id) == ["ut_chief_review"]

    for task_name, username, step in STEPS:
        act(clerk if username == "fao_clerk" else sign_in(username), case_id, task_name,
            scenario_step(SCENARIO, step, to_today=False))
    data = live_server.case(case_id).data
    assert live_server.case(case_id).status == "completed" and data["outcome"] == "approved"

    clerk.goto(f"/cases/{case_id}")
    documents = clerk.locator('table[data-testid="documents"]')
    assert "结好请示" in documents.inner_text() and data["request_number"] in documents.inner_text()

    clerk.goto("/")
    with clerk.expect_navigation():
        clerk.get_by_role("link", name="友好城市名录").click()
    row = clerk.locator('table[data-testid="partners"] tr[data-partner="JP:Niigata"]')
    shown = row.inner_text()
    for expected in ("友好城市", "新潟市", "Niigata", "日本", "2026-04-22", "已存档", "档案 YC-2026-01",
                     "2036-04-22", "10 周年", str(case_id)):  # 2036: the 10th anniversary of the signing
        assert expected in shown, expected

    unit = sign_in("clerk_commerce")
    assert unit.get_by_role("link", name="友好城市名录").count() == 0
    assert unit.goto("/partners/").status == 403
