"""The report as an Excel workbook (openpyxl): a summary sheet, then one sheet per table with
real numbers (not text) — this period's columns, last year's, and the change in per cent."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from engine.reports.render import WORDS
from engine.reports.tables import change

Step = Callable[[str], None]
SHEET_TITLE_MAX = 31


def sheet_name(t: dict[str, Any]) -> str:
    return t["id"][:SHEET_TITLE_MAX]


def render_xlsx(figures: dict[str, Any], lang: str, step: Step | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    w = WORDS[lang]
    book = Workbook()
    summary = book.active
    summary.title = "summary"
    summary.append([w["title"]])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([figures["label"][lang], figures["period"]["start"], figures["period"]["end"]])
    for para in figures["summary"][lang]:
        summary.append([para])
        summary.cell(summary.max_row, 1).alignment = Alignment(wrap_text=True)
    summary.column_dimensions["A"].width = 100
    for t in figures["tables"]:
        if step:
            step(t["id"])
        sheet = book.create_sheet(sheet_name(t))
        sheet.append([t[lang]])
        sheet["A1"].font = Font(bold=True)
        prev = figures["previous_label"][lang]
        sheet.append(["key", w["item"], *[c[lang] for c in t["columns"]],
                      *[f"{c[lang]}（{prev}）" for c in t["columns"]], w["change"] + " %"])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for r in t["rows"]:
            sheet.append([r["key"], r[lang], *r["values"], *r["previous"], change(r["values"][0], r["previous"][0])])
        sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
