"""The FAO's over-limit review page of a trip_staff case shows the budget lines, the check of each
line against the 516号 standards table and the over-standard reason with its source (docs/rules.md)."""

from __future__ import annotations

from tests.web.conftest import scenario_task_page


def test_review_page_shows_the_budget_lines_and_the_over_standard_flag(db, make_web):
    text = scenario_task_page(db, make_web, "trip_staff_budget_over_standard", "ut_over_limit_review", "fao_clerk")
    assert "预算明细（任务和预算审批意见表）" in text and "住宿费" in text
    assert "预算明细超过开支标准" in text and "[S30][S19]" in text
    assert "超标准（标准表 GBP 140 [S30][U]）" in text
    assert "明细合计 ¥65798.50，填报合计 ¥65798.50" in text
