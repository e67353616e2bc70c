"""Official documents on the web: issued by themselves when an approval in the browser draws the
number, listed on the case page, downloaded by case readers only, issued by hand by an FAO clerk
where a number was drawn elsewhere; and the public verification pages (no sign-in): what they
show and do not show, the upload check, the look-up by number and code, unknown codes, throttling."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta, timezone

import pytest
from sqlalchemy import select

from engine.documents import render
from engine.documents.codes import grouped
from engine.runtime.service import CaseService
from engine.storage.models import AuditEvent, Document
from tests.documents_support import (
    ISSUE_AT,
    LEADER_STEP,
    deploy_document_processes,
    pdf_text,
    run_trip,
    start_visa_case,
)
from tests.helpers import get_case, open_item
from tests.web.conftest import Web, text_of
from webapp import create_app

PDF_LIMIT = 700_000
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def doc_app(deployed, db_url, tmp_path):
    deploy_document_processes(deployed)
    flask_app = create_app({"DATABASE_URL": db_url, "TESTING": True, "SECRET_KEY": "test-secret-key",
                            "WAISHI_DATA_DIR": str(tmp_path / "data"), "WAISHI_PUBLIC_URL": "https://waishi.example.cn",
                            "VERIFY_MAX_BYTES": PDF_LIMIT, "VERIFY_FREE_MISSES": 3, "VERIFY_BASE_DELAY": 60.0})
    yield flask_app
    flask_app.extensions["waishi"].db.dispose()


@pytest.fixture
def web_as(doc_app):
    def make(username: str | None = None) -> Web:
        w = Web(doc_app)
        if username:
            assert w.login(username).status_code == 302
        return w

    return make


def _documents(db, kind: str | None = "trip_batch") -> list[Document]:
    """The documents of `kind` (the 任务批件 unless told; None: every kind), oldest first."""
    with db.read() as s:
        query = select(Document).order_by(Document.id)
        return list(s.scalars(query if kind is None else query.where(Document.kind == kind)))


def _approve_as_leader(web: Web, db, case_id: int):
    item = open_item(db, case_id, "ut_leader")
    return web.post(f"/cases/{case_id}/tasks/{item.task_id}",
                    {"decision": "approve", "comment": "同意", "expected_version": str(item.version)})


def test_the_leaders_approval_in_the_browser_issues_the_trip_batch(doc_app, deployed, web_as, tmp_path):
    case_id = run_trip(deployed, steps=LEADER_STEP - 1)
    leader = web_as("leader")
    response = _approve_as_leader(leader, deployed, case_id)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    landed = text_of(leader.get(response.headers["Location"]).get_data(as_text=True))
    assert "出国（境）任务批件 兰外出任〔2026〕1号 已签发。" in landed

    [doc] = _documents(deployed)
    assert (doc.case_id, doc.kind, doc.number) == (case_id, "trip_batch", "兰外出任〔2026〕1号")
    assert doc.number == get_case(deployed, case_id).data["batch_number"]
    assert doc.verify_url == f"https://waishi.example.cn/verify/{doc.code}"
    with deployed.read() as s:
        last = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                         .order_by(AuditEvent.seq.desc())).first()
    assert (last.command, last.actor, last.payload["trigger"]) == ("document", "system", "auto")

    clerk = web_as("clerk_commerce")
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    shown = text_of(page)
    assert "兰外出任〔2026〕1号" in shown and "出国（境）任务批件" in shown and doc.sha256[:12] in shown
    assert grouped(doc.code) in shown and "签发公文" in shown  # the timeline names the event
    href = f"/cases/{case_id}/documents/{doc.id}.pdf"
    assert f'href="{href}"' in page

    download = clerk.get(href)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == doc.sha256
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    saved = tmp_path / "download.pdf"
    saved.write_bytes(download.data)
    assert "兰外出任〔2026〕1号" in pdf_text(saved)

    assert web_as("auditor").get(href).status_code == 200
    other = web_as("clerk_education")
    assert other.get(href).status_code == 403
    assert other.get(f"/cases/{case_id}").status_code == 403
    assert web_as().get(href).status_code == 302  # to the sign-in page
    assert clerk.get(f"/cases/{case_id}/documents/{doc.id + 100}.pdf").status_code == 404


def test_an_fao_clerk_issues_by_hand_what_was_approved_elsewhere(doc_app, deployed, web_as):
    case_id = run_trip(deployed)  # approved by the engine directly (as the CLI or a worker would)
    assert _documents(deployed) == []

    unit_clerk = web_as("clerk_commerce")
    page = unit_clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="document-due"' in page and "/documents/issue" not in page
    assert unit_clerk.post(f"/cases/{case_id}/documents/issue", {"kind": "trip_batch"}).status_code == 403

    fao = web_as("fao_clerk")
    page = fao.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'action="/cases/{case_id}/documents/issue"' in page and "签发出国（境）任务批件" in text_of(page)
    response = fao.post(f"/cases/{case_id}/documents/issue", {"kind": "trip_batch"}, follow=True)
    assert "出国（境）任务批件 兰外出任〔2026〕1号 已签发。" in text_of(response.get_data(as_text=True))
    [doc] = _documents(deployed)
    assert doc.issued_by == "fao_clerk"
    response = fao.post(f"/cases/{case_id}/documents/issue", {"kind": "trip_batch"}, follow=True)
    assert "此前已签发" in text_of(response.get_data(as_text=True))
    assert len(_documents(deployed)) == 1
    assert fao.post(f"/cases/{case_id}/documents/issue", {"kind": "passport"}).status_code == 303
    assert fao.post(f"/cases/{case_id}/documents/issue", {"kind": "trip_batch"}, csrf=False).status_code == 400


def test_the_case_page_lists_each_members_filing_form_with_the_batch(doc_app, deployed, web_as, tmp_path):
    case_id = run_trip(deployed, steps=LEADER_STEP - 1)
    leader = web_as("leader")
    response = _approve_as_leader(leader, deployed, case_id)
    landed = text_of(leader.get(response.headers["Location"]).get_data(as_text=True))
    filings = _documents(deployed, "personnel_filing")
    assert [(d.subject, d.number) for d in filings] == [("1", "兰外备〔2026〕1号"), ("2", "兰外备〔2026〕2号"),
                                                        ("3", "兰外备〔2026〕3号")]
    assert "因公临时出国人员备案表 兰外备〔2026〕1号 已签发。" in landed

    clerk = web_as("clerk_commerce")
    page = clerk.get(f"/cases/{case_id}").get_data(as_text=True)
    shown = text_of(page)
    assert shown.count("因公临时出国人员备案表") >= 3 and "出国（境）任务批件" in shown
    for doc in filings:
        assert doc.number in shown and f'href="/cases/{case_id}/documents/{doc.id}.pdf"' in page
    download = clerk.get(f"/cases/{case_id}/documents/{filings[1].id}.pdf")
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == filings[1].sha256
    saved = tmp_path / "filing.pdf"
    saved.write_bytes(download.data)
    assert "李娜" in pdf_text(saved)

    # The public page of a 备案表 tells what the 批件's tells: no member's name or details.
    shown = text_of(web_as().get(f"/verify/{filings[1].code}").get_data(as_text=True))
    assert "因公临时出国人员备案表" in shown and "兰外备〔2026〕2号" in shown
    assert "兰州市商务局赴德国经贸洽谈团（第2份，共3份）" in shown
    for private in ("张伟", "李娜", "王强", "1985-08-20", "1985年8月", "外贸科科长", "620102"):
        assert private not in shown, private


def test_an_fao_clerk_issues_the_filing_forms_by_hand(doc_app, deployed, web_as):
    case_id = run_trip(deployed)  # approved by the engine directly: nothing issued yet
    fao = web_as("fao_clerk")
    assert "签发因公临时出国人员备案表" in text_of(fao.get(f"/cases/{case_id}").get_data(as_text=True))
    response = fao.post(f"/cases/{case_id}/documents/issue", {"kind": "personnel_filing"}, follow=True)
    shown = text_of(response.get_data(as_text=True))
    assert all(f"因公临时出国人员备案表 兰外备〔2026〕{n}号 已签发。" in shown for n in (1, 2, 3))
    assert len(_documents(deployed, "personnel_filing")) == 3 and _documents(deployed) == []
    response = fao.post(f"/cases/{case_id}/documents/issue", {"kind": "personnel_filing"}, follow=True)
    assert "此前已签发" in text_of(response.get_data(as_text=True))
    assert len(_documents(deployed, None)) == 3


def test_a_case_without_documents_shows_no_document_list(doc_app, deployed, web_as):
    case_id = run_trip(deployed, steps=2)
    page = web_as("fao_clerk").get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="documents"' not in page and 'data-testid="document-due"' not in page


@pytest.fixture
def issued(doc_app, deployed, web_as):
    """A trip case whose 批件 the leader's approval in the browser issued; (document, PDF bytes)."""
    case_id = run_trip(deployed, steps=LEADER_STEP - 1)
    assert _approve_as_leader(web_as("leader"), deployed, case_id).status_code == 303
    [doc] = _documents(deployed)
    data = web_as("fao_clerk").get(f"/cases/{case_id}/documents/{doc.id}.pdf").data
    return doc, data


