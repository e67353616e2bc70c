"""Give trip_staff scenarios written before the budget lines (docs/rules.md "Budget") budget lines
within the standards of their destination, so that their paths and reasons stay as they were.

    .venv/bin/python scripts/scenario-budget-lines.py processes/scenarios/trip_staff_*.toml

Each apply step (a step whose data has budget_total_cny) gets in_annual_budget = true and lines
for accommodation, meals and incidentals at trip_budget_standards' figures for the first
non-transit country, the rest of the entered total as a CNY airfare line. Files that already have
budget_lines are left alone; other occurrences of budget_total_cny (in [expect]) stay as they are.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Scenario exchange rates (CNY per unit): fixed, so the scenarios stay exact.
RATES = {"EUR": "7.8", "CHF": "8.1", "HKD": "0.92", "MOP": "0.89", "USD": "7.2", "GBP": "9.1", "JPY": "0.048",
         "AUD": "4.7"}
ROW = re.compile(r"<inputEntry id=\"r_\w+_country\"><text>'(\w+)'</text>.*?_currency\"><text>'(\w+)'</text>"
                 r".*?_accommodation\"><text>(\d+)</text>.*?_meals\"><text>(\d+)</text>"
                 r".*?_incidentals\"><text>(\d+)</text>", re.S)


def standards() -> dict[str, tuple[str, int, int, int]]:
    text = (ROOT / "processes" / "trip_budget_standards.dmn").read_text(encoding="utf-8")
    return {m[1]: (m[2], int(m[3]), int(m[4]), int(m[5])) for m in ROW.finditer(text)}


def lines_for(data: dict, table: dict[str, tuple[str, int, int, int]]) -> str:
    persons = len(data["members"])
    stops = [i for i in data["itinerary"] if not i.get("transit")] or data["itinerary"]
    country = stops[0]["country"]
    currency, *daily = table[country]
    days = (dt.date.fromisoformat(data["return_date"]) - dt.date.fromisoformat(data["departure_date"])).days + 1
    total, rate, used = Decimal(data["budget_total_cny"]), Decimal(RATES[currency]), Decimal(0)
    rows = []
    for item, standard, n in zip(("accommodation", "meals", "incidentals"), daily, (max(days - 1, 1), days, days),
                                 strict=True):
        amount = Decimal(standard) * persons * n
        cny = (amount * rate).quantize(Decimal("0.01"))
        if used + cny > total:
            break
        used += cny
        rows.append(f'  {{item = "{item}", country = "{country}", currency = "{currency}", standard = "{standard}.00", '
                    f'persons = {persons}, days = {n}, amount = "{amount}.00", exchange_rate = "{rate}"}},')
    if total > used:
        rows.append(f'  {{item = "airfare", country = "", currency = "CNY", standard = "", persons = {persons}, '
                    f'days = 0, amount = "{total - used:.2f}", exchange_rate = "1"}},')
    return "in_annual_budget = true\nbudget_lines = [\n" + "\n".join(rows) + "\n]"


def main(paths: list[str]) -> None:
    table = standards()
    for name in paths:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        if "budget_lines" in text:
            continue
        steps = [s for s in tomllib.loads(text).get("steps", []) if "budget_total_cny" in s.get("data", {})]
        head, *parts = text.split("\nbudget_total_cny = ")
        out = head
        for k, part in enumerate(parts):
            if k >= len(steps):
                out += "\nbudget_total_cny = " + part
                continue
            first, rest = part.split("\n", 1)
            out += "\nbudget_total_cny = " + first + "\n" + lines_for(steps[k]["data"], table) + "\n" + rest
        path.write_text(out, encoding="utf-8")
        print(f"{path}: {len(steps)} step(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
