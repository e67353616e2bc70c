"""The audit report PDF (engine/audit/report.py), built from hand-made data: no database. Its text
is read back with pdftotext and its fonts with pdffonts (poppler-utils)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.audit.report import (
    MAX_VALUE,
    CaseAuditReport,
    ReportEvent,
    ReportSeal,
    beijing,
    command_label,
    render_html,
    render_report_pdf,
    value_text,
)
from engine.documents.render import cjk_font_families

TRIP = (Path(__file__).resolve().parent.parent / "processes" / "trip_staff.bpmn").read_bytes()
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Beijing

needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdffonts")),
                                   reason="poppler-utils not installed")
needs_font = pytest.mark.skipif(shutil.which("fc-list") is not None and not any("CJK" in f for f in
                                                                                cjk_font_families()),
                                reason="fonts-noto-cjk not installed")


def _report(**overrides) -> CaseAuditReport:
    events = [
        ReportEvent(1, T0, "clerk_li", "李明", "unit_clerk", "start", None, {"unit": "edu"},
                    [("added", "outcome", None, "in_progress")], "a1" * 32, "b1" * 32),
        ReportEvent(2, T0 + timedelta(minutes=20), "clerk_li", "李明", "unit_clerk", "complete", "填写出访申请",
                    {"delegation_name": "市教育局赴德国教育交流团", "days": 6, "itinerary": "柏林—维也纳" * 100},
                    [("changed", "outcome", "in_progress", "pending"), ("removed", "return_comment", "补充", None)],
                    "a2" * 32, "b2" * 32),
        ReportEvent(3, T0 + timedelta(days=1), "system", None, None, "fire_timers", "提醒", {}, [],
                    "a3" * 32, "b3" * 32),
    ]
    base = dict(
        case_id=4711, process_id="trip_staff", process_name="县处级及以下人员因公临时出国（境）审批", version=2,
        content_hash="0123456789abcdef" * 4, unit="市教育局", title="赴德国教育交流", status="running",
        started_at=T0, ended_at=None, bpmn=TRIP,
        states={"start": "completed", "st_init": "completed", "ut_apply": "completed", "ut_head_sign": "current"},
        flows=frozenset({"f_start", "f_init"}), events=events, verified_ok=True, findings=[], checked_events=3,
        seal=ReportSeal(7, T0 + timedelta(hours=5), "k-3f9a1c2e", 2),
        generated_at=datetime(2026, 3, 5, 2, 0, tzinfo=UTC), generated_by="赵敏 (auditor_zhao)", lang="zh")
    base.update(overrides)
    return CaseAuditReport(**base)


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _squeeze(text: str) -> str:
    return "".join(text.split())


@needs_poppler
@needs_font
def test_the_pdf_has_the_case_the_actors_the_verdict_and_embedded_noto_cjk(tmp_path):
    pdf = render_report_pdf(_report())
    assert pdf.startswith(b"%PDF-")
    text = _squeeze(_pdf_text(pdf, tmp_path))
    assert "审计报告" in text and "4711" in text
    assert "李明" in text and "(clerk_li)" in text and "申请单位经办人（外事专办员）" in text
    assert "通过" in text and "未通过" not in text
    assert "发起" in text and "办理" in text and "定时器触发" in text and "系统" in text
    assert "填写出访申请" in text  # in the event table and in the diagram
    assert "2026-03-0209:30:00" in text  # Beijing time
    assert "0123456789ab" in text and "0123456789abc" not in text
    assert "#7" in text and "k-3f9a1c2e" in text and "第1–2个事件（共3个）" in text
    assert "in_progress→pending" in text
    assert "第1页/共" in text and "赵敏(auditor_zhao)" in text
    (tmp_path / "fonts.pdf").write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True,
                           check=True).stdout
    rows = [line for line in fonts.splitlines() if "Noto" in line and "CJK" in line]
    assert rows and all(" yes " in row for row in rows)


@needs_poppler
@needs_font
def test_a_failed_verification_lists_its_findings_and_says_when_no_seal_covers_the_case(tmp_path):
    report = _report(verified_ok=False, seal=None, findings=["事件被篡改 · case:4711 · 2: 哈希不符"])
    text = _squeeze(_pdf_text(render_report_pdf(report), tmp_path))
    assert "未通过" in text and "事件被篡改·case:4711·2:哈希不符" in text
    assert "尚无封印覆盖此案件" in text


@needs_poppler
@needs_font
def test_english_labels(tmp_path):
    text = _pdf_text(render_report_pdf(_report(lang="en", verified_ok=False, seal=None)), tmp_path)
    assert "Audit report" in text and "Failed" in text and "No seal covers this case yet" in text
    assert "Page 1 of" in text and "Timers fired" in text and "Unit clerk" in text
    assert "审计报告" not in text


def test_values_are_escaped_and_truncated():
    hostile = '<img src="http://example.com/x.png"> & </style>'
    event = ReportEvent(1, T0, "x<y", None, "nope", "custom_cmd", hostile, {hostile: hostile},
                        [("changed", "f", "a" * 500, None)], "c" * 64, "d" * 64)
    html = render_html(_report(events=[event], title=hostile, process_name=hostile, unit=None,
                               findings=[hostile], verified_ok=False))
    assert "<img src=\"http" not in html and html.count("</style>") == 1
    assert "&lt;img" in html and "x&lt;y" in html and "custom_cmd" in html
    assert "a" * MAX_VALUE not in html and "a" * (MAX_VALUE - 1) + "…" in html
    assert len(value_text("x" * 1000)) == MAX_VALUE and value_text(None) == "（空）"
    assert value_text({"b": 1, "a": [1, 2]}, "en") == '{"a":[1,2],"b":1}'


def test_a_diagram_that_cannot_be_drawn_is_said_not_raised():
    html = render_html(_report(bpmn=TRIP, process_id="not_there"))
    assert "无法绘制流程图" in html and "data:image/svg+xml" not in html
    assert "data:image/svg+xml;base64," in render_html(_report())


def test_labels_and_times():
    assert command_label("fire_timers", "zh") == "定时器触发" and command_label("migrate", "zh") == "迁移"
    assert command_label("deliver_message", "en") == "Message received"
    assert command_label("unknown", "zh") == "unknown"
    assert beijing(datetime(2026, 1, 1, 16, 0, tzinfo=UTC)) == "2026-01-02 00:00:00"
    assert beijing(datetime(2026, 1, 1, 16, 0)) == "2026-01-02 00:00:00"  # naive = UTC
    assert beijing(None) == "—"


def test_the_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _report().case_id = 1  # type: ignore[misc]
