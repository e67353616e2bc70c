"""The auditor's PDF report of one case: the case, its diagram with the path taken, the
verification result and the seal it was checked against, and every event — who, in which role,
what was submitted and what changed. Plain Jinja (no Flask) → WeasyPrint with the Noto CJK fonts,
as engine/documents/render.py renders the official documents: A4, page numbers in the footer, only
`data:` URLs fetched (the diagram), so nothing in a case can make the renderer read a file or the
network. Labels are Chinese or English by `lang`; times are Beijing time.

The input is built by engine/audit/report_data.py; rendering is a pure function of it.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from engine.audit.svg import render_svg
from engine.documents.render import require_cjk_font
from engine.errors import WaishiError
from engine.roles import ROLES
from engine.runtime.state import canonical_json
from engine.sandbox.helpers import CHINA_TZ

MAX_VALUE = 200  # characters of one submitted or changed value; longer ones end in …


@dataclass(frozen=True)
class ReportEvent:
    seq: int
    at: datetime  # UTC-aware; shown in Beijing time
    actor: str
    actor_name: str | None
    role: str | None  # role code
    command: str
    task_name: str | None
    submitted: dict[str, Any]  # data submitted with the command
    changes: list[tuple[str, str, Any, Any]]  # (added|changed|removed, field, before, after)
    hash: str
    state_hash: str


@dataclass(frozen=True)
class ReportSeal:
    seal_id: int
    sealed_at: datetime
    key_id: str
    covered_seq: int  # this case's chain head covered by the seal


@dataclass(frozen=True)
class CaseAuditReport:
    case_id: int
    process_id: str
    process_name: str
    version: int
    content_hash: str
    unit: str | None
    title: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    bpmn: bytes
    states: dict[str, str]
    flows: frozenset[str]
    events: list[ReportEvent]
    verified_ok: bool
    findings: list[str]
    checked_events: int
    seal: ReportSeal | None  # None: no seal covers this case yet
    generated_at: datetime
    generated_by: str
    lang: str  # "zh" or "en"


WORDS: dict[str, tuple[str, str]] = {
    "title": ("审计报告", "Audit report"),
    "subtitle": ("案件审计报告（事件链、重新执行与封印核验）", "Case audit: event chain, re-execution and seal"),
    "case": ("案件编号", "Case"),
    "case_short": ("案件", "Case"),
    "process": ("流程", "Process"),
    "version": ("版本", "version"),
    "unit": ("申请单位", "Unit"),
    "subject": ("事由", "Title"),
    "status": ("状态", "Status"),
    "started": ("发起时间", "Started"),
    "ended": ("结束时间", "Ended"),
    "diagram": ("流程图与所走路径", "Diagram and the path taken"),
    "no_diagram": ("无法绘制流程图：{reason}", "The diagram cannot be drawn: {reason}"),
    "legend_completed": ("已完成", "Completed"),
    "legend_current": ("进行中", "Current"),
    "legend_cancelled": ("已取消", "Cancelled"),
    "legend_flow": ("已走过的顺序流", "Sequence flow taken"),
    "verification": ("验证结果", "Verification"),
    "passed": ("通过", "Passed"),
    "failed": ("未通过", "Failed"),
    "passed_text": ("事件链完整，重新执行与记录一致，未发现篡改。",
                    "The event chain is intact and re-execution matches the record: no tampering found."),
    "failed_text": ("发现以下问题：", "Verification found:"),
    "checked": ("核查事件数", "Events checked"),
    "colon": ("：", ": "),
    "seal": ("封印", "Seal"),
    "seal_id": ("封印编号", "Seal"),
    "sealed_at": ("封印时间", "Sealed at"),
    "key_id": ("签名密钥", "Signing key"),
    "covered": ("覆盖事件", "Events covered"),
    "covered_value": ("第 1–{seq} 个事件（共 {total} 个）", "1–{seq} of {total}"),
    "uncovered": ("其后 {n} 个事件尚未被封印覆盖。", "The {n} later event(s) are not covered by a seal yet."),
    "no_seal": ("尚无封印覆盖此案件", "No seal covers this case yet"),
    "events": ("事件记录", "Events"),
    "no_events": ("没有事件。", "No events."),
    "seq": ("序号", "#"),
    "when": ("时间", "When"),
    "who": ("办理人", "Who"),
    "role": ("角色", "Role"),
    "what": ("操作", "Command"),
    "data": ("提交数据与变化", "Submitted data and changes"),
    "submitted": ("提交", "Submitted"),
    "changes": ("变化", "Changes"),
    "removed": ("（删除）", "(removed)"),
    "empty": ("（空）", "(empty)"),
    "system": ("系统", "System"),
    "times": ("时间均为北京时间（UTC+8）。", "Times are Beijing time (UTC+8)."),
    "generated": ("本报告由 {by} 于 {at} 生成。", "Generated at {at} by {by}."),
    "running": ("办理中", "Running"),
    "completed": ("已办结", "Completed"),
    "cancelled": ("已撤销", "Cancelled"),
}

COMMANDS: dict[str, tuple[str, str]] = {
    "start": ("发起", "Start"), "complete": ("办理", "Complete"), "claim": ("认领", "Claim"),
    "release": ("释放", "Release"), "fire_timers": ("定时器触发", "Timers fired"),
    "deliver_message": ("收到消息", "Message received"), "cancel": ("撤销", "Cancel"),
    "comment": ("意见", "Comment"), "attach": ("附件", "Attachment"), "document": ("签发文书", "Document issued"),
    "migrate": ("迁移", "Migrate"),
}


class ReportFailed(WaishiError):
    """WeasyPrint could not lay the report out (a broken font, an unreadable image)."""

    code = "report_failed"
    http_status = 500


def words(lang: str) -> dict[str, str]:
    """The report's labels in one language (Chinese unless `lang` is English)."""
    i = 1 if lang.startswith("en") else 0
    return {k: v[i] for k, v in WORDS.items()}


