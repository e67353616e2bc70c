"""Projections of a workflow into indexed rows: work items, the case's data view, the next
timer and the message subscriptions. Written by every command, read by inboxes and lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.runtime.state import canonical_json
from engine.storage.models import Case, MessageSubscription, WorkItem

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


def next_timer_at(wf: BpmnWorkflow) -> datetime | None:
    due = []
    for task in wf.event_manager.tasks.values():
        if task.state != TaskState.WAITING:
            continue
        definition = task.task_spec.event_definition
        if isinstance(definition, TimerEventDefinition):
            value = task.internal_data.get("event_value")
            if value:
                try:
                    due.append(TimerEventDefinition.get_datetime(value))
                except (TypeError, ValueError):
                    continue
    if not due:
        return None
    first = min(due)
    return datetime.fromtimestamp(first.timestamp(), tz=first.tzinfo)


def waiting_messages(wf: BpmnWorkflow) -> set[str]:
    names = set()
    for task in wf.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        if isinstance(definition, MessageEventDefinition) and task.state == TaskState.WAITING:
            names.add(definition.name)
    return names


def sync(session: Session, case: Case, wf: BpmnWorkflow, at: datetime, actor: str,
         completed_task: str | None) -> None:
    """Bring work items, subscriptions and the case's indexed columns in line with `wf`."""
    open_items = {
        item.task_id: item
        for item in session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.state == "open"))
    }
    ready = {str(t.id): t for t in ready_user_tasks(wf)}
    for task_id, item in open_items.items():
        if task_id in ready:
            continue
        if task_id == completed_task:
            item.state, item.completed_by = "completed", actor
        else:
            item.state = "cancelled"
        item.completed_at = at
        item.version += 1
    for task_id, task in ready.items():
        if task_id in open_items:
            continue
        session.add(WorkItem(
            case_id=case.id, task_id=task_id, spec_name=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id, form_key=form_key(task.task_spec),
            role=task.task_spec.lane or "", unit_code=case.unit_code, state="open", version=1,
            created_at=at,
        ))
    _sync_subscriptions(session, case, waiting_messages(wf))
    case.next_timer_at = None if wf.completed else next_timer_at(wf)
    case.data = case_data(wf)
    case.updated_at = at
    if wf.completed and case.status == "running":
        case.status = "completed" if wf.success else "cancelled"
        case.ended_at = at


def _sync_subscriptions(session: Session, case: Case, names: set[str]) -> None:
    current = set(session.scalars(
        select(MessageSubscription.message_name).where(MessageSubscription.case_id == case.id)
    ))
    if current == names:
        return
    session.execute(delete(MessageSubscription).where(MessageSubscription.case_id == case.id))
    session.add_all(MessageSubscription(case_id=case.id, message_name=n) for n in sorted(names))
