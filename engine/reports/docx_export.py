"""The report as a Word document (python-docx) that the office edits before submitting it: title,
period, summary paragraphs, each section's tables with last year's figures and the charts as
PNG (the SVG rasterised by cairosvg). Numbers are written as the page shows them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from engine.reports import charts
from engine.reports.render import WORDS, num, pct, sections

Step = Callable[[str], None]
CJK = "Noto Serif CJK SC"


def render_docx(figures: dict[str, Any], lang: str, step: Step | None = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    w = WORDS[lang]
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = CJK, Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), CJK)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
    title = doc.add_heading(w["title"], level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(f"{figures['label'][lang]}（{figures['period']['start']} — {figures['period']['end']}）")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading(w["summary"], level=1)
    for para in figures["summary"][lang]:
        p = doc.add_paragraph(para)
        p.paragraph_format.first_line_indent = Pt(22)
    svgs = charts.by_table(charts.all_svgs(figures, lang))
    for key, heading in sections(lang):
        doc.add_heading(heading, level=1)
        for t in (t for t in figures["tables"] if t["section"] == key):
            if step:
                step(t["id"])
            doc.add_heading(t[lang], level=2)
            if t["id"] in svgs:
                doc.add_picture(io.BytesIO(charts.png(svgs[t["id"]])), width=Cm(15))
            _table(doc, t, lang, w)
    doc.add_paragraph(f"{w['made']} {figures['made_at'][:19].replace('T', ' ')} UTC · {w['source']}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc, t: dict[str, Any], lang: str, w: dict[str, str]) -> None:
    previous = w["previous"] + (f"（{t['columns'][0][lang]}）" if len(t["columns"]) > 1 else "")
    heads = [w["item"], *[c[lang] for c in t["columns"]], previous, w["change"]]
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    for r in t["rows"]:
        cells = table.add_row().cells
        values = [r[lang], *[num(v) for v in r["values"]], num(r["previous"][0]),
                  pct(r["values"][0], r["previous"][0])]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
