"""The budget check's list logic (engine/budget/lines.py): lines in CNY at their rates, the entered
total against the lines, amounts against standard × persons × days, per-day standards against the
table's answers; and one whole trip_staff case through the real engine and both DMN tables."""

from __future__ import annotations

import tomllib

import pytest

from engine.budget import budget_check, budget_standard_rows
from engine.errors import InvalidInput
from engine.scenarios import default_definitions, deploy_definitions, parse_scenario, run_scenario
from engine.storage.models import Case
from tests.conftest import TESTS

ITINERARY = [{"country": "AT", "days": 1, "transit": True}, {"country": "DE", "days": 4, "transit": False}]


def line(item: str, amount: str, *, country: str = "", currency: str = "EUR", standard: str = "",
         persons: int | None = None, days: int | None = None, rate: str = "7.8") -> dict:
    return {"item": item, "country": country, "currency": currency, "standard": standard, "persons": persons,
            "days": days, "amount": amount, "exchange_rate": rate}


def table(rows: list[dict], currency: str = "EUR", accommodation: int = 160) -> list[dict]:
    """What trip_budget_standards answers for Germany (placeholder figures [U])."""
    return [{**r, "std_found": True, "std_currency": currency, "std_accommodation": accommodation,
             "std_meals": 50, "std_incidentals": 35, "std_source": "[S30][U]"} for r in rows]


def test_per_day_lines_default_to_the_first_country_visited_not_a_transit_stop():
    lines = [line("accommodation", "1920", standard="160", persons=3, days=4),
             line("airfare", "5000", currency="CNY", rate="1"), line("meals", "100", country="FR")]
    assert budget_standard_rows(lines, ITINERARY) == [
        {"line": 0, "country": "DE", "item": "accommodation"}, {"line": 2, "country": "FR", "item": "meals"}]


def test_lines_within_the_standard_add_up_in_cny():
    lines = [line("accommodation", "1920.00", standard="160", persons=3, days=4),
             line("airfare", "5000", currency="CNY", rate="")]
    facts = budget_check(lines, table(budget_standard_rows(lines, ITINERARY)), "19976.00")
    assert facts["budget_lines_total_cny"] == "19976.00"  # 1920 × 7.8 + 5000 (a CNY line needs no rate)
    assert (facts["budget_over_standard_count"], facts["budget_amount_mismatch_count"],
            facts["budget_unchecked_count"], facts["budget_total_mismatch"]) == (0, 0, 0, False)
    assert "1. 住宿费  EUR 160 × 3 × 4 = EUR 1920 × 7.8 = ¥14976.00：符合" in facts["budget_check_text"]


@pytest.mark.parametrize(("ranks", "allowed", "excess"), [
    (["provincial_deputy", "county", "staff"], 1, 0),  # the 副省部级 head's suite [S31]
    (["county", "staff", "staff"], 0, 1),  # bureau level and below: standard rooms only
])
def test_suites_are_counted_against_the_members_ranks(ranks, allowed, excess):
    lines = [{**line("accommodation", "640", country="DE", standard="160", persons=1, days=4), "room_type": "suite"},
             {**line("accommodation", "1280", country="DE", standard="160", persons=2, days=4),
              "room_type": "standard_room"}]
    members = [{"name": f"m{k}", "rank": r} for k, r in enumerate(ranks)]
    facts = budget_check(lines, table(budget_standard_rows(lines, ITINERARY)), "14976.00", members)
    assert (facts["budget_suite_persons"], facts["budget_suite_allowed"], facts["budget_suite_excess"]) == (
        1, allowed, excess)
    assert ("普通套间超出省部级人员人数 [S31]" in facts["budget_check_text"]) == bool(excess)
    assert "住宿费 德国" in facts["budget_check_text"] and "Accommodation Germany" in facts["budget_check_text_en"]


def test_each_fault_is_counted_and_named_on_its_line():
    lines = [line("accommodation", "2160", standard="180", persons=3, days=4),   # over the table's 160
             line("meals", "900", standard="50", persons=3, days=5),             # should be 750
             line("incidentals", "500"),                                         # standard etc. missing
             line("registration", "300", rate="")]                               # no exchange rate
    facts = budget_check(lines, table(budget_standard_rows(lines, ITINERARY)), "1")
    assert facts["budget_over_standard_count"] == 1
    assert facts["budget_amount_mismatch_count"] == 3
    assert facts["budget_total_mismatch"] is True
    text = facts["budget_check_text_en"]
    assert "over the standard (table EUR 160 [S30][U])" in text
    assert "amount differs (should be 750.00)" in text
    assert "standard, persons or days missing" in text and "no exchange rate" in text


def test_other_currency_or_no_row_is_not_compared():
    lines = [line("accommodation", "100", currency="USD", standard="10", persons=1, days=10)]
    rows = budget_standard_rows(lines, ITINERARY)
    assert budget_check(lines, table(rows), "780")["budget_unchecked_count"] == 1
    missing = [{**r, "std_found": False} for r in rows]
    facts = budget_check(lines, missing, "780")
    assert facts["budget_unchecked_count"] == 1 and facts["budget_over_standard_count"] == 0
    assert "无法与标准表比对（标准表：无）" in facts["budget_check_text"]


def test_a_total_within_a_yuan_of_rounding_matches_and_no_lines_is_no_budget():
    lines = [line("meals", "33.33", standard="11.11", persons=1, days=3, rate="7.1234")]
    facts = budget_check(lines, table(budget_standard_rows(lines, ITINERARY)), "238")
    assert facts["budget_lines_total_cny"] == "237.42" and facts["budget_total_mismatch"] is False
    empty = budget_check([], [], "98000")
    assert empty["budget_line_count"] == 0 and empty["budget_total_mismatch"] is False
    assert empty["budget_check_text"] == "未填写预算明细"


def test_a_bad_amount_is_refused_in_both_languages():
    with pytest.raises(InvalidInput) as refused:
        budget_check([line("meals", "十元")], [], "0")
    assert "预算金额无效" in refused.value.text("zh") and "Not an amount" in refused.value.text("en")


def test_a_trip_staff_case_flags_the_over_standard_line_for_the_review(db):
    deploy_definitions(db, default_definitions())
    path = TESTS.parent / "processes" / "scenarios" / "trip_staff_budget_over_standard.toml"
    result = run_scenario(parse_scenario(tomllib.loads(path.read_text(encoding="utf-8")), source=path), db, lang="en")
    assert result.ok, result.report("en")
    with db.read() as s:
        data = s.get(Case, result.case_id).data
    [reason] = data["over_limit_reasons"]
    assert reason == {"code": "budget_over_standard", "limit": 0, "actual": 1, "zh": "预算明细超过开支标准",
                      "en": "Budget lines above the per-country standard", "source": "[S30][S19]"}
    assert "budget_std_rows" not in data and "budget_limit_code" not in data
    assert data["budget_total_cny"] == "65798.50" and data["budget_lines_total_cny"] == "65798.50"
