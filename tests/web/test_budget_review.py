"""The FAO's over-limit review page of a trip_staff case shows the budget lines, the check of each
line against the 516号 standards table and the over-standard reason with its source (docs/rules.md)."""

from __future__ import annotations

import tomllib

from engine.scenarios import default_definitions, deploy_definitions, parse_scenario, run_scenario
from tests.conftest import TESTS
from tests.helpers import open_item
from tests.web.conftest import text_of

SCENARIO = TESTS.parent / "processes" / "scenarios" / "trip_staff_budget_over_standard.toml"


def test_review_page_shows_the_budget_lines_and_the_over_standard_flag(db, make_web):
    deploy_definitions(db, default_definitions())
    raw = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    result = run_scenario(parse_scenario(raw, source=SCENARIO), db, lang="en")
    assert result.ok, result.report("en")
    item = open_item(db, result.case_id, "ut_over_limit_review")
    page = make_web("fao_clerk").get(f"/cases/{result.case_id}/tasks/{item.task_id}")
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    assert "预算明细（任务和预算审批意见表）" in text and "住宿费" in text
    assert "预算明细超过开支标准" in text and "[S30][S19]" in text
    assert "超标准（标准表 GBP 140 [S30][U]）" in text
    assert "明细合计 ¥65798.50，填报合计 ¥65798.50" in text
