"""The sequence flows and elements of one process's diagram, by id.

SpiffWorkflow keeps no sequence-flow ids in its specs (a task spec knows its outputs, not the
flow that leads there), so the path a case took is named from the BPMN itself: "task A was
followed by task B" becomes the flow whose sourceRef is A and targetRef is B.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.definitions import namespaces

_SKIP = {"sequenceFlow", "laneSet", "lane", "documentation", "extensionElements", "textAnnotation",
         "association", "dataObject", "dataObjectReference", "dataStoreReference", "incoming", "outgoing",
         "conditionExpression", "flowNodeRef", "property", "ioSpecification"}


@dataclass(frozen=True)
class DiagramIndex:
    """Flows by (source, target) and the ids of the flow elements drawn in the process's diagram
    (the process and its embedded subprocesses; not the processes a call activity calls)."""

    flows: dict[tuple[str, str], str] = field(default_factory=dict)
    elements: frozenset[str] = frozenset()

    def flow(self, source: str | None, target: str | None) -> str | None:
        if source is None or target is None:
            return None
        return self.flows.get((source, target))


EMPTY = DiagramIndex()


def diagram_index(trees: dict[str, etree._ElementTree], process_id: str) -> DiagramIndex:
    """The index of `process_id` from the bundle's parsed BPMN trees (empty if not found)."""
    for tree in trees.values():
        for process in tree.iterfind(".//bpmn:process", namespaces.NSMAP):
            if process.get("id") == process_id:
                return _index(process)
    return EMPTY


def _index(process: etree._Element) -> DiagramIndex:
    flows: dict[tuple[str, str], str] = {}
    elements: set[str] = set()
    for el in process.iter():
        if not isinstance(el.tag, str) or el is process:
            continue
        local = etree.QName(el).localname
        if local == "sequenceFlow":
            source, target, flow_id = el.get("sourceRef"), el.get("targetRef"), el.get("id")
            if source and target and flow_id:
                # Two flows between the same pair are one path for a tally; keep the first.
                flows.setdefault((source, target), flow_id)
        elif local not in _SKIP and el.get("id") and etree.QName(el).namespace == namespaces.NSMAP["bpmn"]:
            elements.add(el.get("id"))
    return DiagramIndex(flows, frozenset(elements))
