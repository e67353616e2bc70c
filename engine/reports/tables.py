"""The report's tables as plain data (what the page, PDF, Word, Excel and CSV files render and
what a frozen report stores): columns with Chinese and English headings, rows keyed by a code
with their Chinese and English labels, real numbers, and last year's values for 同比."""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]
Table = dict[str, Any]


def column(key: str, zh: str, en: str, unit: str = "") -> dict[str, str]:
    return {"key": key, "zh": zh, "en": en, "unit": unit}


def row(key: str, zh: str, en: str, values: list[int | float | None]) -> Row:
    return {"key": key, "zh": zh, "en": en, "values": values}


def table(table_id: str, section: str, zh: str, en: str, columns: list[dict[str, str]], rows: list[Row],
          chart: str | None = None) -> Table:
    return {"id": table_id, "section": section, "zh": zh, "en": en, "columns": columns, "rows": rows,
            "chart": chart}


def with_previous(current: Table, previous: Table) -> Table:
    """Last year's values beside each row (same key), and rows only last year had, with zeros now."""
    before = {r["key"]: r["values"] for r in previous["rows"]}
    width = len(current["columns"])
    rows = [{**r, "previous": before.get(r["key"], [0] * width)} for r in current["rows"]]
    seen = {r["key"] for r in rows}
    rows += [{**r, "values": [0] * width, "previous": r["values"]} for r in previous["rows"] if r["key"] not in seen]
    return {**current, "rows": rows}


def change(now: int | float | None, before: int | float | None) -> float | None:
    """Year-on-year change in per cent, or None when last year had none."""
    if now is None or before in (None, 0):
        return None
    return round((now - before) * 100.0 / before, 1)


def value_of(tbl: Table, key: str, col: int = 0, *, previous: bool = False) -> int | float | None:
    for r in tbl["rows"]:
        if r["key"] == key:
            values = r.get("previous") if previous else r["values"]
            return values[col] if values else None
    return None
