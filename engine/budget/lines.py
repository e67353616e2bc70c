"""The list logic of the budget check, called by trip_staff's scripts as sandboxed helpers.

The standards themselves live in the DMN table trip_budget_standards (one row per country, so an
analyst edits them in the workspace); the over-standard rules in trip_budget_limits. What sits
here is what a decision table cannot do: walk the lines, pick each per-day line's standard, multiply
and add in exact decimals. Pure functions of their arguments: replay recomputes the same answers.

Amounts are kept as decimal strings ("1234.50"), like the forms' number fields with
serializeToString, so the case data never holds a float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from engine.errors import InvalidInput
from engine.places import names as places

ITEMS: dict[str, tuple[str, str]] = {
    "accommodation": ("住宿费", "Accommodation"),
    "meals": ("伙食费", "Meals"),
    "incidentals": ("公杂费", "Incidentals"),
    "airfare": ("国际旅费", "International airfare"),
    "intercity": ("城市间交通费", "Intercity transport"),
    "registration": ("注册费", "Registration fees"),
    "other": ("其他费用（护签费等）", "Other (passport and visa fees etc.)"),
}
# Rooms by rank [S31]: an ordinary suite (普通套间) for provincial/ministerial officials, a standard
# room (标准间) for bureau level and below.
SUITE_RANKS = frozenset({"provincial_deputy", "provincial"})
# The items the 516号 table fixes per person and day; the others are costs as quoted.
PER_DAY_ITEMS = ("accommodation", "meals", "incidentals")
CENT = Decimal("0.01")
# An entered total may differ from the lines' sum by rounding of each line's conversion.
TOTAL_TOLERANCE_CNY = Decimal("1")
MAX_LINES = 100


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"预算金额无效：{value!r}", f"Not an amount: {value!r}") from None
    return number if number.is_finite() else None


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _plain(value: Decimal | None) -> str:
    return "—" if value is None else format(value.normalize(), "f")


def _lines(lines: Any) -> list[dict[str, Any]]:
    rows = [line for line in (lines or []) if isinstance(line, dict)]
    if len(rows) > MAX_LINES:
        raise InvalidInput(f"预算明细超过 {MAX_LINES} 行", f"More than {MAX_LINES} budget lines")
    return rows


def _first_destination(itinerary: Any) -> str:
    stops = [i for i in (itinerary or []) if isinstance(i, dict)]
    for stop in stops:
        if not stop.get("transit"):
            return str(stop.get("country") or "")
    return str(stops[0].get("country") or "") if stops else ""


def budget_standard_rows(lines: Any, itinerary: Any) -> list[dict[str, Any]]:
    """One row per per-day line for the multi-instance lookup in trip_budget_standards: the
    line's position and country (the trip's first destination when the line names none)."""
    default = _first_destination(itinerary)
    return [{"line": k, "country": str(line.get("country") or default), "item": line.get("item")}
            for k, line in enumerate(_lines(lines)) if line.get("item") in PER_DAY_ITEMS]


def _standard_for(row: dict[str, Any] | None) -> tuple[Decimal | None, str, str]:
    """(standard, currency, source) the table gave for this row's item, or (None, '', '')."""
    if not row or not row.get("std_found"):
        return None, "", ""
    value = _decimal(row.get(f"std_{row.get('item')}"))
    return value, str(row.get("std_currency") or ""), str(row.get("std_source") or "")


def _mismatch(standard: Decimal, persons: Decimal, days: Decimal, amount: Decimal) -> bool:
    return (standard * persons * days).quantize(CENT) != amount.quantize(CENT)


def _suites(rows: list[dict[str, Any]], members: Any) -> dict[str, int]:
    """Persons on accommodation lines budgeted as suites, and how many the ranks allow [S31]."""
    persons = sum(int(_decimal(line.get("persons")) or 0) for line in rows
                  if line.get("item") == "accommodation" and line.get("room_type") == "suite")
    allowed = len([m for m in (members or []) if isinstance(m, dict) and m.get("rank") in SUITE_RANKS])
    return {"budget_suite_persons": persons, "budget_suite_allowed": allowed,
            "budget_suite_excess": max(0, persons - allowed)}


