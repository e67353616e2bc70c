"""The report's files, opened again with their own libraries and compared with the figures:
Excel (real numbers, a sheet per table), Word (tables and charts), PDF (text with the Chinese
and the figures), CSV; and frozen reports — numbered, hashed, on the system chain, shown as they
were after the live figures moved on, and caught when altered."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from engine.errors import Conflict, InvalidInput
from engine.reports.freeze import canonical, sha256
from engine.reports.period import Period
from engine.reports.service import ReportService
from engine.storage.models import AuditEvent
from engine.storage.report_models import FrozenReport, ReportFact, ReportFactItem

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
H1_2026 = Period.half_year(2026, "H1")


@pytest.fixture
def reports(reports_db):
    return ReportService(reports_db, clock=lambda: NOW)


@pytest.fixture
def figures(reports):
    return reports.figures("section_chief", H1_2026)


def test_excel_has_a_sheet_per_table_with_numbers(reports, figures):
    from openpyxl import load_workbook

    made = reports.render(figures, "xlsx", "zh")
    assert made.filename == "waishi-report-2026-01-01-2026-06-30.xlsx"
    book = load_workbook(io.BytesIO(made.content))
    assert book.sheetnames == ["summary", *[t["id"] for t in figures["tables"]]]
    assert book["summary"]["A1"].value == "因公出国（境）和邀请外国人来访情况报告"
    for table in figures["tables"]:
        sheet = book[table["id"]]
        width = len(table["columns"])
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        assert len(rows) == len(table["rows"]), table["id"]
        for got, want in zip(rows, table["rows"], strict=True):
            assert got[0] == want["key"] and got[1] == want["zh"]
            assert list(got[2:2 + width]) == want["values"] and list(got[2 + width:2 + 2 * width]) == want["previous"]
            assert all(v is None or isinstance(v, (int, float)) for v in got[2:])
    totals = {r[0]: r for r in book["outbound_totals"].iter_rows(min_row=3, values_only=True)}
    assert totals["approved"][2:] == (5, 15, 1, 3, 400.0)
    assert book["outbound_budget"]["C3"].value == 565000


def test_word_has_the_summary_every_table_and_the_charts(reports, figures):
    from docx import Document

    made = reports.render(figures, "docx", "zh")
    doc = Document(io.BytesIO(made.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "因公出国（境）和邀请外国人来访情况报告" in text and "2026年上半年" in text
    assert figures["summary"]["zh"][0] in text
    assert len(doc.tables) == len(figures["tables"])
    assert len(doc.inline_shapes) == 5  # the five charts, as PNG
    by_title = dict(zip([t["id"] for t in figures["tables"]], doc.tables, strict=True))
    totals = [[c.text for c in row.cells] for row in by_title["outbound_totals"].rows]
    assert totals[0] == ["项目", "团组数", "人次", "上年同期（团组数）", "同比"]
    assert totals[2] == ["批准", "5", "15", "1", "+400%"]
    budget = [[c.text for c in row.cells] for row in by_title["outbound_budget"].rows]
    assert budget[1][:2] == ["预算合计", "565,000"] and budget[3][:2] == ["人均每天", "5,885.42"]
    for table in figures["tables"]:
        rows = by_title[table["id"]].rows
        assert [r.cells[0].text for r in rows[1:]] == [r["zh"] for r in table["rows"]], table["id"]


def test_pdf_is_a_written_report_with_chinese_text_and_the_figures(reports, figures, tmp_path):
    made = reports.render(figures, "pdf", "zh")
    assert made.content[:5] == b"%PDF-"
    path = tmp_path / "r.pdf"
    path.write_bytes(made.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "因公出国（境）和邀请外国人来访情况报告" in text
    assert "2026年上半年，全市共申报因公临时出国（境）团组7个" in text.replace("\n", "").replace(" ", "")
    assert "按出访国家（地区）" in text and "德国" in text and "565,000" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    english = reports.render(figures, "pdf", "en")
    path.write_bytes(english.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Report on official trips abroad" in text and "Germany" in text


def test_each_table_as_csv(reports, figures):
    made = reports.render(figures, "csv", "zh", table="outbound_by_country")
    assert made.filename.endswith("-outbound_by_country.csv")
    body = made.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:5] == ["key", "项目", "申报团组", "批准团组", "批准人次"]
    assert rows[1:] == [["AT", "奥地利", "1", "1", "3", "0", "0", "0"], ["DE", "德国", "6", "4", "12", "2", "1", "3"],
                        ["FR", "法国", "1", "0", "0", "0", "0", "0"], ["JP", "日本", "1", "1", "3", "0", "0", "0"],
                        ["NL", "荷兰", "1", "1", "3", "0", "0", "0"]]
    with pytest.raises(Exception, match="no table|没有表格"):
        reports.render(figures, "csv", "zh", table="nope")


def test_exports_report_their_progress(reports):
    seen = []
    reports.export("fao_clerk", H1_2026, "docx", "zh", progress=lambda done, total, what: seen.append((done, total)))
    assert seen[0] == (1, 20) and seen[-1] == (20, 20)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_freeze_numbers_hashes_records_and_keeps_the_report_as_it_was(reports, reports_db):
    frozen = reports.freeze("section_chief", H1_2026, "zh")
    assert frozen.number == "兰外报〔2026〕1号" and frozen.intact
    assert frozen.figures_sha256 == sha256(canonical(frozen.figures))
    with reports_db.read() as session:
        row = session.get(FrozenReport, frozen.id)
        assert sha256(row.pdf) == frozen.pdf_sha256 and row.pdf[:5] == b"%PDF-"
        event = session.scalars(select(AuditEvent).where(AuditEvent.command == "report_freeze")).one()
    assert event.chain == "system" and event.actor == "section_chief"
    assert event.payload["number"] == frozen.number and event.payload["sha256"] == frozen.sha256
    assert event.payload["figures_sha256"] == frozen.figures_sha256

    # the live figures move on (a case leaves the period); the frozen report does not
    with reports_db.transaction() as session:
        session.execute(delete(ReportFactItem).where(ReportFactItem.case_id == 4))
        session.execute(delete(ReportFact).where(ReportFact.case_id == 4))
    live = reports.figures("section_chief", H1_2026)
    assert live["tables"][0]["rows"][0]["values"] == [6, 18]
    again = reports.frozen("auditor", frozen.id)
    assert again.figures["tables"][0]["rows"][0]["values"] == [7, 21] and again.intact
    assert reports.frozen_export("auditor", frozen.id, "pdf").content == row.pdf
    sheet = reports.frozen_export("leader", frozen.id, "xlsx")
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(sheet.content))["outbound_totals"]["C3"].value == 7
    assert [r["number"] for r in reports.frozen_list("auditor")] == [frozen.number]

    with pytest.raises(Conflict):
        reports.freeze("fao_director", H1_2026, "zh")
    second = reports.freeze("fao_director", Period.half_year(2025, "H2"), "en")
    assert second.number == "兰外报〔2026〕2号"


def test_an_altered_frozen_report_is_caught(reports, reports_db):
    frozen = reports.freeze("fao_clerk", H1_2026, "zh")
    doctored = json.loads(json.dumps(frozen.figures))
    doctored["tables"][0]["rows"][1]["values"] = [50, 150]
    with reports_db.transaction() as session:
        session.execute(update(FrozenReport).where(FrozenReport.id == frozen.id).values(figures=canonical(doctored)))
    assert not reports.frozen("auditor", frozen.id).intact


def test_only_a_finished_half_year_is_frozen(reports):
    with pytest.raises(InvalidInput):
        reports.freeze("section_chief", Period.half_year(2026, "H2"), "zh")  # ends after 7 December 2026
    with pytest.raises(InvalidInput):
        reports.freeze("section_chief", Period(H1_2026.start, H1_2026.end), "zh")  # a date range
