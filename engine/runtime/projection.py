"""Projections of a workflow into indexed rows: work items, the case's data view, the next
timer and the message subscriptions. Written by every command, read by inboxes and lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, case, delete, insert, update
from sqlalchemy.orm import Session

from engine.audit import terms
from engine.definitions.flows import EMPTY, DiagramIndex
from engine.reports import facts
from engine.roles import UNIT_SCOPED
from engine.runtime.case_store import CaseRow
from engine.runtime.path import LIVE, all_tasks
from engine.runtime.state import canonical_json
from engine.sandbox.helpers import CHINA_TZ
from engine.storage.expressions import whole_seconds_between
from engine.storage.models import CaseTerm, MessageSubscription, Notification, WorkItem

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def ready_user_tasks(wf: BpmnWorkflow) -> list:
    return [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id]


def form_key(task_spec) -> str | None:
    form = getattr(task_spec, "form", None)
    key = getattr(form, "key", None)
    if key:
        return key
    ext = getattr(task_spec, "extensions", None) or {}
    return ext.get("formKey") or ext.get("form_key")


def case_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """The data at the case's live tokens (merged in tree order), or the final data once done."""
    if wf.completed:
        src = dict(wf.data)
        if wf.last_task is not None:
            src = {**wf.last_task.data, **src}
    else:
        src = {}
        for task in wf.get_tasks(state=_LIVE):
            if task.task_spec.bpmn_id or task is wf.task_tree:
                src.update(task.data)
        if not src:
            src = dict(wf.task_tree.data)
    return _jsonable(src)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(canonical_json({k: v for k, v in data.items() if not callable(v)}))


TITLE_KEYS = ("case_label", "delegation_name")


def case_title(data: dict[str, Any]) -> str | None:
    """What lists call the case once its data names it: the diagram's `case_label`, else the
    delegation's name; until then the process name it started with."""
    for key in TITLE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:300]
    return None


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A shallow before/after diff of case data, as the audit event stores it."""
    out: dict[str, Any] = {}
    added = {k: after[k] for k in after.keys() - before.keys()}
    removed = {k: before[k] for k in before.keys() - after.keys()}
    changed = {k: [before[k], after[k]] for k in before.keys() & after.keys() if before[k] != after[k]}
    if added:
        out["added"] = added
    if removed:
        out["removed"] = removed
    if changed:
        out["changed"] = changed
    return out


def _timer_due(task) -> datetime | None:
    value = task.internal_data.get("event_value")
    if not value or not isinstance(task.task_spec.event_definition, TimerEventDefinition):
        return None
    if isinstance(value, dict):  # a cycle timer: {'cycles', 'next', 'duration'}; 0 cycles left = done
        if not value.get("cycles"):
            return None
        value = value.get("next")
    try:
        due = TimerEventDefinition.get_datetime(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(due.timestamp(), tz=due.tzinfo)


def due_at(task) -> datetime | None:
    """When a user task is due: the earliest timer on its boundary (the reminder or escalation
    the diagram attaches), or None. SpiffWorkflow puts a task with boundary events and those
    events side by side under one BoundaryEventSplit."""
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return None
    dues = [d for sibling in parent.children if sibling is not task and sibling.state == TaskState.WAITING
            and (d := _timer_due(sibling)) is not None]
    return min(dues) if dues else None


def next_timer_at(wf: BpmnWorkflow) -> datetime | None:
    due = [d for task in wf.event_manager.tasks.values()
           if task.state == TaskState.WAITING and (d := _timer_due(task)) is not None]
    return min(due) if due else None


def waiting_messages(wf: BpmnWorkflow) -> set[str]:
    names = set()
    for task in wf.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        if isinstance(definition, MessageEventDefinition) and task.state == TaskState.WAITING:
            names.add(definition.name)
    return names


def open_task_ids(wf: BpmnWorkflow) -> set[str]:
    """Ids of the READY user tasks: by construction, the case's open work items."""
    return {str(t.id) for t in ready_user_tasks(wf)}


# Core statements on the tables (not ORM-enabled): executemany with no unit-of-work overhead.
_ITEMS = WorkItem.__table__
_SUBS = MessageSubscription.__table__
_TERMS = CaseTerm.__table__
# Built once: building a statement per call costs more than running it on this path.
_ITEMS_INSERT = insert(_ITEMS)
_SUBS_INSERT = insert(_SUBS)
_NOTIFY_INSERT = insert(Notification.__table__)
_CLOSE = (update(_ITEMS)
          .where(_ITEMS.c.case_id == bindparam("c"), _ITEMS.c.task_id == bindparam("t"), _ITEMS.c.state == "open")
          .values(state=bindparam("s"), completed_by=bindparam("by"), completed_at=bindparam("at"),
                  # how long a completed item took (none for a cancelled one): the report's time per step
                  duration_s=case((bindparam("by", type_=_ITEMS.c.completed_by.type).is_not(None),
                                   whole_seconds_between(_ITEMS.c.created_at,
                                                         bindparam("at", type_=_ITEMS.c.completed_at.type)))),
                  version=_ITEMS.c.version + 1))


