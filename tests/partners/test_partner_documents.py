"""The office's documents of the new procedures, issued from real cases: the 结好请示 to the
municipal government (sister_city, after the director's approval) and the 协调意见函 of an
overseas NGO activity (ngo_activity, after the FAO's consultation) — printed with their fields
in Chinese and a QR code to the verification page, which shows no personal data."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

from engine.documents import DocumentService, codes
from engine.runtime.actors import Actor
from engine.scenarios import parse_scenario, run_scenario
from tests.documents_support import pdf_text, qr_codes
from tests.partners.conftest import SPECS
from tests.partners.test_register import SCENARIOS

FAO_CLERK = Actor("fao_clerk", frozenset({"fao_clerk"}), "fao")
EDUCATION_CLERK = Actor("clerk_education", frozenset({"unit_clerk"}), "education")
AT = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def _run(db, name: str, steps: int) -> int:
    path = SCENARIOS / f"{name}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    raw["steps"] = raw["steps"][:steps]
    raw.pop("expect", None)
    result = run_scenario(parse_scenario(raw, source=path), db, specs=SPECS, lang="en")
    assert result.ok, result.report("en")
    return result.case_id


def _text(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return "".join(pdf_text(path).split())


def test_sister_city_request_to_the_municipal_government(shipped_db, tmp_path):
    case_id = _run(shipped_db, "sister_city_approved", steps=4)  # the director approved
    documents = DocumentService(shipped_db, data_dir=tmp_path / "data", public_url="https://waishi.example.gov.cn")
    [issued] = documents.issue_due(case_id, at=AT)
    doc = issued.document
    assert (doc.kind, doc.number) == ("sister_city_request", "兰外请〔2026〕1号")
    _, data = documents.pdf(FAO_CLERK, case_id, doc.id)
    text = _text(tmp_path, "request.pdf", data)
    for expected in ("关于与日本新潟市建立友好城市关系的请示", "兰外请〔2026〕1号", "兰州市人民政府：",
                     "日本新潟市（Niigata）",
                     "2025年9月15日签署结好意向书", "SC05", "中国人民对外友好协会确认、外交部批准", "妥否，请批示",
                     "2026年3月2日", codes.grouped(doc.code)):
        assert expected in text, expected
    pages = tmp_path / "pages"
    pages.mkdir()
    assert qr_codes(tmp_path / "request.pdf", pages) == [doc.verify_url]
    assert documents.public(doc.code).title_line == "与日本新潟市建立友好城市关系"


def test_ngo_coordination_opinion_to_the_partner_unit(shipped_db, tmp_path):
    case_id = _run(shipped_db, "ngo_activity_filed", steps=3)  # the FAO gave its opinion
    documents = DocumentService(shipped_db, data_dir=tmp_path / "data", public_url="https://waishi.example.gov.cn")
    [issued] = documents.issue_due(case_id, at=AT)
    doc = issued.document
    assert (doc.kind, doc.number) == ("ngo_opinion", "兰外函〔2026〕1号")
    _, data = documents.pdf(EDUCATION_CLERK, case_id, doc.id)  # the partner unit reads its own case's letter
    text = _text(tmp_path, "opinion.pdf", data)
    for expected in ("关于境外非政府组织临时活动的协调意见函", "兰外函〔2026〕1号", "兰州大学：",
                     "英国某国际教育基金会（ExampleEducationFoundation）", "2026年4月6日至2026年4月17日",
                     "黄河流域乡村教师培训", "我办对该临时活动无异议", "本函不代替备案", "特此函复"):
        assert expected in text, expected
    public = documents.public(doc.code)
    assert public.title_line == "某国际教育基金会：黄河流域乡村教师培训"
