"""The report as a written report: HTML (plain Jinja, no Flask) → PDF with WeasyPrint and the
Noto CJK fonts; charts go in as SVG data URIs. Shared words for every rendering."""

from __future__ import annotations

import base64
import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from engine.documents.render import require_cjk_font
from engine.errors import WaishiError
from engine.reports import charts
from engine.reports.tables import change

SECTIONS = [("outbound", "一、因公出国（境）", "1. Official trips abroad"),
            ("compliance", "二、执行纪律", "2. Compliance"),
            ("inbound", "三、邀请外国人来访", "3. Invitations of foreign visitors"),
            ("processing", "四、办理时长", "4. Processing times"),
            ("trend", "五、月度趋势", "5. Monthly trend")]
WORDS = {
    "zh": {"title": "因公出国（境）和邀请外国人来访情况报告", "summary": "总体情况", "item": "项目",
           "previous": "上年同期", "change": "同比", "none": "本期无数据", "page": "第 ", "made": "生成于",
           "source": "数据来源：外事审批系统（Waishi）", "frozen_note": "定稿报告",
           "figures_hash": "数据摘要 SHA-256："},
    "en": {"title": "Report on official trips abroad and invitations of foreign visitors", "summary": "Overview",
           "item": "Item", "previous": "Last year", "change": "Change", "none": "No data in this period",
           "page": "Page ", "made": "Made", "source": "Source: the FAO approval system (Waishi)",
           "frozen_note": "Frozen report", "figures_hash": "Figures SHA-256:"},
}


class ReportFailed(WaishiError):
    code = "report_failed"
    http_status = 500


def num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{value:,}"


def pct(now: Any, before: Any) -> str:
    value = change(now, before)
    return "—" if value is None else f"{value:+g}%"


def sections(lang: str) -> list[tuple[str, str]]:
    return [(key, zh if lang == "zh" else en) for key, zh, en in SECTIONS]


def _css_string(value: Any) -> Markup:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return Markup(f'"{text}"')


@functools.cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("engine.reports", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(css_string=_css_string)
    return env


def render_html(figures: dict[str, Any], lang: str, frozen: dict[str, Any] | None = None) -> str:
    svgs = charts.by_table(charts.all_svgs(figures, lang))
    uris = {k: "data:image/svg+xml;base64," + base64.b64encode(v.encode()).decode() for k, v in svgs.items()}
    return _env().get_template("report.html").render(
        f=figures, lang=lang, w=WORDS[lang], sections=sections(lang), charts=uris, num=num, pct=pct, frozen=frozen)


def render_pdf(figures: dict[str, Any], lang: str, frozen: dict[str, Any] | None = None) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    require_cjk_font()
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    try:
        return HTML(string=render_html(figures, lang, frozen), url_fetcher=fetcher).write_pdf()
    except Exception as exc:  # noqa: BLE001 — a layout failure is a message, not a traceback
        raise ReportFailed("报告 PDF 生成失败，请联系系统管理员", f"The report PDF could not be made: {exc}") from exc
