"""One table of the report as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
the Chinese): key, label, this period's columns, last year's; cells a spreadsheet would run as a
formula are prefixed with '."""

from __future__ import annotations

import csv
import io
from typing import Any

from engine.reports.render import WORDS


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def render_csv(figures: dict[str, Any], table: dict[str, Any], lang: str) -> str:
    w = WORDS[lang]
    prev = figures["previous_label"][lang]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["key", w["item"], *[c[lang] for c in table["columns"]],
                     *[f"{c[lang]} ({prev})" for c in table["columns"]]])
    for r in table["rows"]:
        writer.writerow([_cell(r["key"]), _cell(r[lang]), *[_cell(v) for v in r["values"]],
                         *[_cell(v) for v in r["previous"]]])
    return out.getvalue()
