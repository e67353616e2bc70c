"""HTML → PDF for official documents: plain Jinja templates (no Flask) rendered by WeasyPrint with
the Noto CJK fonts, and a QR code (segno, inline SVG) leading to the public verification page.

Rendering is a pure function of (kind, snapshot, code, verify URL): no clock, no network, no
files other than the fonts. WeasyPrint writes no creation date unless told and names font subsets
after their content, so the same input gives the same bytes — and so the same sha256 — in every
process (tests/test_documents.py checks it). The PDF's creation date is the snapshot's issue date.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Any

import segno
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.documents import codes, wording
from engine.documents.kinds import KINDS
from engine.errors import WaishiError


class NoCJKFont(WaishiError):
    """Without a Chinese font WeasyPrint silently prints empty boxes: refuse instead."""

    code = "no_cjk_font"
    http_status = 500


@functools.cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("engine.documents", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(cn_date=wording.cn_date, grouped=codes.grouped, css_string=_css_string)
    return env


def _css_string(value: Any) -> str:
    """A value inside a CSS string literal ("…"): no quote, backslash or newline can end it."""
    return str(value).replace("\\", "").replace('"', "”").replace("\n", " ").replace("<", "").replace(">", "")


@functools.cache
def cjk_font_families() -> tuple[str, ...]:
    """The fontconfig families covering Chinese (empty if fontconfig's tool is not installed)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30,
                         check=False).stdout
    return tuple(sorted({f.strip() for line in out.splitlines() for f in line.split(",") if f.strip()}))


def require_cjk_font() -> None:
    if shutil.which("fc-list") is not None and not any("CJK" in f for f in cjk_font_families()):
        raise NoCJKFont("服务器未安装中文字体（fonts-noto-cjk），无法生成公文 PDF；请运行 scripts/system-deps.sh",
                        "No Chinese font (fonts-noto-cjk) is installed on the server, so the PDF cannot be "
                        "made; run scripts/system-deps.sh")


def qr_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


def render_html(kind: str, snapshot: dict[str, Any], code: str, verify_url: str) -> str:
    spec = KINDS[kind]
    return _env().get_template(spec.template).render(
        doc=snapshot, kind=spec, code=code, verify_url=verify_url, qr=qr_svg_data_uri(verify_url))


def render_pdf(kind: str, snapshot: dict[str, Any], code: str, verify_url: str) -> bytes:
    """The PDF bytes of one document."""
    from weasyprint import HTML  # imported late: it loads Pango and the fonts
    from weasyprint.urls import URLFetcher

    require_cjk_font()
    # Only the inline QR image (a data: URI): never the network, never a file; a failure stops.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    html = render_html(kind, snapshot, code, verify_url)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
