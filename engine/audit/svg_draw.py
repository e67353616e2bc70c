"""Drawing for engine/audit/svg.py: the shapes, edges, labels and badges of a BPMN diagram as SVG
markup, and the text wrapping (CJK per character, Latin per word) the labels need.

Every colour and width is a presentation attribute (no CSS), so browsers, librsvg and WeasyPrint
draw the same picture; `node` escapes every attribute value and every text goes through `esc`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from engine.roles import ROLES

FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
MARGIN = 20
INK, PAPER, MUTED = "#333333", "#ffffff", "#c4c4c4"
GREEN, ORANGE, GREY = "#52b415", "#ff9800", "#9e9e9e"
STATES = {"completed": (GREEN, "#e8f5e0", ""), "current": (ORANGE, "#fff3e0", ""),
          "cancelled": (GREY, "#f5f5f5", "6 4")}
HEAT = ((0.0, (0xFF, 0xF7, 0xBC)), (0.5, (0xFD, 0x8D, 0x3C)), (1.0, (0xD7, 0x30, 0x1F)))
ACTIVITIES = {"callActivity", "subProcess", "transaction", "adHocSubProcess"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
CONTAINERS = {"participant", "lane"}
_NO_LINE_START, _NO_LINE_END = set("，。、；：？！）》」』】〕’”,.;:?!)]}%…"), set("（《「『【〔‘“([{")
_CJK = "\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\uffef\U00020000-\U0010ffff"
_WIDE = re.compile(f"[{_CJK}]")
_TOKEN = re.compile(f"\\s+|[{_CJK}]|[^\\s{_CJK}-]+-?|-")

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Shape:
    id: str
    kind: str
    box: Box
    name: str
    label: Box | None
    horizontal: bool = True
    expanded: bool = False
    marks: frozenset[str] = frozenset()  # event definitions ("timer", …), "noninterrupting", "eventsub"


@dataclass(frozen=True)
class Edge:
    id: str
    kind: str
    points: tuple[tuple[float, float], ...]
    name: str
    label: Box | None


# -- text -------------------------------------------------------------------------------------


def _wide(ch: str) -> bool:
    return _WIDE.fullmatch(ch) is not None


def text_width(text: str, size: float) -> float:
    em = 0.0
    for ch in text:
        em += 1.0 if _wide(ch) else 0.3 if ch in " il.,:;|!'()[]" else 0.72 if ch.isupper() or ch in "mwMW@%" \
            else 0.56
    return em * size


def _tokens(text: str) -> list[str]:
    """Each CJK character, each run of other characters, and " " for each run of white space."""
    return [" " if t.isspace() else t for t in _TOKEN.findall(text)]


def wrap(text: str, width: float, size: float = 12, max_lines: int = 6) -> list[str]:
    """Lines of at most `width` px: CJK breaks between any two characters (never before closing
    punctuation), Latin between words; a too long word is cut; more than `max_lines` ends in …"""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        cur = ""
        for tok in _tokens(para):
            if tok == " ":
                cur += " " if cur else ""
                continue
            if cur and text_width(cur + tok, size) > width and tok not in _NO_LINE_START:
                keep = cur[-1] if cur[-1] in _NO_LINE_END and len(cur) > 1 else ""  # an opening bracket moves on
                lines.append(cur[:len(cur) - len(keep)].rstrip())
                cur = keep
            while not _wide(tok) and text_width(cur + tok, size) > width and len(tok) > 1:
                cut = max(1, next((i for i in range(len(tok), 0, -1) if text_width(cur + tok[:i], size) <= width), 1))
                lines.append(cur + tok[:cut])
                cur, tok = "", tok[cut:]
            cur += tok
        if cur.strip():
            lines.append(cur.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last + "…"]
    return lines


# -- drawing ----------------------------------------------------------------------------------


def fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def node(tag: str, body: str = "", **attrs: object) -> str:
    """One element; numbers rounded, values escaped, `stroke_width` → stroke-width, `class_` → class."""
    out = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(fmt(v) if isinstance(v, float | int) else v)}"'
                  for k, v in attrs.items() if v is not None and v != "")
    return f"<{tag}{out}>{body}</{tag}>" if body else f"<{tag}{out}/>"


def _d(*parts: object) -> str:
    """Path data from commands and numbers."""
    return " ".join(p if isinstance(p, str) else fmt(p) for p in parts)  # type: ignore[arg-type]


def _text(lines: list[str], cx: float, top: float, size: float, fill: str = "#222222", anchor: str = "middle",
          **attrs: object) -> str:
    spans = "".join(node("tspan", esc(line), x=cx, y=top + size * (0.95 + i * 1.25)) for i, line in enumerate(lines))
    return node("text", spans, font_size=size, text_anchor=anchor, fill=fill, **attrs) if lines else ""


def _heat(value: float) -> str:
    v = min(1.0, max(0.0, value))
    for (a, ca), (b, cb) in zip(HEAT, HEAT[1:], strict=False):
        if v <= b:
            t = (v - a) / (b - a)
            return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))
    return "#d7301f"


def _lane_name(name: str, lang: str) -> str:
    role = ROLES.get(name)
    return (role[1] if lang.startswith("en") else role[0]) if role else name


def _container(s: Shape, lang: str) -> str:
    x, y, w, h = s.box
    name = _lane_name(s.name, lang) if s.kind == "lane" else s.name
    out = node("rect", x=x, y=y, width=w, height=h, fill="none", stroke=INK)
    if not s.horizontal:  # a vertical pool: the name across its top band
        band = node("path", d=_d("M", x, y + 30, "h", w), stroke=INK) if s.kind == "participant" else ""
        return out + band + _text(wrap(name, w - 10, 12, 1), x + w / 2, y + 8, 12)
    if s.kind == "participant":
        out += node("path", d=_d("M", x + 30, y, "v", h), stroke=INK)
    lines, cx, cy = wrap(name, max(h - 12, 20), 12, 2), x + 15, y + h / 2
    return out + _text(lines, cx, cy - len(lines) * 7.5, 12, transform=f"rotate(-90 {fmt(cx)} {fmt(cy)})")


def _envelope(x: float, y: float, w: float, h: float, stroke: str, filled: bool) -> str:
    return (node("rect", x=x, y=y, width=w, height=h, fill=stroke if filled else "none", stroke=stroke)
            + node("path", d=_d("M", x, y, "l", w / 2, h / 2, "l", w / 2, -h / 2), fill="none",
                  stroke=PAPER if filled else stroke))


def _icon(s: Shape, stroke: str) -> str:
    x, y, k = s.box[0] + 6, s.box[1] + 5, s.kind
    line = {"fill": "none", "stroke": stroke}
    if k == "userTask":
        return node("circle", cx=x + 7, cy=y + 4, r=3.2, **line) + node("path", d=_d(
            "M", x + 1, y + 14, "q", 0, -6, 6, -6, "q", 6, 0, 6, 6, "z"), **line)
    if k == "scriptTask":
        return node("path", d=_d("M", x + 2, y, "h", 10, "l", -2, 14, "h", -10, "z", "M", x + 3, y + 4, "h", 6,
                                "M", x + 2.5, y + 7, "h", 6, "M", x + 2, y + 10, "h", 6), **line)
    if k == "businessRuleTask":
        return node("rect", x=x, y=y, width=15, height=11, **line) + node("path", d=_d(
            "M", x, y + 3.5, "h", 15, "M", x, y + 7, "h", 15, "M", x + 5, y + 3.5, "v", 7.5), **line)
    if k == "serviceTask":
        return (node("circle", cx=x + 7, cy=y + 7, r=5.5, stroke_width=2.5, stroke_dasharray="2.2 1.6", **line)
                + node("circle", cx=x + 7, cy=y + 7, r=2, **line))
    if k in ("sendTask", "receiveTask"):
        return _envelope(x + 1, y + 1, 14, 10, stroke, filled=k == "sendTask")
    return ""


def _activity(s: Shape, stroke: str, fill: str, dash: str, hot: bool) -> str:
    x, y, w, h = s.box
    width = 4 if s.kind == "callActivity" else 2 if stroke != INK else 1.5
    out = node("rect", x=x, y=y, width=w, height=h, rx=10, fill=fill, stroke=stroke, stroke_width=width,
              stroke_dasharray=dash or ("2 3" if "eventsub" in s.marks else ""))
    if s.kind == "transaction":
        out += node("rect", x=x + 3, y=y + 3, width=max(w - 6, 0), height=max(h - 6, 0), rx=7, fill="none",
                   stroke=stroke)
    ink = PAPER if hot else GREY if dash else "#222222"
    if s.expanded:
        return out + _text(wrap(s.name, w - 16, 12, 2), x + 8, y + 6, 12, ink, anchor="start")
    out += _icon(s, stroke)
    if s.kind in ACTIVITIES:  # collapsed: the [+] marker, and the name above it
        cx, by, h = x + w / 2, y + h - 4, h - 14
        out += (node("rect", x=cx - 7, y=by - 14, width=14, height=14, fill="none", stroke=stroke)
                + node("path", d=_d("M", cx - 4, by - 7, "h", 8, "M", cx, by - 11, "v", 8), stroke=stroke))
    lines = wrap(s.name, w - 10, 12, max(1, int((h - 6) // 15)))
    top = y + (h - len(lines) * 15) / 2
    if top < y + 19 <= y + h - 4 - len(lines) * 15:  # clear of the type icon when there is room
        top = y + 19
    return out + _text(lines, x + w / 2, top, 12, ink)


def _event(s: Shape, stroke: str, fill: str, dash: str) -> str:
    x, y, w, h = s.box
    cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
    dash = dash or ("5 3" if "noninterrupting" in s.marks else "")
    out = node("circle", cx=cx, cy=cy, r=r, fill=fill, stroke=stroke, stroke_dasharray=dash,
              stroke_width=4 if s.kind == "endEvent" else 2 if stroke != INK else 1.5)
    if s.kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
        out += node("circle", cx=cx, cy=cy, r=max(r - 3, 1), fill="none", stroke=stroke, stroke_dasharray=dash)
    filled, q = s.kind in ("endEvent", "intermediateThrowEvent"), r * 0.6
    solid = {"fill": stroke if filled else "none", "stroke": stroke}
    if "timer" in s.marks:
        turns = [(math.cos(i * math.pi / 6), math.sin(i * math.pi / 6)) for i in range(12)]
        ticks = [p for c, n in turns for p in ("M", cx + q * 0.75 * c, cy + q * 0.75 * n, "L", cx + q * c, cy + q * n)]
        out += (node("circle", cx=cx, cy=cy, r=q, fill=PAPER, stroke=stroke, stroke_width=1.5)
                + node("path", d=_d(*ticks, "M", cx, cy, "l", 0, -q * 0.7, "M", cx, cy, "l", q * 0.55, q * 0.1),
                      fill="none", stroke=stroke))
    elif "message" in s.marks:
        out += _envelope(cx - r * 0.5, cy - r * 0.33, r, r * 0.66, stroke, filled)
    elif "terminate" in s.marks:
        out += node("circle", cx=cx, cy=cy, r=r * 0.55, fill=stroke)
    elif "signal" in s.marks:
        out += node("path", d=_d("M", cx, cy - q, "L", cx + q, cy + q * 0.7, "L", cx - q, cy + q * 0.7, "z"), **solid)
    return out


def _gateway(s: Shape, stroke: str, fill: str, dash: str) -> str:
    x, y, w, h = s.box
    cx, cy, q = x + w / 2, y + h / 2, min(w, h) * 0.2
    out = node("polygon", points=f"{fmt(cx)},{fmt(y)} {fmt(x + w)},{fmt(cy)} {fmt(cx)},{fmt(y + h)} {fmt(x)},{fmt(cy)}",
              fill=fill, stroke=stroke, stroke_width=2 if stroke != INK else 1.5, stroke_dasharray=dash)
    mark = {"stroke": stroke, "stroke_width": 3.5, "fill": "none", "stroke_linecap": "round"}
    cross = ("M", cx - q, cy - q, "l", 2 * q, 2 * q, "m", 0, -2 * q, "l", -2 * q, 2 * q)
    plus = ("M", cx - q * 1.3, cy, "h", 2.6 * q, "M", cx, cy - q * 1.3, "v", 2.6 * q)
    if s.kind == "exclusiveGateway":
        out += node("path", d=_d(*cross), **mark)
    elif s.kind == "parallelGateway":
        out += node("path", d=_d(*plus), **mark)
    elif s.kind == "complexGateway":
        out += node("path", d=_d(*cross, *plus), **mark)
    elif s.kind == "inclusiveGateway":
        out += node("circle", cx=cx, cy=cy, r=q * 1.2, **{**mark, "stroke_width": 2.5})
    elif s.kind == "eventBasedGateway":
        out += (node("circle", cx=cx, cy=cy, r=q * 1.4, fill="none", stroke=stroke)
                + node("circle", cx=cx, cy=cy, r=q * 1.1, fill="none", stroke=stroke))
    return out


def _other(s: Shape, stroke: str, fill: str) -> str:
    x, y, w, h = s.box
    if s.kind == "textAnnotation":
        return (node("path", d=_d("M", x + 10, y, "h", -10, "v", h, "h", 10), fill="none", stroke=INK)
                + _text(wrap(s.name, w - 8, 11, max(1, int(h // 14))), x + 5, y + 3, 11, anchor="start"))
    if s.kind == "group":
        return node("rect", x=x, y=y, width=w, height=h, rx=10, fill="none", stroke=INK, stroke_dasharray="8 3 1 3")
    if s.kind == "dataObjectReference":
        return node("path", d=_d("M", x, y, "h", w - 10, "l", 10, 10, "v", h - 10, "h", -w, "z",
                                "M", x + w - 10, y, "v", 10, "h", 10), fill=fill, stroke=stroke)
    return node("rect", x=x, y=y, width=w, height=h, rx=4 if s.kind == "dataStoreReference" else 0, fill=fill,
               stroke=stroke)


def midpoint(points: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    segments = list(zip(points, points[1:], strict=False))
    half = sum(math.dist(a, b) for a, b in segments) / 2
    for a, b in segments:
        d = math.dist(a, b)
        if d >= half and d > 0:
            return a[0] + (b[0] - a[0]) * half / d, a[1] + (b[1] - a[1]) * half / d
        half -= d
    return points[len(points) // 2]


def draw_edge(e: Edge, taken: bool, path_mode: bool) -> str:
    """A polyline and its arrowhead, drawn as a polygon (markers differ between renderers)."""
    if e.kind == "sequenceFlow":
        colour, width, dash, head = (GREEN, 3, "", 12) if taken else (MUTED if path_mode else INK, 1.5, "", 10)
    elif e.kind == "messageFlow":
        colour, width, dash, head = INK, 1.5, "6 4", 10
    else:  # associations: an arrow only on data associations
        colour, width, dash, head = INK, 1, "2 3", 8 if "Association" in e.kind[1:] else 0
    pts = list(e.points)
    a, b = next(((p, pts[-1]) for p in reversed(pts[:-1]) if p != pts[-1]), (pts[0], pts[-1]))
    length = math.dist(a, b)
    arrow = ""
    if head and length > 0:
        ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
        bx, by, hw = b[0] - ux * head, b[1] - uy * head, head * 0.4
        arrow = node("polygon", points=f"{fmt(b[0])},{fmt(b[1])} {fmt(bx - uy * hw)},{fmt(by + ux * hw)} "
                                      f"{fmt(bx + uy * hw)},{fmt(by - ux * hw)}",
                    fill=PAPER if e.kind == "messageFlow" else colour, stroke=colour, stroke_linejoin="round")
        pts[-1] = (b[0] - ux * min(head * 0.6, length), b[1] - uy * min(head * 0.6, length))
    line = node("polyline", points=" ".join(f"{fmt(x)},{fmt(y)}" for x, y in pts), fill="none", stroke=colour,
               stroke_width=width, stroke_dasharray=dash, stroke_linejoin="round")
    return node("g", line + arrow, class_=f"el el-{e.kind}" + (" el-taken" if taken else ""), data_element_id=e.id)


def draw_label(name: str, label: Box | None, cx: float, top: float) -> tuple[str, Box]:
    if label is not None:
        lines = wrap(name, max(label[2], 60), 11, 4)
        cx, top = label[0] + label[2] / 2, label[1] + (label[3] - len(lines) * 13.75) / 2
    else:
        lines = wrap(name, 100, 11, 4)
    width = max((text_width(line, 11) for line in lines), default=0)
    return _text(lines, cx, top, 11), (cx - width / 2, top, width, len(lines) * 13.75)


def draw_badge(text: str, cx: float, cy: float) -> tuple[str, Box]:
    text = text[:16]
    w, h = max(text_width(text, 10) + 10, 18), 16
    box = (cx - w / 2, cy - h / 2, w, h)
    return node("g", node("rect", x=box[0], y=box[1], width=w, height=h, rx=8, fill="#37474f")
               + _text([text], cx, box[1] + 2, 10, PAPER), class_="badge"), box


def draw_shape(s: Shape, states: Mapping[str, str], heat: Mapping[str, float], lang: str) -> tuple[int, str]:
    """(layer, drawing) of one shape: layer 0 pools and lanes, 1 expanded subprocesses and groups,
    3 flow nodes, 4 boundary events (edges are layer 2)."""
    state = states.get(s.id)
    state = state if isinstance(state, str) and state in STATES else None
    stroke, fill, dash = STATES[state] if state else (INK, PAPER, "")
    h = heat.get(s.id)
    hot = isinstance(h, int | float) and math.isfinite(h)
    fill = _heat(float(h)) if hot else fill  # type: ignore[arg-type]
    hot = hot and float(h) > 0.75  # type: ignore[arg-type]
    if s.kind in CONTAINERS:
        layer, body = 0, _container(s, lang)
    elif s.kind.endswith("Task") or s.kind == "task" or s.kind in ACTIVITIES:
        layer, body = 1 if s.expanded else 3, _activity(s, stroke, fill, dash, hot)
    elif s.kind in EVENTS:
        layer, body = 4 if s.kind == "boundaryEvent" else 3, _event(s, stroke, fill, dash)
    elif s.kind.endswith("Gateway"):
        layer, body = 3, _gateway(s, stroke, fill, dash)
    else:
        layer, body = 1 if s.kind == "group" else 3, _other(s, stroke, fill)
    return layer, node("g", body, class_=f"el el-{s.kind}" + (f" el-{state}" if state else ""), data_element_id=s.id)


