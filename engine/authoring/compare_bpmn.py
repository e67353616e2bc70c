"""Comparing one process in two versions of a BPMN file, element by element (matched by id).

Every flow element of the process — tasks, events, gateways, sequence flows, subprocesses and
what they contain — and every lane is reduced to a flat map of readable properties: its
attributes by local name ("name", "formKey", "decisionRef", "calledElement", "default",
"sourceRef", "targetRef", …), "documentation", "condition", "script", "timer", the lane that holds
it ("lane"), a lane's "elements", the enclosing subprocess ("parent"), extension properties
("property.<name>", other extension content by its path) and any other child content rendered as
text. Diagram geometry (DI bounds and waypoints) is compared separately: `layout_changed`.

Also holds what the DMN and form comparisons share: `PropertyChange` and the `as_dict` mixin.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from math import isfinite
from types import MappingProxyType
from typing import Any

from lxml import etree

from engine.definitions import kinds, namespaces
from engine.definitions.xmlsafe import parse_xml
from engine.errors import InvalidInput

_BPMN = namespaces.BPMN
_DI = namespaces.BPMNDI

FLOW_KINDS = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
    "sequenceFlow",
})
TRACKED_KINDS = FLOW_KINDS | {"lane"}
_CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
# Child elements that are elements of their own, or derived from other elements' properties.
_SKIP_CHILDREN = TRACKED_KINDS | {"incoming", "outgoing", "laneSet", "childLaneSet", "dataObject",
                                  "dataObjectReference", "dataStoreReference", "textAnnotation",
                                  "association", "group", "flowNodeRef"}
_PREFIXES = {namespaces.CAMUNDA: "camunda", namespaces.SPIFF: "spiffworkflow",
             "http://www.w3.org/2001/XMLSchema-instance": "xsi"}


# ---- shared by the three comparisons -------------------------------------------------------------

def plain(value: Any) -> Any:
    """`value` as JSON-ready data: dataclasses and mappings as dicts, tuples, lists and sets as lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class Serialisable:
    """`as_dict()` for the frozen result dataclasses: plain JSON-serialisable data."""

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


def frozen_map(items: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(items))


@dataclass(frozen=True)
class PropertyChange(Serialisable):
    name: str
    before: str | None
    after: str | None


