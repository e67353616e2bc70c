"""The reports page through the web app, on the known cases of tests/reports_support.py: who sees
it, the period form, tables with their charts, CSV/Excel downloads, the export job with its
progress, freezing (not for auditors) and the frozen report's page; both languages."""

from __future__ import annotations

import io
import time

import pytest

from tests.web.conftest import Web, flashes, text_of
from webapp import create_app


@pytest.fixture
def rapp(reports_db_url, tmp_path):
    flask_app = create_app({"DATABASE_URL": reports_db_url, "TESTING": True, "SECRET_KEY": "test-secret-key",
                            "WAISHI_DATA_DIR": str(tmp_path / "data")})
    yield flask_app
    flask_app.extensions["waishi"].db.dispose()


@pytest.fixture
def web(rapp):
    def make(username: str) -> Web:
        w = Web(rapp)
        assert w.login(username).status_code == 302
        return w

    return make


H1 = "/reports/?year=2026&half=H1"


def test_the_readers_see_the_page_and_the_nav_entry_others_do_not(web):
    for who in ("fao_clerk", "section_chief", "fao_director", "leader", "auditor"):
        client = web(who)
        page = client.get(H1).get_data(as_text=True)
        assert 'href="/reports/"' in page and "报表" in text_of(page), who
        assert 'data-table="outbound_by_country"' in page
    for who in ("clerk_commerce", "head_commerce", "analyst", "admin"):
        client = web(who)
        assert client.get(H1).status_code == 403, who
        assert 'href="/reports/"' not in client.get("/notifications").get_data(as_text=True)


def test_the_page_shows_the_figures_with_last_year_and_the_charts(web):
    page = web("section_chief").get(H1).get_data(as_text=True)
    text = text_of(page)
    assert "2026年上半年，全市共申报因公临时出国（境）团组7个，批准5个、15人次，同比增长400%" in text
    row = page.split('data-table="outbound_totals"')[1].split('data-key="approved">')[1].split("</tr>")[0]
    assert [c for c in text_of(row).split(" ") if c] == ["批准", "5", "15", "1", "+400%"]
    for table in ("outbound_by_country", "outbound_by_unit", "outbound_by_purpose", "monthly",
                  "inbound_by_nationality"):
        chart = page.split(f'data-chart="{table}"')[1].split("</figure>")[0]
        assert "<svg" in chart and "<script" not in chart, table
    assert "德国" in page.split('data-chart="outbound_by_country"')[1].split("</figure>")[0]
    assert 'data-testid="freeze-form"' in page  # a finished half-year, not yet frozen


def test_english_page(web):
    client = web("fao_director").english()
    text = text_of(client.get(H1).get_data(as_text=True))
    assert "In the first half of 2026, 7 delegations applied for official trips abroad" in text
    assert "By destination country or region" in text and "Germany" in text and "Biannual report" in text


def test_a_date_range_and_a_bad_one(web):
    client = web("fao_clerk")
    page = client.get("/reports/?from=2026-01-01&to=2026-02-28").get_data(as_text=True)
    assert "团组2个" in text_of(page) and 'data-testid="freeze-form"' not in page
    bad = client.get("/reports/?from=2026-03-01&to=2026-01-01", follow_redirects=True).get_data(as_text=True)
    assert "结束日期早于开始日期" in " ".join(flashes(bad))


def test_downloads_csv_and_excel(web):
    from openpyxl import load_workbook

    client = web("auditor")
    csv_response = client.get("/reports/export.csv?year=2026&half=H1&table=compliance")
    assert csv_response.status_code == 200 and "attachment" in csv_response.headers["Content-Disposition"]
    assert "护照逾期超过30天,1,0" in csv_response.get_data(as_text=True)
    xlsx = client.get("/reports/export.xlsx?year=2026&half=H1")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book["compliance"]["C7"].value == 1 and book["compliance"]["B7"].value == "护照逾期超过30天"


def test_an_export_job_shows_progress_then_gives_the_file(web):
    from docx import Document

    client = web("leader")
    started = client.get("/reports/jobs/start?format=docx&year=2026&half=H1").get_json()
    states = []
    for _ in range(600):
        status = client.get(started["status"]).get_json()
        states.append((status["state"], status["done"], status["total"]))
        if status["state"] != "running":
            break
        time.sleep(0.05)
    assert states[-1] == ("done", 20, 20)
    assert [d for _, d, _ in states] == sorted(d for _, d, _ in states)
    doc = Document(io.BytesIO(client.get(status["file"]).data))
    assert "因公出国（境）和邀请外国人来访情况报告" in doc.paragraphs[0].text
    # a job belongs to whoever started it
    assert web("auditor").get(started["status"]).status_code == 404
    assert client.get("/reports/jobs/start?format=exe&year=2026&half=H1").status_code == 404


def test_freeze_then_show_the_frozen_report(web):
    chief = web("section_chief")
    response = chief.post("/reports/freeze", {"year": "2026", "half": "H1"}, follow=True)
    page = response.get_data(as_text=True)
    assert "报告已定稿，编号 兰外报〔2026〕1号。" in flashes(page)
    assert 'data-testid="frozen-banner"' in page and "所存数据和 PDF 与摘要一致" in text_of(page)
    frozen_url = response.request.path
    auditor = web("auditor")
    assert "兰外报〔2026〕1号" in auditor.get(frozen_url).get_data(as_text=True)
    pdf = auditor.get(frozen_url + ".pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    live = chief.get(H1).get_data(as_text=True)
    assert 'data-testid="freeze-form"' not in live and "兰外报〔2026〕1号" in live
    again = chief.post("/reports/freeze", {"year": "2026", "half": "H1"}, follow=True)
    assert again.status_code == 409


def test_the_auditor_cannot_freeze(web, rapp):
    auditor = web("auditor")
    page = auditor.get(H1).get_data(as_text=True)
    assert 'data-testid="freeze-form"' not in page
    assert auditor.post("/reports/freeze", {"year": "2026", "half": "H1"}).status_code == 403


def test_another_web_process_answers_for_a_job_and_a_lost_one_is_interrupted(rapp, reports_db_url, tmp_path):
    """gunicorn runs several processes: the job's progress and file come from the database, so an
    app that did not start the job (another process's) answers for it; a job whose process went
    away is reported as interrupted, not running forever."""
    from datetime import timedelta

    from engine.reports.jobs import STALE, ExportJobStore
    from engine.reports.service import utcnow

    other = create_app({"DATABASE_URL": reports_db_url, "TESTING": True, "SECRET_KEY": "test-secret-key",
                        "WAISHI_DATA_DIR": str(tmp_path / "data")})
    try:
        here, there = Web(rapp), Web(other)
        assert here.login("leader").status_code == 302 and there.login("leader").status_code == 302
        started = here.get("/reports/jobs/start?format=xlsx&year=2026&half=H1").get_json()
        for _ in range(600):
            status = there.get(started["status"]).get_json()
            if status["state"] != "running":
                break
            time.sleep(0.05)
        assert status["state"] == "done"
        assert there.get(status["file"]).data[:2] == b"PK"

        store = other.extensions["waishi"].db
        lost = ExportJobStore(store).create("leader", "pdf")  # its process died before any progress
        later = ExportJobStore(store, clock=lambda: utcnow() + STALE + timedelta(seconds=1)).get(lost, "leader")
        assert (later.state, later.error.zh) == ("failed", "导出被中断（服务已重启），请重新导出")
        assert ExportJobStore(store).get(lost, "auditor") is None
    finally:
        other.extensions["waishi"].db.dispose()