def sync(session: Session, case: CaseRow, wf: BpmnWorkflow, at: datetime, actor: str,
         completed_task: str | None, before: Snapshot) -> None:
    """Bring work items, subscriptions and the case's indexed columns in line with `wf`.

    `before` is what the workflow looked like when loaded; comparing against it (rather than
    querying the rows) keeps a command to a handful of statements."""
    ready = {str(t.id): t for t in ready_user_tasks(wf)}
    closed = [{"c": case.id, "t": tid, "s": "completed" if tid == completed_task else "cancelled",
               "by": actor if tid == completed_task else None, "at": at}
              for tid in sorted(before.open_tasks - ready.keys())]
    if closed:
        session.execute(_CLOSE, closed)
    new = [tid for tid in ready if tid not in before.open_tasks]
    if new:
        _notify_new_tasks(session, case, [ready[tid] for tid in new], at)
        submitted_on = case.started_at.astimezone(CHINA_TZ).date()
        session.execute(_ITEMS_INSERT, [{
            "case_id": case.id, "task_id": tid, "spec_name": ready[tid].task_spec.bpmn_id,
            "name": ready[tid].task_spec.bpmn_name or ready[tid].task_spec.bpmn_id,
            "form_key": form_key(ready[tid].task_spec), "role": ready[tid].task_spec.lane or "",
            "unit_code": case.unit_code, "state": "open", "version": 1, "created_at": at,
            "due_at": due_at(ready[tid]), "process_id": case.process_id, "submitted_on": submitted_on,
        } for tid in new])
    messages = waiting_messages(wf)
    if messages != before.messages:
        session.execute(delete(_SUBS).where(_SUBS.c.case_id == case.id))
        if messages:
            session.execute(_SUBS_INSERT,
                            [{"case_id": case.id, "message_name": n} for n in sorted(messages)])
    case.next_timer_at = None if wf.completed else next_timer_at(wf)
    before_data = case.data
    case.data = case_data(wf)
    _sync_terms(session, case.id, before_data, case.data)
    case.title = case_title(case.data) or case.title
    case.updated_at = at
    if wf.completed and case.status == "running":
        case.status = "completed" if wf.success else "cancelled"
        case.ended_at = at
    # The biannual report's row of this case (engine/reports/facts.py), in the same transaction.
    facts.sync(session, case, before_data, at, first=case.seq == 0)


def _sync_terms(session: Session, case_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
    old, new = terms.terms_of(before or {}), terms.terms_of(after)
    if old == new:
        return
    session.execute(delete(_TERMS).where(_TERMS.c.case_id == case_id))
    if new:
        session.execute(insert(_TERMS), terms.rows(case_id, new))


def _notify_new_tasks(session: Session, case: CaseRow, tasks: list, at: datetime) -> None:
    """The bell's "new task" line for whoever may take each task (its lane's role, in the case's
    unit for unit roles). The inbox lists the task itself; this tells people it arrived."""
    rows = []
    for task in tasks:
        role = task.task_spec.lane or ""
        name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
        rows.append({
            "username": None, "role": role, "unit_code": case.unit_code if role in UNIT_SCOPED else None,
            "case_id": case.id, "kind": "task", "created_at": at,
            "text_zh": f"新待办：{name}（案件 {case.id}：{case.title}）",
            "text_en": f"New task: {name} (case {case.id}: {case.title})",
        })
    session.execute(_NOTIFY_INSERT, rows)


@dataclass(frozen=True)
class Snapshot:
    """What the projection looked like before a command ran: its open work items, the messages
    it waited for, and its live diagram tasks (to tell which flows the command took)."""

    open_tasks: frozenset[str]
    messages: frozenset[str]
    live: frozenset[str] = frozenset()

    @classmethod
    def of(cls, wf: BpmnWorkflow | None, diagram: DiagramIndex = EMPTY) -> Snapshot:
        if wf is None:
            return cls(frozenset(), frozenset())
        open_tasks, live = set(), set()
        for task in all_tasks(wf):
            element = task.task_spec.bpmn_id
            if element is None or not task.state & LIVE:
                continue
            if task.state == TaskState.READY and task.task_spec.manual:
                open_tasks.add(str(task.id))
            if not diagram.elements or element in diagram.elements:
                live.add(str(task.id))
        return cls(frozenset(open_tasks), frozenset(waiting_messages(wf)), frozenset(live))