def property_changes(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[PropertyChange, ...]:
    """The properties whose value differs, in the order of `before` then the new ones of `after`."""
    names = list(before) + [n for n in after if n not in before]
    return tuple(PropertyChange(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n))


def text_of(el: etree._Element | None) -> str:
    """The element's text content (comments and processing instructions left out), stripped."""
    if el is None:
        return ""
    return "".join(el.itertext()).strip() if isinstance(el.tag, str) else ""


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


# ---- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ElementRef(Serialisable):
    id: str
    name: str
    kind: str  # the BPMN tag's local name: "userTask", "sequenceFlow", "lane", …


@dataclass(frozen=True)
class ElementChange(Serialisable):
    """One changed element; iterating it (or indexing it) gives its property changes."""

    id: str
    name: str
    kind: str
    changes: tuple[PropertyChange, ...]

    def __iter__(self) -> Iterator[PropertyChange]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __getitem__(self, index: int) -> PropertyChange:
        return self.changes[index]

    def get(self, name: str) -> PropertyChange | None:
        return next((c for c in self.changes if c.name == name), None)


@dataclass(frozen=True)
class BpmnDiff(Serialisable):
    process_id: str
    added: tuple[ElementRef, ...]
    removed: tuple[ElementRef, ...]
    changed: Mapping[str, ElementChange]  # element id → its changes, in the new file's order
    layout_changed: tuple[ElementRef, ...]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @property
    def touched(self) -> frozenset[str]:
        """Ids of the elements a running case may be affected by: changed or removed."""
        return frozenset(self.changed) | {r.id for r in self.removed}


@dataclass(frozen=True)
class Element:
    """One element of a process, reduced to what the comparison looks at."""

    id: str
    kind: str
    name: str
    properties: Mapping[str, str]

    def ref(self) -> ElementRef:
        return ElementRef(self.id, self.name, self.kind)


# ---- comparing -----------------------------------------------------------------------------------

def bpmn_diff(old: bytes, new: bytes, process_id: str, *, filename: str = "process.bpmn") -> BpmnDiff:
    """The changes of process `process_id` from `old` to `new` (the contents of a BPMN file).

    A process found in only one of the files counts as entirely added or removed; one found in
    neither is `InvalidInput`. Malformed or hostile XML is `DefinitionInvalid` (from `parse_xml`)."""
    return bpmn_diff_trees(parse_bpmn(old, filename), parse_bpmn(new, filename), process_id)


def parse_bpmn(data: bytes, filename: str = "process.bpmn") -> etree._ElementTree:
    return parse_xml(data, filename, kind=kinds.BPMN)


def bpmn_diff_trees(old: etree._ElementTree, new: etree._ElementTree, process_id: str) -> BpmnDiff:
    before_process, after_process = find_process(old, process_id), find_process(new, process_id)
    if before_process is None and after_process is None:
        raise InvalidInput(f"两个版本中都没有流程 {process_id}",
                           f"neither version contains the process {process_id}", process_id=process_id)
    before, after = elements_of(before_process), elements_of(after_process)
    added = tuple(e.ref() for i, e in after.items() if i not in before)
    removed = tuple(e.ref() for i, e in before.items() if i not in after)
    changed: dict[str, ElementChange] = {}
    for element_id, now in after.items():
        was = before.get(element_id)
        if was is None:
            continue
        props_before = {"kind": was.kind, **was.properties}
        props_after = {"kind": now.kind, **now.properties}
        changes = property_changes(props_before, props_after)
        if changes:
            changed[element_id] = ElementChange(element_id, now.name, now.kind, changes)
    old_layout, new_layout = _layout(old), _layout(new)
    moved = tuple(e.ref() for i, e in after.items()
                  if i in before and old_layout.get(i, ()) != new_layout.get(i, ()))
    return BpmnDiff(process_id, added, removed, frozen_map(changed), moved)


def find_process(tree: etree._ElementTree, process_id: str) -> etree._Element | None:
    for process in tree.getroot().iterchildren(f"{{{_BPMN}}}process"):
        if process.get("id") == process_id:
            return process
    return None


def process_ids(tree: etree._ElementTree) -> list[str]:
    return [p.get("id") for p in tree.getroot().iterchildren(f"{{{_BPMN}}}process") if p.get("id")]


def elements_of(process: etree._Element | None) -> dict[str, Element]:
    """The tracked elements of a process (and of its subprocesses) by id, in document order; a
    duplicate id keeps its first element."""
    if process is None:
        return {}
    lanes_of: dict[str, list[str]] = {}
    for lane in process.iter(f"{{{_BPMN}}}lane"):
        for ref in lane.iterchildren(f"{{{_BPMN}}}flowNodeRef"):
            lanes_of.setdefault(text_of(ref), []).append(lane.get("id") or "")
    out: dict[str, Element] = {}
    for el in process.iter(etree.Element):
        kind = local(el)
        element_id = el.get("id")
        if el is process or kind not in TRACKED_KINDS or etree.QName(el).namespace != _BPMN or not element_id:
            continue
        if element_id in out:
            continue
        props = _properties(el)
        if kind == "lane":
            props["elements"] = ", ".join(sorted({text_of(r) for r in el.iterchildren(f"{{{_BPMN}}}flowNodeRef")}))
        else:
            if element_id in lanes_of:
                props["lane"] = ", ".join(sorted(set(lanes_of[element_id])))
            parent = _container(el, process)
            if parent is not None:
                props["parent"] = parent
        out[element_id] = Element(element_id, kind, el.get("name") or "", frozen_map(props))
    return out


def _container(el: etree._Element, process: etree._Element) -> str | None:
    node = el.getparent()
    while node is not None and node is not process:
        if local(node) in _CONTAINERS:
            return node.get("id") or ""
        node = node.getparent()
    return None


def _properties(el: etree._Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for qname, value in el.attrib.items():
        q = etree.QName(qname)
        if q.localname == "id" and q.namespace is None:
            continue
        name = q.localname
        if name in props:
            name = f"{_PREFIXES.get(q.namespace or '', q.namespace)}:{name}"
        props[name] = value
    docs: list[str] = []
    for child in el.iterchildren(etree.Element):
        kind = local(child)
        if kind in _SKIP_CHILDREN:
            continue
        if kind == "documentation":
            docs.append(text_of(child))
        elif kind == "conditionExpression":
            props["condition"] = text_of(child)
        elif kind == "script":
            props["script"] = text_of(child)
        elif kind == "timerEventDefinition":
            _put(props, "timer", "; ".join(f"{local(t)}: {text_of(t)}" for t in child.iterchildren(etree.Element)))
        elif kind == "extensionElements":
            for key, value in _extensions(child):
                _put(props, key, value)
        else:
            _put(props, kind, render(child))
    if docs:
        props["documentation"] = "\n".join(docs)
    return props


def _put(props: dict[str, str], key: str, value: str) -> None:
    n, name = 1, key
    while name in props:
        n += 1
        name = f"{key}#{n}"
    props[name] = value


def _extensions(ext: etree._Element) -> Iterator[tuple[str, str]]:
    """Extension content as (readable key, value): `property.<name>` for camunda/spiff properties,
    `decisionRef` for spiff's calledDecisionId, other leaves by their path of local names."""
    for el in ext.iter(etree.Element):
        if el is ext:
            continue
        name = local(el)
        if name == "property" and el.get("name") is not None:
            yield f"property.{el.get('name')}", el.get("value") if el.get("value") is not None else text_of(el)
            continue
        if name == "calledDecisionId":
            yield "decisionRef", text_of(el)
            continue
        inside_property = any(local(a) == "property" and a.get("name") is not None for a in _ancestors(el, ext))
        own_text = (el.text or "").strip() if not len(el) else ""
        attrs = _attrs(el)
        if inside_property or not (own_text or attrs):
            continue
        path = [_label(a) for a in reversed(list(_ancestors(el, ext)))] + [_label(el)]
        yield "/".join(path), "; ".join(filter(None, [own_text, attrs]))


def _ancestors(el: etree._Element, stop: etree._Element) -> Iterator[etree._Element]:
    node = el.getparent()
    while node is not None and node is not stop:
        yield node
        node = node.getparent()


def _label(el: etree._Element) -> str:
    qualifier = el.get("name") or el.get("id")
    return f"{local(el)}[{qualifier}]" if qualifier else local(el)


def _attrs(el: etree._Element) -> str:
    return ", ".join(f"{etree.QName(k).localname}={v}" for k, v in sorted(el.attrib.items())
                     if etree.QName(k).localname not in ("id", "name"))


def render(el: etree._Element) -> str:
    """A subtree as stable readable text: local names, attributes (ids left out) and texts."""
    parts: list[str] = []
    for node in el.iter(etree.Element):
        depth = 0 if node is el else 1 + sum(1 for _ in _ancestors(node, el))
        own_text = (node.text or "").strip()
        attrs = _attrs(node)
        line = "  " * depth + local(node) + (f"({attrs})" if attrs else "")
        parts.append(line + (f": {own_text}" if own_text else ""))
    return "\n".join(parts)


def _layout(tree: etree._ElementTree) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per element id, the geometry of its DI shapes and edges (bounds, waypoints, label bounds)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for di in tree.getroot().iter(f"{{{_DI}}}BPMNShape", f"{{{_DI}}}BPMNEdge"):
        target = di.get("bpmnElement")
        if not target:
            continue
        geometry = [(local(di), di.get("isExpanded") or "", di.get("isHorizontal") or "")]
        for node in di.iter(etree.Element):
            if local(node) in ("Bounds", "waypoint"):
                geometry.append((local(node), *(_number(node.get(a)) for a in ("x", "y", "width", "height"))))
        out.setdefault(target, []).extend(geometry)
    return {k: tuple(v) for k, v in out.items()}


def _number(value: str | None) -> str:
    if value is None:
        return ""
    try:
        number = float(value)
    except ValueError:
        return value.strip()
    return repr(number) if isfinite(number) else value.strip()
