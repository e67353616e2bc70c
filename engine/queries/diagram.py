"""The case's diagram: the BPMN of its pinned version and the state of each element, for the
viewer on the case and task pages (and its text-only twin).

Element states come from the record, never from loading the workflow:
- **completed** — the task of every `complete` event, and every timer a `fire_timers` event fired;
- **current** — the tasks of the open work items;
- **cancelled** — the tasks of cancelled work items (the process moved on without them).

An element can have been completed in an earlier round and be current again (a return loop);
`state_of` gives each element the one state a marker shows: current, else completed, else
cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.chain import case_chain
from engine.definitions.xmlsafe import parse_xml
from engine.errors import NotFound
from engine.storage.models import AuditEvent, Case, DefinitionBlob, DefinitionFile, DefinitionVersion, WorkItem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
STATES = ("current", "completed", "cancelled")


@dataclass(frozen=True)
class ElementStates:
    completed: tuple[str, ...] = ()
    current: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # element id -> name, where known

    def state_of(self) -> dict[str, str]:
        """One state per element id, as the diagram marks it."""
        out: dict[str, str] = {}
        for state in STATES:
            for element in getattr(self, state):
                out.setdefault(element, state)
        return out

    def as_json(self) -> dict[str, Any]:
        return {"completed": list(self.completed), "current": list(self.current), "cancelled": list(self.cancelled)}

    def rows(self) -> list[tuple[str, str, str]]:
        """(element id, name, state) for the text list, in the order of the record."""
        return [(element, self.names.get(element) or element, state) for element, state in self.state_of().items()]


def element_states(session: Session, case_id: int) -> ElementStates:
    """The element states of a case. Check the viewer may read the case first."""
    events = session.execute(
        select(AuditEvent.command, AuditEvent.task_spec, AuditEvent.payload)
        .where(AuditEvent.chain == case_chain(case_id), AuditEvent.command.in_(("complete", "fire_timers")))
        .order_by(AuditEvent.seq))
    items = session.execute(select(WorkItem.spec_name, WorkItem.name, WorkItem.state)
                            .where(WorkItem.case_id == case_id).order_by(WorkItem.created_at, WorkItem.id))
    return states_of(events, items)


def states_of(events: Iterable[tuple[str, str | None, dict[str, Any] | None]],
              items: Iterable[tuple[str, str | None, str]]) -> ElementStates:
    """The element states from what a page has loaded already: the case's events (command,
    task spec, payload), in order, and its work items (spec name, name, state), oldest first."""
    completed: dict[str, None] = {}
    names: dict[str, str] = {}
    for command, task_spec, payload in events:
        if command == "complete" and task_spec:
            completed[task_spec] = None
        if command in ("complete", "fire_timers"):
            for fired in (payload or {}).get("fired") or ():
                if isinstance(fired, str):
                    completed[fired] = None
    current: dict[str, None] = {}
    cancelled: dict[str, None] = {}
    for spec_name, name, state in items:
        names.setdefault(spec_name, name or spec_name)
        if state == "open":
            current[spec_name] = None
        elif state == "cancelled":
            cancelled[spec_name] = None
    return ElementStates(tuple(completed), tuple(current), tuple(cancelled), names)


def case_bpmn(session: Session, case_id: int) -> bytes:
    """The BPMN file of the case's pinned version that defines the case's process (a version may
    also hold the files of the processes it calls). Check the viewer may read the case first."""
    row = session.execute(select(Case.process_id, Case.version_id).where(Case.id == case_id)).first()
    if row is None:
        raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
    return _process_bpmn(session, row.version_id, row.process_id)


def version_bpmn(session: Session, version_id: int) -> bytes:
    """The BPMN file of a process version that defines its process (for the heatmap)."""
    process_id = session.scalar(select(DefinitionVersion.process_id).where(DefinitionVersion.id == version_id))
    if process_id is None:
        raise NotFound(f"流程版本 {version_id} 不存在", f"Process version {version_id} does not exist")
    return _process_bpmn(session, version_id, process_id)


def _process_bpmn(session: Session, version_id: int, process_id: str) -> bytes:
    files = session.execute(
        select(DefinitionFile.name, DefinitionBlob.content)
        .join(DefinitionBlob, DefinitionBlob.sha256 == DefinitionFile.sha256)
        .where(DefinitionFile.version_id == version_id, DefinitionFile.kind == "bpmn")
        .order_by(DefinitionFile.name)).all()
    for name, content in files:
        root = parse_xml(content, name).getroot()
        if any(p.get("id") == process_id for p in root.iter(f"{{{BPMN_NS}}}process")):
            return content
    raise NotFound("此流程版本没有流程图", "This process version has no diagram")


def element_names(bpmn: bytes) -> dict[str, str]:
    """Element id -> name of every named element of a BPMN file (timers and events have no work
    item to name them)."""
    root = parse_xml(bpmn, "diagram.bpmn").getroot()
    out: dict[str, str] = {}
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{BPMN_NS}}}") and el.get("id") and el.get("name"):
            out[el.get("id")] = el.get("name")
    return out