def budget_check(lines: Any, standards: Any, entered_total: Any, members: Any = None) -> dict[str, Any]:
    """Facts for trip_budget_limits and the reviewers' table.

    `standards` are the rows of `budget_standard_rows` with the table's answers merged in
    (std_found, std_currency, std_accommodation, std_meals, std_incidentals, std_source);
    `members` (their ranks) say how many suites the delegation may book."""
    rows = _lines(lines)
    suites = _suites(rows, members)
    by_line = {r.get("line"): r for r in (standards or []) if isinstance(r, dict)}
    over = mismatch = unchecked = 0
    total = Decimal(0)
    zh_rows: list[str] = []
    en_rows: list[str] = []
    for k, line in enumerate(rows):
        item = str(line.get("item") or "")
        currency = str(line.get("currency") or "")
        standard, persons, days = (_decimal(line.get(f)) for f in ("standard", "persons", "days"))
        amount = _decimal(line.get("amount")) or Decimal(0)
        rate = _decimal(line.get("exchange_rate"))
        rate = Decimal(1) if currency == "CNY" else rate
        amount_cny = (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP) if rate is not None else None
        total += amount_cny or Decimal(0)
        flags_zh, flags_en = [], []
        if rate is None:
            mismatch += 1
            flags_zh.append("缺汇率")
            flags_en.append("no exchange rate")
        per_day = item in PER_DAY_ITEMS
        if per_day and None in (standard, persons, days):
            mismatch += 1
            flags_zh.append("标准、人数或天数未填")
            flags_en.append("standard, persons or days missing")
        elif None not in (standard, persons, days) and _mismatch(standard, persons, days, amount):
            mismatch += 1
            flags_zh.append(f"金额不符（应为 {_money(standard * persons * days)}）")
            flags_en.append(f"amount differs (should be {_money(standard * persons * days)})")
        if per_day:
            table, table_currency, source = _standard_for(by_line.get(k))
            if table is None or table_currency != currency:
                unchecked += 1
                shown = f"{table_currency} {_plain(table)}" if table is not None else "无"
                flags_zh.append(f"无法与标准表比对（标准表：{shown}）")
                flags_en.append(f"not compared with the table (table: {shown if table is not None else 'none'})")
            elif standard is not None and standard > table:
                over += 1
                flags_zh.append(f"超标准（标准表 {table_currency} {_plain(table)} {source}）")
                flags_en.append(f"over the standard (table {table_currency} {_plain(table)} {source})")
        if item == "accommodation" and line.get("room_type") == "suite" and suites["budget_suite_excess"]:
            flags_zh.append("普通套间超出省部级人员人数 [S31]")
            flags_en.append("suites beyond the provincial/ministerial officials [S31]")
        zh_name, en_name = ITEMS.get(item, (item, item))
        figures = (f"{currency} {_plain(standard)} × {_plain(persons)} × {_plain(days)} = {currency} {_plain(amount)}"
                   f" × {_plain(rate)} = ¥{'—' if amount_cny is None else _money(amount_cny)}")
        country = str(line.get("country") or "")
        zh_rows.append(f"{k + 1}. {zh_name} {places.name(country, 'zh') if country else ''} {figures}："
                       + ("；".join(flags_zh) or "符合"))
        en_rows.append(f"{k + 1}. {en_name} {places.name(country, 'en') if country else ''} {figures}: "
                       + ("; ".join(flags_en) or "ok"))
    entered = _decimal(entered_total)
    difference = abs((entered or Decimal(0)) - total)
    total_mismatch = bool(rows) and difference > TOTAL_TOLERANCE_CNY
    shown = "—" if entered is None else _money(entered)
    summary_zh = f"明细合计 ¥{_money(total)}，填报合计 ¥{shown}" + ("（不符）" if total_mismatch else "")
    summary_en = (f"Lines total ¥{_money(total)}, entered total ¥{shown}"
                  + (" (differs)" if total_mismatch else ""))
    return {
        "budget_line_count": len(rows),
        "budget_lines_total_cny": _money(total),
        "budget_over_standard_count": over,
        "budget_amount_mismatch_count": mismatch,
        "budget_unchecked_count": unchecked,
        "budget_total_difference_cny": _money(difference),
        "budget_total_mismatch": total_mismatch,
        **suites,
        "budget_check_text": "\n".join(zh_rows + [summary_zh]) if rows else "未填写预算明细",
        "budget_check_text_en": "\n".join(en_rows + [summary_en]) if rows else "No budget lines",
    }