def command_label(command: str, lang: str) -> str:
    zh, en = COMMANDS.get(command, (command, command))
    return en if lang.startswith("en") else zh


def role_label(role: str | None, lang: str) -> str:
    if not role:
        return "—"
    zh, en = ROLES.get(role, (role, role))
    return en if lang.startswith("en") else zh


def beijing(at: datetime | None) -> str:
    """An instant as Beijing time; a naive one is taken as UTC, as the database stores them."""
    if at is None:
        return "—"
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def value_text(value: Any, lang: str = "zh") -> str:
    """One value, compact: text as is, the rest as JSON, at most MAX_VALUE characters."""
    if value is None or value == "":
        return words(lang)["empty"]
    text = value if isinstance(value, str) else canonical_json(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _css_string(value: Any) -> Markup:
    """A value inside a CSS string literal in <style>: no quote, backslash or newline can end the
    string and no < can end the style element (HTML escaping does not apply there)."""
    text = str(value).replace("\\", "").replace('"', "”").replace("<", "‹").replace(">", "›")
    return Markup(" ".join(text.split()))


def _diagram(report: CaseAuditReport, w: dict[str, str]) -> tuple[str | None, str | None]:
    """(data: URI of the SVG, None), or (None, why there is no diagram)."""
    try:
        svg = render_svg(report.bpmn, report.process_id, states=report.states, flows=report.flows,
                         title=report.process_name, lang=report.lang)
    except WaishiError as exc:
        return None, w["no_diagram"].format(reason=exc.text(report.lang))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(), None


@functools.cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("engine.audit", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(css_string=_css_string)
    return env


def render_html(report: CaseAuditReport) -> str:
    w = words(report.lang)
    lang = report.lang
    diagram, no_diagram = _diagram(report, w)
    last_seq = max((e.seq for e in report.events), default=0)
    return _env().get_template("case_report.html").render(
        r=report, w=w, diagram=diagram, no_diagram=no_diagram, last_seq=last_seq,
        status=w.get(report.status, report.status), when=beijing,
        command=lambda c: command_label(c, lang), role=lambda c: role_label(c, lang),
        value=lambda v: value_text(v, lang),
        actor=lambda e: w["system"] if e.actor == "system" and not e.actor_name else e.actor_name or e.actor)


def render_report_pdf(report: CaseAuditReport) -> bytes:
    """The PDF bytes of the report (A4, Noto CJK embedded)."""
    from weasyprint import HTML  # imported late: it loads Pango and the fonts
    from weasyprint.urls import URLFetcher

    require_cjk_font()
    html = render_html(report)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    try:
        return HTML(string=html, url_fetcher=fetcher).write_pdf()
    except Exception as exc:  # noqa: BLE001 — a layout failure is a message, not a traceback
        raise ReportFailed("审计报告生成失败，请联系系统管理员", f"The audit report could not be made: {exc}") from exc