def test_the_public_page_confirms_the_document_without_personal_data(issued, web_as):
    doc, _ = issued
    public = web_as()  # not signed in
    response = public.get(f"/verify/{doc.code}")
    assert response.status_code == 200
    shown = text_of(response.get_data(as_text=True))
    for expected in ("出国（境）任务批件", "兰外出任〔2026〕1号", f"#{doc.case_id}", "兰州市商务局赴德国经贸洽谈团",
                     doc.sha256, grouped(doc.code), doc.issued_at.astimezone(BEIJING).strftime("%Y-%m-%d")):
        assert expected in shown, expected
    for private in ("张伟", "李娜", "王强", "1975-05-12", "1975年5月12日", "副局长", "汉堡商会", "98000", "兰州—北京"):
        assert private not in shown, private
    assert public.get(f"/verify/{grouped(doc.code).lower()}").status_code == 200  # as people type it

    english = web_as().english()
    shown = text_of(english.get(f"/verify/{doc.code}").get_data(as_text=True))
    assert "Document verification" in shown and "Overseas trip authorisation" in shown and "Delegation" in shown


def test_uploading_the_pdf_tells_genuine_from_altered(issued, web_as, deployed, tmp_path):
    data_dir = tmp_path / "data"
    doc, original = issued
    public = web_as()
    url = f"/verify/{doc.code}"

    def upload(data: bytes, name: str = "批件.pdf", **kwargs):
        return public.post(url, {"pdf": (io.BytesIO(data), name)}, **kwargs)

    genuine = upload(original)
    assert genuine.status_code == 200
    page = genuine.get_data(as_text=True)
    assert 'data-testid="verdict-genuine"' in page and "与以此文号签发的公文完全一致" in text_of(page)

    altered = bytearray(original)
    altered[-200] ^= 0x20
    page = upload(bytes(altered)).get_data(as_text=True)
    assert 'data-testid="verdict-mismatch"' in page and hashlib.sha256(altered).hexdigest() in page

    with deployed.read() as s:
        snapshot = s.get(Document, doc.id).snapshot
    renumbered = render.render_pdf("trip_batch", {**snapshot, "number": "兰外出任〔2026〕2号"}, doc.code,
                                   doc.verify_url)
    assert 'data-testid="verdict-mismatch"' in upload(renumbered).get_data(as_text=True)

    assert upload(original, csrf=False).status_code == 400  # CSRF refused
    assert public.post(url, {}).status_code == 400  # no file chosen
    assert upload(b"%PDF-" + b"0" * PDF_LIMIT).status_code == 413  # over the limit: never read whole
    # Checking stores nothing: the record is as issued and the only file is the issued PDF.
    assert [(d.sha256, d.earlier_sha256) for d in _documents(deployed)] == [(doc.sha256, [])]
    stored = sorted(p.name for p in (data_dir / "documents").rglob("*") if p.is_file())
    filings = sorted(f"personnel_filing-{d.code}.pdf" for d in _documents(deployed, "personnel_filing"))
    assert stored == sorted([f"trip_batch-{doc.code}.pdf", *filings]) and len(filings) == 3


