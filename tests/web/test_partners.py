"""The partner-city register page (webapp/partners.py): read by the FAO's staff, kept by FAO
clerks; refused to others; bad input shown on the form in the user's language, nothing saved."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.storage.partner_models import PartnerCity
from tests.web.conftest import flashes, text_of

ROW = {"kind": "sister_city", "name_zh": "秋田市", "name_foreign": "Akita", "country": "jp", "since": "1982-01-01",
       "agreement_on_file": "1", "agreement_ref": "档案 YC-1982-01", "note": "[S51]"}


def _count(app) -> int:
    with app.extensions["waishi"].db.read() as s:
        return s.scalar(select(func.count()).select_from(PartnerCity))


def test_fao_clerk_adds_and_edits_a_partner(make_web, app):
    web = make_web("fao_clerk")
    page = web.get("/partners/").get_data(as_text=True)
    assert "友好城市名录" in text_of(page) and 'href="/partners/"' in page
    done = web.post("/partners/", ROW, follow=True).get_data(as_text=True)
    assert "秋田市已登入名录。" in flashes(done)
    shown = text_of(done)
    assert "秋田市" in shown and "日本" in shown and "1982-01-01" in shown and "2032-01-01" in shown
    with app.extensions["waishi"].db.read() as s:
        pid = s.scalar(select(PartnerCity.id))
    saved = web.post(f"/partners/{pid}/edit", {**ROW, "agreement_ref": "档案 YC-1982-09"}, follow=True)
    assert "档案 YC-1982-09" in text_of(saved.get_data(as_text=True))


def test_bad_input_is_shown_and_nothing_is_saved(make_web, app):
    web = make_web("fao_clerk")
    response = web.post("/partners/", {**ROW, "country": "JPN", "name_zh": ""})
    assert response.status_code == 400
    page = text_of(response.get_data(as_text=True))
    assert "请从列表中选择国家（地区）" in page and "请填写中文名称" in page
    assert _count(app) == 0
    english = make_web("fao_clerk").english()
    page = text_of(english.post("/partners/", {**ROW, "since": "not a date"}).get_data(as_text=True))
    assert "Since: a valid date (YYYY-MM-DD)" in page


def test_section_chief_reads_without_editing_and_a_unit_clerk_is_refused(make_web, app):
    make_web("fao_clerk").post("/partners/", ROW)
    chief = make_web("section_chief")
    page = chief.get("/partners/").get_data(as_text=True)
    assert "秋田市" in text_of(page) and "登入名录" not in text_of(page)
    assert chief.post("/partners/", {**ROW, "name_foreign": "Other"}).status_code == 403
    clerk = make_web("clerk_commerce")
    assert 'href="/partners/"' not in clerk.get("/tasks").get_data(as_text=True)
    assert clerk.get("/partners/").status_code == 403
    assert clerk.post("/partners/", {**ROW, "name_foreign": "Other"}).status_code == 403
    assert _count(app) == 1
