"""The section chief opens the biannual report in a real browser, reads the figures and the
charts, and downloads the PDF, Word and Excel files through the export buttons (a job with a
progress bar), then opens each file with its own library or tool and checks its figures."""

from __future__ import annotations

import subprocess

from docx import Document
from openpyxl import load_workbook

from tests.browser.conftest import SCREENSHOTS, save_screenshot
from tests.reports_support import build_known_cases


def _download(page, fmt: str, tmp_path):
    progress = page.locator('[data-testid="export-progress"]')
    with page.expect_download(timeout=60_000) as info:
        page.locator(f'[data-testid="export-{fmt}"]').click()
    assert progress.is_visible()
    page.wait_for_function("() => document.querySelector('.export-status').textContent.startsWith('已生成')")
    assert page.locator('[data-testid="export-progress"] progress').evaluate("p => p.value === p.max")
    path = tmp_path / f"report.{fmt}"
    info.value.save_as(path)
    assert info.value.suggested_filename == f"waishi-report-2026-01-01-2026-06-30.{fmt}"
    return path


def test_the_section_chief_reads_the_report_and_downloads_the_three_formats(live_server, sign_in, tmp_path):
    build_known_cases(live_server.db)
    page = sign_in("section_chief")
    page.get_by_role("link", name="报表").click()
    page.fill("#r-year", "2026")
    page.select_option("#r-half", "H1")
    with page.expect_navigation():
        page.get_by_role("button", name="显示").click()
    summary = page.locator('[data-testid="report-summary"]')
    assert "全市共申报因公临时出国（境）团组7个，批准5个、15人次" in summary.inner_text()
    approved = page.locator('[data-table="outbound_totals"] tr[data-key="approved"] td')
    assert approved.all_inner_texts() == ["5", "15", "1", "+400%"]
    chart = page.locator('[data-chart="outbound_by_country"] svg')
    assert chart.is_visible() and chart.bounding_box()["width"] > 300
    assert "德国" in chart.inner_html()
    save_screenshot(page, "reports")
    page.locator('[data-table="outbound_by_country"]').screenshot(path=str(SCREENSHOTS / "reports-chart.png"))

    pdf = _download(page, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "因公出国（境）和邀请外国人来访情况报告" in text and "565,000" in text

    docx = Document(str(_download(page, "docx", tmp_path)))
    assert [c.text for c in docx.tables[0].rows[2].cells] == ["批准", "5", "15", "1", "+400%"]
    assert len(docx.inline_shapes) == 5

    book = load_workbook(_download(page, "xlsx", tmp_path))
    totals = {r[0]: r for r in book["outbound_totals"].iter_rows(min_row=3, values_only=True)}
    assert totals["applied"][2:4] == (7, 21)
    assert book["outbound_budget"]["C3"].value == 565000

    with page.expect_download() as info:
        page.locator('[data-testid="csv-compliance"]').click()
    assert "护照逾期超过30天,1,0" in open(info.value.path(), encoding="utf-8-sig").read()
