"""因公临时出国人员备案表 (FAO-DOMAIN §4.3): one PDF per member, numbered and issued with the 任务批件
from trip_staff's issuing step, printing the member's filing fields (family members included) and
the last official trip from the person register; verifiable like the other documents, and its
public view shows no member's name."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.documents import DocumentService
from engine.documents.kinds import KINDS
from engine.persons.register import add_prior_trip
from engine.runtime.actors import Actor
from engine.scenarios import default_definitions, deploy_definitions, parse_scenario, run_scenario
from engine.storage.models import Document
from tests.conftest import TESTS
from tests.documents_support import (
    HAPPY,
    ISSUE_AT,
    LEADER_STEP,
    deploy_document_processes,
    happy_raw,
    pdf_text,
    qr_codes,
)
from tests.helpers import get_case

FAO_CLERK = Actor("fao_clerk", frozenset({"fao_clerk"}), "fao")
FAMILY = [
    {"relation": "配偶", "name": "刘芳", "age": 49, "political_status": "cpc_member",
     "employer_post": "兰州市第一人民医院 主任医师", "residence": "兰州市城关区", "abroad": False,
     "foreign_status": "none"},
    {"relation": "儿子", "name": "张明", "age": 24, "political_status": "cyl_member",
     "employer_post": "慕尼黑工业大学 学生", "residence": "德国慕尼黑", "abroad": True,
     "foreign_status": "long_term_residence"},
]


@pytest.fixture
def docs_db(db):
    deploy_document_processes(db)
    return db


@pytest.fixture
def documents(docs_db, tmp_path):
    return DocumentService(docs_db, data_dir=tmp_path / "data", public_url="https://waishi.example.gov.cn")


@pytest.fixture
def trip(docs_db):
    """The happy trip, its head with every filing field and two family members, and an earlier trip
    of the head in the person register; run up to the leader's approval."""
    with docs_db.transaction() as s:
        add_prior_trip(s, {"id_card_no": "620102197505122018", "name": "张伟", "unit": "兰州市商务局",
                           "rank": "county", "countries": ["FR"], "departure_date": "2024-09-10",
                           "return_date": "2024-09-15", "passport_returned_on": "2024-09-18",
                           "task": "出席中法友好城市论坛"}, ISSUE_AT, "登记")
    raw = happy_raw()
    raw["steps"] = raw["steps"][:LEADER_STEP]
    raw.pop("expect", None)
    head = raw["steps"][0]["data"]["members"][0]
    head.update(political_status="cpc_member", health="健康", classified=True, classified_level="core",
                classified_annual_review=True, family_members=FAMILY)
    second = raw["steps"][0]["data"]["members"][1]
    second.update(political_status="masses", health="良好", declassified_level="general",
                  declassified_until="2026-12-31")
    result = run_scenario(parse_scenario(raw, source=HAPPY), docs_db)
    assert result.ok, result.report("en")
    return result.case_id


def test_one_filing_form_per_member_is_due_and_issued_with_the_batch(docs_db, documents, trip):
    data = get_case(docs_db, trip).data
    filings = data["personnel_filing_document"]["filings"]
    assert [f["number"] for f in filings] == ["兰外备〔2026〕1号", "兰外备〔2026〕2号", "兰外备〔2026〕3号"]
    assert filings[0]["last_trip"] == {"departure_date": "2024-09-10", "return_date": "2024-09-15",
                                       "countries": ["FR"], "task": "出席中法友好城市论坛"}
    assert filings[1]["last_trip"] is None
    assert documents.due(trip) == ["trip_batch", "personnel_filing"]
    assert documents.due_documents(trip) == [("trip_batch", ""), ("personnel_filing", "1"),
                                             ("personnel_filing", "2"), ("personnel_filing", "3")]

    issued = documents.issue_due(trip, at=ISSUE_AT)
    assert [(i.document.kind, i.document.subject, i.created) for i in issued] == [
        ("trip_batch", "", True), ("personnel_filing", "1", True), ("personnel_filing", "2", True),
        ("personnel_filing", "3", True)]
    assert documents.due_documents(trip) == [] and documents.issue_due(trip) == []
    again = documents.issue(trip, "personnel_filing", subject="2", username="fao_clerk")
    assert not again.created and again.document == issued[2].document
    listed = documents.for_case(FAO_CLERK, trip)
    assert [(d.kind, d.number) for d in listed] == [
        ("trip_batch", "兰外出任〔2026〕1号"), ("personnel_filing", "兰外备〔2026〕1号"),
        ("personnel_filing", "兰外备〔2026〕2号"), ("personnel_filing", "兰外备〔2026〕3号")]
    # The register now knows this trip's task too, for the next 备案表.
    with docs_db.read() as s:
        from engine.storage.person_models import PersonTrip
        tasks = set(s.scalars(select(PersonTrip.task).where(PersonTrip.case_id == trip)))
    assert tasks == {data["trip_purpose"]}


