"""Official documents (engine/documents): issued once from the number the process drew, audited on
the case chain without touching the workflow, rendered deterministically with embedded Noto CJK
fonts and a QR code to the verification page, regenerated without changing number, code or hash,
and checked against uploaded bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from engine.audit.verify import verify
from engine.documents import DocumentService, PublicDocument, codes
from engine.documents import render as render_module
from engine.documents.kinds import KINDS
from engine.documents.render import NoCJKFont, render_pdf
from engine.errors import Conflict, Forbidden
from engine.runtime.actors import Actor
from engine.runtime.service import CaseService
from engine.storage.models import AuditEvent, Case, Document
from tests.documents_support import (
    ISSUE_AT,
    LEADER_STEP,
    VISA_DATA,
    complete_next_trip_step,
    deploy_document_processes,
    pdf_fonts,
    pdf_text,
    qr_codes,
    run_trip,
    start_visa_case,
)
from tests.helpers import _bypass_triggers, events, get_case, open_item

FAO_CLERK = Actor("fao_clerk", frozenset({"fao_clerk"}), "fao")
COMMERCE_CLERK = Actor("clerk_commerce", frozenset({"unit_clerk"}), "commerce")
EDUCATION_CLERK = Actor("clerk_education", frozenset({"unit_clerk"}), "education")


@pytest.fixture
def docs_db(db):
    deploy_document_processes(db)
    return db


@pytest.fixture
def documents(docs_db, tmp_path):
    return DocumentService(docs_db, data_dir=tmp_path / "data", public_url="https://waishi.example.gov.cn")


@pytest.fixture
def trip(docs_db):
    """A trip_staff case just approved by the leader in charge: `batch_number` is in its data."""
    return run_trip(docs_db)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _document_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Document))


# -- issuing ---------------------------------------------------------------------------------------

def test_trip_batch_is_issued_once_with_the_number_the_process_drew(docs_db, documents, trip):
    case = get_case(docs_db, trip)
    assert case.data["batch_number"] == "兰外出任〔2026〕1号"
    assert documents.due(trip) == ["trip_batch", "personnel_filing"]  # the 备案表: tests/test_documents_filing.py

    first = documents.issue(trip, "trip_batch", at=ISSUE_AT)
    assert first.created
    doc = first.document
    assert (doc.kind, doc.number, doc.case_id) == ("trip_batch", "兰外出任〔2026〕1号", trip)
    assert codes.normalise(doc.code) == doc.code and len(doc.code) == 10
    assert doc.verify_url == f"https://waishi.example.gov.cn/verify/{doc.code}"
    assert documents.due(trip) == ["personnel_filing"]

    again = documents.issue(trip, "trip_batch", username="fao_clerk", at=ISSUE_AT + timedelta(minutes=5))
    assert not again.created and again.document == doc
    assert _document_count(docs_db) == 1

    # One audited command on the case's chain; the workflow is untouched.
    after = get_case(docs_db, trip)
    assert after.seq == case.seq + 1 and after.state_hash == case.state_hash and after.state == case.state
    last = events(docs_db, trip)[-1]
    assert (last.command, last.actor, last.state_hash) == ("document", "system", case.state_hash)
    assert last.payload == {"action": "issue", "trigger": "auto", "document_id": doc.id, "kind": "trip_batch",
                            "subject": "", "number": "兰外出任〔2026〕1号", "code": doc.code, "sha256": doc.sha256}
    # The snapshot is what the process kept for the 批件, in printed words.
    with docs_db.read() as s:
        snapshot = s.get(Document, doc.id).snapshot
    assert snapshot["countries"] == [{"code": "DE", "name": "德国", "days": 5, "transit": False}]
    assert [m["name"] for m in snapshot["members"]] == ["张伟", "李娜", "王强"]
    assert snapshot["members"][1]["sex"] == "女"
    assert snapshot["title_line"] == "兰州市商务局赴德国经贸洽谈团"


def test_no_document_before_the_process_drew_its_number(docs_db, documents, tmp_path):
    case_id = run_trip(docs_db, steps=LEADER_STEP - 1)  # the leader has not approved yet
    assert "batch_number" not in get_case(docs_db, case_id).data
    assert documents.due(case_id) == []
    with pytest.raises(Conflict):
        documents.issue(case_id, "trip_batch")
    assert documents.issue_due(case_id) == []
    assert _document_count(docs_db) == 0
    assert not any((tmp_path / "data").rglob("*.pdf"))
    assert [e.command for e in events(docs_db, case_id)].count("document") == 0


def test_only_an_fao_clerk_or_the_system_issues(docs_db, documents, trip):
    with pytest.raises(Forbidden):
        documents.issue(trip, "trip_batch", username="clerk_commerce")
    with pytest.raises(Forbidden):
        documents.issue(trip, "trip_batch", username="fao_director")
    issued = documents.issue(trip, "trip_batch", username="fao_clerk", at=ISSUE_AT)
    assert issued.created and issued.document.issued_by == "fao_clerk"
    assert events(docs_db, trip)[-1].payload["trigger"] == "manual"


def test_replay_still_succeeds_after_document_events_and_later_commands(docs_db, documents, trip):
    doc = documents.issue(trip, "trip_batch", at=ISSUE_AT).document
    # The process goes on after the document event: the unit hands in the passport materials.
    service = CaseService(docs_db)
    complete_next_trip_step(service, docs_db, trip, LEADER_STEP, ISSUE_AT + timedelta(days=1))
    # A regeneration with different bytes is a second document event.
    with docs_db.transaction() as s:
        row = s.get(Document, doc.id)
        row.snapshot = {**row.snapshot, "stay_note": "停留时间包含抵离境当日（补正）"}
    assert documents.regenerate(doc.id, at=ISSUE_AT + timedelta(days=2)).changed
    commands = [e.command for e in events(docs_db, trip)]
    assert commands.count("document") == 2 and commands[-1] == "document"
    report = verify(docs_db, trip)
    assert report.ok, report.findings
    assert verify(docs_db).ok


def test_a_rolled_back_issue_leaves_no_file_and_no_row(docs_db, documents, trip, tmp_path):
    # The number changes between rendering and the transaction (the case moved on): refused, cleaned up.
    real = documents.files.write

    def write_then_change_number(relative, data):
        real(relative, data)
        with docs_db.transaction() as s:
            s.execute(update(Case).where(Case.id == trip).values(data={**get_case(docs_db, trip).data,
                                                                         "batch_number": "兰外出任〔2026〕99号"}))

    documents.files.write = write_then_change_number
    with pytest.raises(Conflict):
        documents.issue(trip, "trip_batch", at=ISSUE_AT)
    assert _document_count(docs_db) == 0
    assert not any((tmp_path / "data").rglob("*.pdf"))


# -- the PDF -----------------------------------------------------------------------------------------

def test_the_pdf_prints_the_fields_with_embedded_noto_cjk_fonts_and_a_qr_code(docs_db, documents, trip, tmp_path):
    doc = documents.issue(trip, "trip_batch", at=ISSUE_AT).document
    stored = tmp_path / "data" / "documents" / str(trip) / f"trip_batch-{doc.code}.pdf"
    assert stored.is_file()  # under the data directory, not in the web app's static files
    view, data = documents.pdf(FAO_CLERK, trip, doc.id)
    assert data == stored.read_bytes() and data.startswith(b"%PDF-")

    text = pdf_text(stored)
    squashed = "".join(text.split())
    for expected in ("出国（境）任务批件", "兰外出任〔2026〕1号", "兰州市商务局赴德国经贸洽谈团",
                     "张伟", "李娜", "王强", "德国5天", "停留时间包含抵离境当日", "以下空白", "汉堡商会",
                     "市商务局部门预算",
                     "2026年4月20日", "2026年4月24日", "兰州市人民政府外事办公室", "出国任务审批专用章", "2026年3月2日",
                     "抄送", "甘肃省人民政府外事办公室（备案）", codes.grouped(doc.code), doc.verify_url):
        assert "".join(expected.split()) in squashed, expected

    fonts = pdf_fonts(stored)
    cjk = [name for name, embedded in fonts if "CJK" in name and embedded == "yes"]
    assert any("Noto-Serif-CJK" in name for name in cjk), fonts
    assert all(embedded == "yes" for _, embedded in fonts), fonts

    pages = tmp_path / "pages"
    pages.mkdir()
    assert qr_codes(stored, pages) == [doc.verify_url]


def test_visa_notice_prints_the_letter_and_the_public_view_hides_the_invitees(docs_db, documents, tmp_path):
    service = CaseService(docs_db)
    case_id = start_visa_case(service, ISSUE_AT)
    item = open_item(docs_db, case_id, "ut_visa_notice")
    service.complete_task("fao_clerk", case_id, item.task_id, {}, expected_version=item.version,
                          at=ISSUE_AT + timedelta(minutes=1))
    assert get_case(docs_db, case_id).data["visa_notice_number"] == "兰外签通〔2026〕第1号"

    [issued] = documents.issue_due(case_id, at=ISSUE_AT + timedelta(minutes=2))
    doc = issued.document
    assert (doc.kind, doc.number) == ("visa_notice", "兰外签通〔2026〕第1号")
    _, data = documents.pdf(COMMERCE_CLERK, case_id, doc.id)
    squashed = "".join(pdf_text(_write(tmp_path, "visa.pdf", data)).split())
    for expected in ("签证通知函", "兰外签通〔2026〕第1号", "中华人民共和国驻德国大使馆签证处：", "应兰州市商务局邀请",
                     "下列德国人员拟于2026年7月1日前后来华", "在华停留6天",
                     "请予办理F字签证，一次入境，有效期3个月，每次停留30天", "请予礼遇",
                     "MUELLER", "SCHMIDT", "公务护照", "C01X00T47", "普通护照", "C7Y4K2P90", "1981年9月15日",
                     "以下空白", "由兰州市商务局负担", "王经办0931-8451234", "孙经办0931-8888888", "签证通知专用章",
                     "抄送：兰州市商务局", codes.grouped(doc.code)):
        assert expected in squashed, expected

    public = documents.public(doc.code)
    assert public.title_line == VISA_DATA["visa_notice_addressee"]
    shown = json.dumps([str(getattr(public, f.name)) for f in fields(PublicDocument)], ensure_ascii=False)
    for private in ("MUELLER", "SCHMIDT", "C01X00T47", "1968-04-02", "Bürgermeister", "王经办"):
        assert private not in shown


def test_rendering_is_deterministic_across_processes(docs_db, documents, trip):
    doc = documents.issue(trip, "trip_batch", at=ISSUE_AT).document
    with docs_db.read() as s:
        snapshot = s.get(Document, doc.id).snapshot
    script = ("import hashlib, json, sys\nfrom engine.documents.render import render_pdf\n"
              "a = json.loads(sys.argv[1])\n"
              "print(hashlib.sha256(render_pdf(a['kind'], a['snapshot'], a['code'], a['url'])).hexdigest())")
    arg = json.dumps({"kind": "trip_batch", "snapshot": snapshot, "code": doc.code, "url": doc.verify_url})
    out = subprocess.run([sys.executable, "-c", script, arg], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == doc.sha256


def test_regenerating_keeps_number_code_and_hash(docs_db, documents, trip, tmp_path):
    doc = documents.issue(trip, "trip_batch", at=ISSUE_AT).document
    stored = tmp_path / "data" / "documents" / str(trip) / f"trip_batch-{doc.code}.pdf"
    original = stored.read_bytes()
    seq = get_case(docs_db, trip).seq

    again = documents.regenerate(doc.id, at=ISSUE_AT + timedelta(days=30))
    assert not again.changed and again.document == doc
    assert stored.read_bytes() == original

    stored.unlink()  # a lost file is rendered again on download, byte for byte
    _, data = documents.pdf(COMMERCE_CLERK, trip, doc.id)
    assert data == original and stored.read_bytes() == original
    stored.write_bytes(original[:-100] + b"x" * 100)  # a damaged one too
    assert documents.pdf(FAO_CLERK, trip, doc.id)[1] == original

    assert get_case(docs_db, trip).seq == seq  # nothing changed, so nothing was recorded
    assert documents.get(FAO_CLERK, trip, doc.id) == doc


def test_a_changed_rendering_records_the_new_hash_and_the_old_stays_genuine(docs_db, documents, trip):
    doc = documents.issue(trip, "trip_batch", at=ISSUE_AT).document
    _, original = documents.pdf(FAO_CLERK, trip, doc.id)
    with docs_db.transaction() as s:  # as if the template had changed since the document was issued
        row = s.get(Document, doc.id)
        row.snapshot = {**row.snapshot, "stay_note": "停留时间包含抵、离境当日"}

    result = documents.regenerate(doc.id, username="fao_clerk", at=ISSUE_AT + timedelta(days=1))
    assert result.changed
    new = result.document
    assert (new.number, new.code, new.verify_url) == (doc.number, doc.code, doc.verify_url)
    assert new.sha256 != doc.sha256 and new.earlier_sha256 == (doc.sha256,)
    last = events(docs_db, trip)[-1]
    assert (last.command, last.actor, last.payload["action"]) == ("document", "fao_clerk", "regenerate")
    assert (last.payload["previous_sha256"], last.payload["sha256"]) == (doc.sha256, new.sha256)

    assert documents.check(doc.code, original).outcome == "genuine_earlier"
    assert documents.check(doc.code, documents.pdf(FAO_CLERK, trip, doc.id)[1]).outcome == "genuine"


# -- reading and verification ------------------------------------------------------------------------

def test_case_readers_only(docs_db, documents, trip):
    doc = documents.issue(trip, "trip_batch", at=ISSUE_AT).document
    assert [d.id for d in documents.for_case(COMMERCE_CLERK, trip)] == [doc.id]
    auditor = Actor("auditor", frozenset({"auditor"}), None)
    assert documents.pdf(auditor, trip, doc.id)[1].startswith(b"%PDF")
    with pytest.raises(Forbidden):
        documents.for_case(EDUCATION_CLERK, trip)
    with pytest.raises(Forbidden):
        documents.pdf(EDUCATION_CLERK, trip, doc.id)


def test_verification_by_code_number_and_bytes(docs_db, documents, trip):
    doc = documents.issue(trip, "trip_batch", at=ISSUE_AT).document
    _, original = documents.pdf(FAO_CLERK, trip, doc.id)

    public = documents.public(doc.code)
    assert (public.number, public.case_id, public.sha256, public.kind) == (doc.number, trip, doc.sha256, "trip_batch")
    assert documents.public(codes.grouped(doc.code).lower()) == public  # as people type it
    assert documents.public("ZZZZZZZZZZ" if doc.code != "ZZZZZZZZZZ" else "YYYYYYYYYY") is None
    assert documents.public("not a code") is None and documents.public("") is None

    assert documents.lookup("兰外出任〔2026〕1号", doc.code) == public
    assert documents.lookup("兰外出任[2026]1号", doc.code.lower()) == public
    assert documents.lookup("兰外出任〔2026〕2号", doc.code) is None

    assert documents.check(doc.code, original).outcome == "genuine"
    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 0x01
    assert documents.check(doc.code, bytes(flipped)).outcome == "mismatch"
    # A PDF whose number text was changed: the same document rendered with another number.
    with docs_db.read() as s:
        snapshot = s.get(Document, doc.id).snapshot
    forged = render_pdf("trip_batch", {**snapshot, "number": "兰外出任〔2026〕8号"}, doc.code, doc.verify_url)
    verdict = documents.check(doc.code, forged)
    assert verdict.outcome == "mismatch" and not verdict.genuine and verdict.sha256 != doc.sha256


def test_codes_are_long_random_and_forgiving_to_read():
    drawn = {codes.new_code() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(len(c) == 10 and set(c) <= set(codes.ALPHABET) for c in drawn)
    assert codes.normalise("abcde-fghjk") == "ABCDEFGHJK"
    assert codes.normalise(" 0O1IL ab cd e") == "00111ABCDE"
    assert codes.normalise("ABCDEFGHJ") is None and codes.normalise("ABCDEFGHJKU") is None
    assert codes.grouped("ABCDEFGHJK") == "ABCDE-FGHJK"


def test_every_kind_builds_from_the_contract_fields_alone():
    # A case whose script kept no document dict still prints from the application's contract fields.
    data = {"batch_number": "兰外出任〔2026〕5号", "delegation_name": "测试团", "trip_purpose": "考察",
            "itinerary": [{"country": "HK", "days": 2, "transit": False},
                          {"country": "FR", "days": 3, "transit": True}],
            "members": [{"name": "甲", "sex": "male", "role_in_delegation": "head"}],
            "inviter": {"name_zh": "某协会", "name_foreign": "Some Association"}, "applicant_unit": "兰州市教育局"}
    snap = KINDS["trip_batch"].build(data)
    assert [c["name"] for c in snap["countries"]] == ["中国香港", "法国"]
    assert (snap["head"], snap["inviter"], snap["number"]) == ("甲", "某协会 / Some Association", "兰外出任〔2026〕5号")
    assert snap["copies"] == ["甘肃省人民政府外事办公室（备案）", "兰州市教育局"]


def test_without_a_chinese_font_no_pdf_is_made(tmp_path, monkeypatch):
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "none"}</dir>'
                    f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    render_module.cjk_font_families.cache_clear()
    try:
        with pytest.raises(NoCJKFont):
            render_module.require_cjk_font()
    finally:
        monkeypatch.delenv("FONTCONFIG_FILE")
        render_module.cjk_font_families.cache_clear()
    render_module.require_cjk_font()  # the machine's fonts are back
    assert any("Noto" in f for f in render_module.cjk_font_families())


def test_document_events_are_in_the_chain_and_tampering_shows(docs_db, documents, trip):
    documents.issue(trip, "trip_batch", at=ISSUE_AT)

    _bypass_triggers(docs_db, "UPDATE audit_events SET actor = 'mallory' WHERE case_id = :c AND command = 'document'",
                     {"c": trip})
    report = verify(docs_db, trip)
    assert not report.ok and any("edited" in f.message for f in report.findings)
    with docs_db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.command == "document")) == 1
