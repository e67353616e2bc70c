"""The report's charts, drawn on the server with pygal as SVG (no script, so they print and go
into the PDF as they are), and rasterised to PNG with cairosvg for the Word file. Labels are
Chinese or English; the font is Noto Sans CJK SC (fonts-noto-cjk)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

FONT = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"
TOP = 10
# pygal writes its tooltip configuration as an inline script even without its scripts; the page's
# CSP would refuse it, and a chart that prints needs none.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
CHARTS = [  # (chart id, table id, column shown, kind)
    ("countries", "outbound_by_country", 1, "bar"),
    ("units", "outbound_by_unit", 1, "bar"),
    ("monthly", "monthly", 0, "line"),
    ("purposes", "outbound_by_purpose", 1, "pie"),
    ("nationalities", "inbound_by_nationality", 2, "bar"),
]
WORDS = {"zh": {"now": "本期", "before": "上年同期", "trips": "出访申报", "invitations": "邀请申报",
                "empty": "本期无数据"},
         "en": {"now": "This period", "before": "Same period last year", "trips": "Trips applied",
                "invitations": "Invitations applied", "empty": "No data in this period"}}


@cache
def _style():
    from pygal.style import Style

    return Style(font_family=FONT, label_font_family=FONT, major_label_font_family=FONT,
                 value_font_family=FONT, title_font_family=FONT, legend_font_family=FONT,
                 tooltip_font_family=FONT, background="white", plot_background="white",
                 colors=("#b22222", "#9aa5b1", "#2f6f9f", "#d98c1f", "#4b8b3b", "#7a4b9b", "#3b8b86", "#8b5a3b"),
                 title_font_size=16, label_font_size=12, major_label_font_size=12, legend_font_size=12,
                 value_font_size=11)


def _config(cls, title: str, **extra):
    return cls(style=_style(), title=title, js=[], css=["file://style.css", "file://graph.css"],
               disable_xml_declaration=True, width=720, height=360, print_values=False,
               legend_at_bottom=True, truncate_label=-1, no_data_text="—", **extra)


def chart_svg(figures: dict[str, Any], chart_id: str, lang: str) -> str:
    import pygal

    w = WORDS[lang]
    _, table_id, col, kind = next(c for c in CHARTS if c[0] == chart_id)
    tbl = next(t for t in figures["tables"] if t["id"] == table_id)
    title = f"{tbl[lang]} · {tbl['columns'][col][lang]}"
    if kind == "line":
        chart = _config(pygal.Line, tbl[lang], x_label_rotation=0, show_minor_x_labels=True)
        chart.x_labels = [r["key"] for r in tbl["rows"]]
        chart.add(w["trips"], [r["values"][0] for r in tbl["rows"]])
        chart.add(w["invitations"], [r["values"][2] for r in tbl["rows"]])
    elif kind == "pie":
        chart = _config(pygal.Pie, title, inner_radius=0.35)
        for r in tbl["rows"]:
            if r["values"][col]:
                chart.add(r[lang], r["values"][col])
    else:
        rows = sorted((r for r in tbl["rows"] if r["values"][col] or (r.get("previous") or [0] * 3)[col]),
                      key=lambda r: (-r["values"][col], r["key"]))[:TOP]
        chart = _config(pygal.Bar, title, x_label_rotation=0 if len(rows) < 6 else 30)
        chart.x_labels = [r[lang] for r in rows]
        chart.add(w["now"], [r["values"][col] for r in rows])
        chart.add(w["before"], [(r.get("previous") or [0] * 3)[col] for r in rows])
        top = max([r["values"][col] for r in rows] + [(r.get("previous") or [0] * 3)[col] for r in rows] + [1])
        chart.y_labels = _ticks(top)
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _ticks(top: float) -> list[int]:
    """Whole-number ticks for counts (pygal would print 0.2, 0.4… for small ones)."""
    step = max(1, int(top) // 8 + (1 if int(top) % 8 else 0))
    return list(range(0, int(top) + step + 1, step))


def all_svgs(figures: dict[str, Any], lang: str) -> dict[str, str]:
    """Chart id → SVG; each chart is drawn beside the table it comes from."""
    return {chart_id: chart_svg(figures, chart_id, lang) for chart_id, *_ in CHARTS}


def by_table(svgs: dict[str, str]) -> dict[str, str]:
    return {table_id: svgs[chart_id] for chart_id, table_id, *_ in CHARTS}


def png(svg: str, width: int = 1440) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width)