def test_the_pdf_prints_the_filing_fields_and_verifies(docs_db, documents, trip, tmp_path):
    issued = documents.issue_due(trip, at=ISSUE_AT)
    head = next(i.document for i in issued if i.document.subject == "1")
    second = next(i.document for i in issued if i.document.subject == "2")
    view, data = documents.pdf(FAO_CLERK, trip, head.id)
    path = tmp_path / "head.pdf"
    path.write_bytes(data)
    squashed = "".join(pdf_text(path).split())
    for expected in ("因公临时出国人员备案表", "兰外备〔2026〕1号", "张伟", "男", "1975年5月", "中共党员", "健康",
                     "兰州市商务局", "副局长", "团长", "核心", "家庭主要成员", "配偶", "刘芳", "49",
                     "兰州市第一人民医院", "慕尼黑工业大学", "德国慕尼黑", "已取得境外长期居留许可", "共青团员",
                     "于2026年4月20日至2026年4月24日赴德国停留5天开展参加汉堡中德经贸合作洽谈会",
                     "兰州市人民政府外事办公室兰外出任〔2026〕1号", "2024年9月10日，法国，出席中法友好城市论坛",
                     "人员派出单位意见", "负责人签字", "（盖章）",
                     "本表由出国人员所在单位填写，按照干部管理权限，报组织人事部门备案，并抄报外事审批部门。",
                     head.verify_url):
        assert "".join(expected.split()) in squashed, expected
    assert "李娜" not in squashed  # one member per form
    pages = tmp_path / "pages"
    pages.mkdir()
    assert qr_codes(path, pages) == [head.verify_url]

    _, other = documents.pdf(FAO_CLERK, trip, second.id)
    path2 = tmp_path / "second.pdf"
    path2.write_bytes(other)
    squashed2 = "".join(pdf_text(path2).split())
    for expected in ("李娜", "女", "1985年8月", "群众", "良好", "原单位涉密等级：一般；脱密期至：2026年12月", "团员"):
        assert expected in squashed2, expected
    with docs_db.read() as s:
        assert s.get(Document, second.id).snapshot["last_trip"] == "无"  # no earlier trip on record

    # Public verification: number, code, bytes; the public view names the delegation, not the member.
    public = documents.lookup("兰外备〔2026〕1号", head.code)
    assert public is not None and public.kind == "personnel_filing"
    assert public.title_line == "兰州市商务局赴德国经贸洽谈团（第1份，共3份）"
    assert "张伟" not in repr(public)
    assert documents.check(head.code, data).outcome == "genuine"
    assert documents.check(head.code, other).outcome == "mismatch"


def test_old_cases_and_missing_fields_still_print():
    # A member entered before the filing fields existed: blanks and dashes, never an error.
    data = {"delegation_name": "测试团", "personnel_filing_document": {
        "filings": [{"number": "兰外备〔2026〕9号", "name": "甲", "sex": "female", "classified": False}],
        "countries": [{"country": "FR", "days": 3, "transit": False}], "days_abroad": 3,
        "departure_date": str(date(2026, 5, 1)), "return_date": str(date(2026, 5, 1) + timedelta(days=2))}}
    spec = KINDS["personnel_filing"]
    assert spec.numbers_in(data) == {"1": "兰外备〔2026〕9号"}
    snap = spec.snapshot(data, "1")
    assert (snap["name"], snap["sex"], snap["classified_level"], snap["last_trip"], snap["family"]) == (
        "甲", "女", "—", "无", [])
    assert snap["trip_sentence"].startswith("于2026年5月1日至2026年5月3日赴法国停留3天")
    assert spec.numbers_in({}) == {} and KINDS["trip_batch"].numbers_in({"batch_number": "x"}) == {"": "x"}


def test_the_documents_table_allows_one_per_member(docs_db, documents, trip):
    documents.issue_due(trip, at=ISSUE_AT)
    with docs_db.read() as s:
        rows = s.execute(select(Document.kind, Document.subject).where(Document.case_id == trip)
                         .order_by(Document.id)).all()
    assert [tuple(r) for r in rows] == [("trip_batch", ""), ("personnel_filing", "1"), ("personnel_filing", "2"),
                                        ("personnel_filing", "3")]


def test_trip_leader_numbers_a_filing_form_per_member_with_the_provinces_approval(docs_db, documents):
    deploy_definitions(docs_db, default_definitions())
    path = TESTS.parent / "processes" / "scenarios" / "trip_leader_province_approved.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    result = run_scenario(parse_scenario(raw, source=path), docs_db)
    assert result.ok, result.report("en")
    data = get_case(docs_db, result.case_id).data
    doc = data["personnel_filing_document"]
    assert doc["batch_number"] == data["batch_number"] and doc["approving_body"] == data["reply_authority"]
    subjects = [s for k, s in documents.due_documents(result.case_id) if k == "personnel_filing"]
    assert subjects == [str(k) for k in range(1, len(data["members"]) + 1)]
    issued = documents.issue(result.case_id, "personnel_filing", subject="1", at=ISSUE_AT).document
    snapshot = KINDS["personnel_filing"].snapshot(data, "1")
    assert issued.number == doc["filings"][0]["number"] and snapshot["approving_body"] == data["reply_authority"]
