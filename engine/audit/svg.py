"""BPMN diagrams drawn on the server: the diagram interchange (DI) of one process — shape bounds,
edge waypoints, label bounds — as a standalone SVG, with the path a case took (element states,
flows taken), heatmap badges and time-spent colours. For the page without JavaScript, the heatmap
and the audit report PDF (WeasyPrint draws it as vectors with the Noto CJK fonts).

The shapes are drawn by engine/audit/svg_draw.py. Every text and attribute value is XML-escaped;
classes (`el el-userTask el-completed`, `el-taken`) and `data-element-id` are hooks for tests and
scripts only, the colours are presentation attributes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from lxml import etree

from engine.audit.svg_draw import (
    EVENTS,
    FONT,
    MARGIN,
    PAPER,
    Box,
    Edge,
    Shape,
    draw_badge,
    draw_edge,
    draw_label,
    draw_shape,
    esc,
    fmt,
    midpoint,
    node,
    wrap,
)
from engine.definitions.flows import diagram_index
from engine.definitions.namespaces import BPMN, BPMNDI
from engine.definitions.xmlsafe import parse_xml
from engine.errors import NotFound

__all__ = ["element_kinds", "flow_index", "render_svg", "wrap"]


@dataclass(frozen=True)
class _Diagram:
    shapes: tuple[Shape, ...]
    edges: tuple[Edge, ...]


# -- reading the diagram ----------------------------------------------------------------------


def _tree(bpmn: bytes) -> etree._Element:
    return parse_xml(bpmn, "diagram.bpmn", kind="bpmn").getroot()


def _process(root: etree._Element, process_id: str) -> etree._Element:
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") == process_id:
            return process
    raise NotFound(f"流程图中没有流程 {process_id}", f"The diagram has no process {process_id}")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _num(value: str | None) -> float | None:
    try:
        out = float(value or "nan")
    except ValueError:
        return None
    return out if math.isfinite(out) and abs(out) < 1e7 else None


def _bounds(el: etree._Element | None) -> Box | None:
    found = next((c for c in el if _local(c) == "Bounds"), None) if el is not None else None
    x, y, w, h = (_num(found.get(a)) if found is not None else None for a in ("x", "y", "width", "height"))
    ok = x is not None and y is not None and w is not None and h is not None and w >= 0 and h >= 0
    return (x, y, w, h) if ok else None  # type: ignore[return-value]


def _label(el: etree._Element) -> Box | None:
    return _bounds(next((c for c in el if _local(c) == "BPMNLabel"), None))


def _plane(root: etree._Element, process: etree._Element) -> etree._Element | None:
    pid = process.get("id")
    refs = {pid} | {c.get("id") for c in root.iter(f"{{{BPMN}}}collaboration")
                    if any(p.get("processRef") == pid for p in c.iter(f"{{{BPMN}}}participant"))}
    planes = list(root.iter(f"{{{BPMNDI}}}BPMNPlane"))
    for plane in planes:
        if plane.get("bpmnElement") in refs:
            return plane
    # Some exporters leave the plane's bpmnElement out: take the plane that draws this process.
    own = {el.get("id") for el in process.iter(f"{{{BPMN}}}*") if el.get("id")} - {pid}
    return next((p for p in planes if any(s.get("bpmnElement") in own for s in p)), None)


def _marks(el: etree._Element, kind: str) -> frozenset[str]:
    marks = {_local(c).removesuffix("EventDefinition") for c in el if _local(c).endswith("EventDefinition")}
    if el.get("cancelActivity") == "false" or el.get("isInterrupting") == "false":
        marks.add("noninterrupting")
    if kind == "subProcess" and el.get("triggeredByEvent") == "true":
        marks.add("eventsub")
    return frozenset(marks)


def _read(bpmn: bytes, process_id: str) -> _Diagram:
    root = _tree(bpmn)
    process = _process(root, process_id)
    plane = _plane(root, process)
    elements = {el.get("id"): el for el in root.iter(f"{{{BPMN}}}*") if el.get("id")}
    shapes: list[Shape] = []
    edges: list[Edge] = []
    for di in plane if plane is not None else ():
        el = elements.get(di.get("bpmnElement"))
        if el is None:
            continue
        kind = _local(el)
        name = (el.get("name") or (el.findtext(f"{{{BPMN}}}text") if kind == "textAnnotation" else "") or "").strip()
        if _local(di) == "BPMNShape" and (box := _bounds(di)) is not None:
            shapes.append(Shape(el.get("id"), kind, box, name, _label(di), di.get("isHorizontal") != "false",
                                 di.get("isExpanded") == "true", _marks(el, kind)))
        elif _local(di) == "BPMNEdge":
            pts = tuple((x, y) for w in di if _local(w) == "waypoint"
                        for x, y in [(_num(w.get("x")), _num(w.get("y")))] if x is not None and y is not None)
            if len(pts) >= 2:
                edges.append(Edge(el.get("id"), kind, pts, name, _label(di)))
    if not shapes:
        raise NotFound(f"流程 {process_id} 没有图形信息（BPMN DI），无法绘制流程图",
                       f"Process {process_id} has no diagram information (BPMN DI) to draw")
    return _Diagram(tuple(shapes), tuple(edges))


@functools.lru_cache(maxsize=16)  # a diagram is re-drawn at every step of a replay
def _cached(bpmn: bytes, process_id: str) -> _Diagram:
    return _read(bpmn, process_id)


def _diagram(bpmn: bytes, process_id: str) -> _Diagram:
    if isinstance(bpmn, bytearray | memoryview):
        bpmn = bytes(bpmn)
    if isinstance(bpmn, bytes) and isinstance(process_id, str):
        return _cached(bpmn, process_id)
    return _read(bpmn, str(process_id))  # parse_xml refuses what is not bytes


def flow_index(bpmn: bytes, process_id: str) -> dict[tuple[str, str], str]:
    """(sourceRef, targetRef) → sequence-flow id, for the process and its embedded subprocesses
    (the first flow of a pair, as the engine's path names them)."""
    tree = parse_xml(bpmn, "diagram.bpmn", kind="bpmn")
    _process(tree.getroot(), process_id)
    return dict(diagram_index({"diagram.bpmn": tree}, process_id).flows)


def element_kinds(bpmn: bytes, process_id: str) -> dict[str, str]:
    """Element id → BPMN tag name (userTask, exclusiveGateway, lane, sequenceFlow, …) of the process."""
    process = _process(_tree(bpmn), process_id)
    return {el.get("id"): _local(el) for el in process.iter(f"{{{BPMN}}}*") if el.get("id") and el is not process}


def render_svg(bpmn: bytes, process_id: str, *, states: Mapping[str, str] | None = None,
               flows: Collection[str] = (), overlays: Mapping[str, str] | None = None,
               heat: Mapping[str, float] | None = None, title: str | None = None, lang: str = "zh") -> str:
    """The diagram of `process_id` as a standalone SVG document: `states` element id → completed,
    current or cancelled; `flows` the sequence flows taken; `overlays` element or flow id → badge
    text; `heat` element id → 0..1 fill colour; `lang` for lane names that are role codes.

    Raises `NotFound` when the file has no such process or no DI for it, and `DefinitionInvalid`
    (from the hardened parser) for anything that is not a BPMN file."""
    d = _diagram(bpmn, process_id)
    states, overlays, heat = states or {}, overlays or {}, heat or {}
    taken = {f for f in flows if isinstance(f, str)}
    layers: list[list[str]] = [[], [], [], [], [], [], []]  # pools, groups, edges, nodes, boundaries, labels, badges
    boxes: list[Box] = []
    for s in d.shapes:
        layer, body = draw_shape(s, states, heat, lang)
        layers[layer].append(body)
        x, y, w, h = s.box
        boxes.append(s.box)
        if s.name and (s.kind in EVENTS or s.kind.endswith("Gateway") or s.kind.startswith("data")):
            text, box = draw_label(s.name, s.label, x + w / 2, y + h + 4)
            layers[5].append(text)
            boxes.append(box)
        if s.id in overlays:
            badge, box = draw_badge(str(overlays[s.id]), x + w - 4, y + 2)
            layers[6].append(badge)
            boxes.append(box)
    for e in sorted(d.edges, key=lambda e: e.id in taken):  # the path on top of the other flows
        layers[2].append(draw_edge(e, e.id in taken, bool(taken or states)))
        xs, ys = [p[0] for p in e.points], [p[1] for p in e.points]
        boxes.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
        mx, my = midpoint(e.points)
        for text, box in ([draw_label(e.name, e.label, mx, my - 18)] if e.name else []):
            layers[5].append(text)
            boxes.append(box)
        if e.id in overlays:
            badge, box = draw_badge(str(overlays[e.id]), mx, my)
            layers[6].append(badge)
            boxes.append(box)
    x0, y0 = min(b[0] for b in boxes) - MARGIN, min(b[1] for b in boxes) - MARGIN
    width = max(b[0] + b[2] for b in boxes) + MARGIN - x0
    height = max(b[1] + b[3] for b in boxes) + MARGIN - y0
    body = (node("title", esc(title)) if title else "") + node("rect", x=x0, y=y0, width=width, height=height,
                                                             fill=PAPER)
    body += "".join("".join(layer) for layer in layers)
    svg = node("svg", body, xmlns="http://www.w3.org/2000/svg", class_="bpmn-diagram", width=width, height=height,
              viewBox=f"{fmt(x0)} {fmt(y0)} {fmt(width)} {fmt(height)}", font_family=FONT, font_size=12, role="img",
              aria_label=title)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{svg}\n'
