"""Hardened XML parsing for uploaded BPMN and DMN files.

SpiffWorkflow parses with lxml's process-wide default parser, whose entity handling depends on
the lxml version and on whatever any other library set as default. So uploads are parsed here
only, with a private parser that never loads a DTD, never resolves entities and never touches
the network, and SpiffWorkflow is handed the finished tree.
"""

from __future__ import annotations

import io
import re

from lxml import etree

from engine.definitions import kinds, namespaces
from engine.definitions.problems import XML, line_of, problem
from engine.errors import DefinitionInvalid, Problem

MAX_XML_BYTES = 5 * 1024 * 1024

# How much of the file the DOCTYPE pre-scan decodes; a prolog longer than this is caught by the
# post-parse check instead.
_PROLOG_SCAN_BYTES = 64 * 1024

_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF87a", "GIF 图片", "a GIF image"),
    (b"GIF89a", "GIF 图片", "a GIF image"),
    (b"%PDF-", "PDF 文档", "a PDF document"),
    (b"PK\x03\x04", "ZIP 压缩包（或 Office 文档）", "a ZIP archive (or an Office document)"),
)

_WS = re.compile(r"\s*")


def parse_xml(
    data: bytes, filename: str, *, kind: str | None = None, max_bytes: int = MAX_XML_BYTES
) -> etree._ElementTree:
    """Parse untrusted bytes into a tree, or raise `DefinitionInvalid` with one located problem.

    `kind` ("bpmn"/"dmn") selects the required root element; by default it follows the file
    name, and a name of no known kind gets no root check.
    """
    if kind is None:
        kind = kinds.kind_of(filename)
    pre = _precheck(data, filename, max_bytes)
    if pre is not None:
        raise DefinitionInvalid([pre])
    tree = _parse(data, filename)
    wrong_root = _check_root(tree.getroot(), filename, kind)
    if wrong_root is not None:
        raise DefinitionInvalid([wrong_root])
    return tree


def _precheck(data: bytes, filename: str, max_bytes: int) -> Problem | None:
    if not isinstance(data, bytes | bytearray):
        return _xml_problem(filename, "内容不是字节串", "content is not bytes", reason="type")
    if len(data) > max_bytes:
        # Checked before anything reads the content, so an oversized upload costs nothing.
        return _xml_problem(
            filename,
            f"文件过大：{len(data)} 字节，上限 {max_bytes} 字节",
            f"file too large: {len(data)} bytes, the limit is {max_bytes} bytes",
            reason="too_large",
        )
    if not data.strip():
        return _xml_problem(filename, "文件为空，不是 XML 文档", "the file is empty, not an XML document",
                            line=1, reason="empty")
    for magic, zh, en in _MAGIC:
        if data.startswith(magic):
            return _xml_problem(filename, f"这是{zh}，不是 XML 文档", f"this is {en}, not an XML document",
                                line=1, reason="binary")
    doctype_line = _doctype_line(data)
    if doctype_line is not None:
        return _doctype_problem(filename, doctype_line)
    return None


def _parse(data: bytes, filename: str) -> etree._ElementTree:
    # A fresh parser per call: lxml parsers are not safe to share between threads.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
    )
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        where_zh = f"（第 {line} 行）" if line else ""
        where_en = f" (line {line})" if line else ""
        raise DefinitionInvalid([_xml_problem(
            filename,
            f"不是格式正确的 XML{where_zh}：{exc.msg}",
            f"not well-formed XML{where_en}: {exc.msg}",
            line=line,
            reason="syntax",
        )]) from None
    # The byte pre-scan cannot see a DOCTYPE behind an exotic encoding or a huge prolog; the
    # parser's own record of it can.
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise DefinitionInvalid([_doctype_problem(filename, None)])
    return tree