def test_lookup_by_number_and_code(issued, web_as):
    doc, _ = issued
    public = web_as()
    response = public.post("/verify", {"number": "兰外出任〔2026〕1号", "code": grouped(doc.code).lower()})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/verify/{doc.code}")
    form = text_of(public.get("/verify").get_data(as_text=True))
    assert "公文核验" in form and "文号" in form and "验证码" in form
    wrong = public.post("/verify", {"number": "兰外出任〔2026〕3号", "code": doc.code})
    assert wrong.status_code == 404 and "没有与该文号和验证码相符的公文" in text_of(wrong.get_data(as_text=True))
    assert public.post("/verify", {"number": "", "code": ""}).status_code == 400


def test_unknown_codes_get_a_clear_404_and_repeated_misses_are_slowed(doc_app, web_as):
    public = web_as()
    for path in ("/verify/ZZZZZZZZZZ", "/verify/nonsense", "/verify/%E5%85%B0"):
        response = public.get(path)
        assert response.status_code == 404
        shown = text_of(response.get_data(as_text=True))
        assert "查无此公文" in shown and "Traceback" not in shown
    response = public.get("/verify/ZZZZZZZZZY")  # the fourth miss in a row: wait first
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert public.post("/verify", {"number": "x", "code": "ZZZZZZZZZZ"}).status_code == 429
    # Another address is not affected.
    other = doc_app.test_client()
    assert other.get("/verify/ZZZZZZZZZZ", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404


def test_visa_notice_is_issued_when_the_fao_clerk_sends_it(doc_app, deployed, web_as):
    service = CaseService(deployed)
    case_id = start_visa_case(service, ISSUE_AT)
    item = open_item(deployed, case_id, "ut_visa_notice")
    fao = web_as("fao_clerk")
    response = fao.post(f"/cases/{case_id}/tasks/{item.task_id}", {"note": "", "expected_version": str(item.version)})
    assert response.status_code == 303
    [doc] = _documents(deployed, None)
    assert (doc.kind, doc.number) == ("visa_notice", "兰外签通〔2026〕第1号")
    shown = text_of(web_as().get(f"/verify/{doc.code}").get_data(as_text=True))
    assert "签证通知函" in shown and "中华人民共和国驻德国大使馆签证处" in shown
    for private in ("MUELLER", "SCHMIDT", "C01X00T47", "1968-04-02", "1968年4月2日"):
        assert private not in shown
    assert re.search(r"签证通知函", text_of(fao.get(f"/cases/{case_id}").get_data(as_text=True)))