def _check_root(root: etree._Element, filename: str, kind: str | None) -> Problem | None:
    if kind not in (kinds.BPMN, kinds.DMN):
        return None
    qn = etree.QName(root)
    ns, local = qn.namespace, qn.localname
    if kind == kinds.BPMN and ns == namespaces.BPMN and local == "definitions":
        return None
    if kind == kinds.DMN and ns in namespaces.DMN_VERSIONS and local == "definitions":
        return None
    want_zh, want_en = ("BPMN 2.0 流程图", "a BPMN 2.0 diagram") if kind == kinds.BPMN else (
        "DMN 决策表", "a DMN decision table")
    what = _describe_root(ns, local)
    if what is not None:
        zh, en = what
        return _xml_problem(filename, f"这是{zh}，不是{want_zh}", f"this is {en}, not {want_en}",
                            line=line_of(root), reason="root")
    found = f"{{{ns}}}{local}" if ns else local
    if local == "definitions":
        expected = namespaces.BPMN if kind == kinds.BPMN else "DMN 1.1–1.5"
        return _xml_problem(
            filename,
            f"根元素 definitions 的命名空间不对（{ns or '无命名空间'}），应为 {expected}",
            f"the root <definitions> is not in the expected namespace ({ns or 'no namespace'}); "
            f"expected {expected}",
            line=line_of(root), reason="root",
        )
    expected_tag = "bpmn:definitions" if kind == kinds.BPMN else "dmn:definitions"
    return _xml_problem(
        filename,
        f"根元素是 <{found}>，应为 <{expected_tag}>，这不是{want_zh}",
        f"the root element is <{found}>, expected <{expected_tag}>: this is not {want_en}",
        line=line_of(root), reason="root",
    )


def _describe_root(ns: str | None, local: str) -> tuple[str, str] | None:
    if ns == namespaces.SVG or local == "svg":
        return "SVG 图片", "an SVG image"
    if ns == namespaces.XHTML or local == "html":
        return "HTML 网页", "an HTML page"
    if ns == namespaces.BPMN and local == "definitions":
        return "BPMN 流程图（请以 .bpmn 文件上传）", "a BPMN diagram (upload it as a .bpmn file)"
    if ns in namespaces.DMN_VERSIONS and local == "definitions":
        return "DMN 决策表（请以 .dmn 文件上传）", "a DMN decision table (upload it as a .dmn file)"
    return None


def _doctype_line(data: bytes) -> int | None:
    """The line of a DOCTYPE in the prolog (before the root element), else None.

    Every DTD-based attack (billion laughs, external entities, parameter entities) needs one, and
    a BPMN/DMN file never does, so refusing it outright closes the whole class before libxml2
    sees any of it.
    """
    head = _decode_head(data[:_PROLOG_SCAN_BYTES])
    pos = 0
    while pos < len(head):
        pos = _WS.match(head, pos).end()
        if head.startswith("<?", pos):
            end = head.find("?>", pos + 2)
        elif head.startswith("<!--", pos):
            end = head.find("-->", pos + 4)
        elif head[pos:pos + 9].upper() == "<!DOCTYPE":
            return head.count("\n", 0, pos) + 1
        else:
            return None
        if end < 0:
            return None
        pos = end + 2 if head.startswith("?>", end) else end + 3
    return None


def _decode_head(head: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                       (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, errors="replace")
    # Without a BOM, XML requires UTF-16/32 documents to start with "<?xml", so "<" plus NULs
    # is the whole signature (XML 1.0, appendix F).
    for start, codec in ((b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
                         (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if head.startswith(start):
            return head.decode(codec, errors="replace")
    # Markup is ASCII in every ASCII-compatible encoding, which is all the scan looks at.
    return head.decode("latin-1")


def _doctype_problem(filename: str, line: int | None) -> Problem:
    return _xml_problem(
        filename,
        "文件含 DOCTYPE/DTD 声明，已拒绝：BPMN/DMN 不需要 DTD，而 DTD 实体可被用于 XXE（读取服务器文件）"
        "或“十亿笑声”（实体膨胀）攻击",
        "the file contains a DOCTYPE/DTD declaration and is refused: BPMN/DMN never need one, and DTD "
        "entities enable XXE (reading server files) and billion-laughs (entity expansion) attacks",
        line=line,
        reason="doctype",
    )


def _xml_problem(filename: str, zh: str, en: str, *, line: int | None = None, reason: str) -> Problem:
    return problem(XML, zh, en, file=filename, line=line, reason=reason)
