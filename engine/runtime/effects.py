"""What each command does to a workflow: pure functions of (workflow, recorded payload).

The live command and the auditor's replay call the very same function inside the same
`command_context` (seeded ids, the command's instant), which is what makes replay reproduce the
stored state hash exactly. Nothing here touches the database or checks permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.definitions.flows import EMPTY, DiagramIndex
from engine.errors import Conflict, NotFound
from engine.runtime import (
    state,
    timer_guard,  # noqa: F401  (installs the duration bound)
)
from engine.runtime.engine_errors import run_engine


@dataclass
class LoadedSpec:
    spec: Any
    subprocess_specs: dict
    flavour: str
    diagram: DiagramIndex = EMPTY  # the top-level diagram's flows and elements, to name the path taken


@dataclass
class Outcome:
    """What applying a command changed, beyond the workflow itself."""

    workflow: BpmnWorkflow
    fired: list[str] = field(default_factory=list)
    completed_task: str | None = None


def start(spec: LoadedSpec, payload: dict[str, Any], script_engine) -> Outcome:
    wf = BpmnWorkflow(spec.spec, spec.subprocess_specs, script_engine=script_engine)
    wf.task_tree.data.update(payload.get("data") or {})
    run_engine(wf)
    return Outcome(wf)


def complete(wf: BpmnWorkflow, payload: dict[str, Any], task_id: str) -> Outcome:
    task = find_task(wf, task_id)
    if task.state != TaskState.READY or not task.task_spec.manual:
        # SpiffWorkflow's Task.run() has no such guard: it would happily complete a predicted
        # (LIKELY/MAYBE) task, or run a completed one again.
        name, state_name = task.task_spec.bpmn_name or task.task_spec.name, TaskState.get_name(task.state)
        raise Conflict(f"任务“{name}”当前不可办理（状态 {state_name}）",
                       f"Task '{name}' cannot be completed now (state {state_name})")
    task.set_data(**(payload.get("data") or {}))
    run_engine(wf, task.run)
    return Outcome(wf, completed_task=task_id)


def fire_timers(wf: BpmnWorkflow, payload: dict[str, Any]) -> Outcome:
    before = _waiting_timers(wf)
    run_engine(wf, wf.refresh_timers)
    after = _waiting_timers(wf)
    fired = sorted(tid for tid in before if tid not in after or after[tid] != before[tid])
    return Outcome(wf, fired=[before[tid] for tid in fired])


def deliver_message(wf: BpmnWorkflow, payload: dict[str, Any]) -> Outcome:
    name = payload["message"]
    definition = None
    for task in wf.event_manager.tasks.values():
        ev = task.task_spec.event_definition
        if isinstance(ev, MessageEventDefinition) and ev.name == name:
            definition = ev
            break
    if definition is None:
        raise Conflict(f"本案件未在等待消息“{name}”", f"This case is not waiting for message '{name}'")
    body = payload.get("payload") or {}
    if isinstance(definition, CamundaMessageEventDefinition):
        # The Camunda flavour stores the payload under one variable: the message's name.
        body = {"payload": body, "result_var": _variable_name(name)}
    event = BpmnEvent(definition, body, payload.get("correlations") or {})
    run_engine(wf, lambda: wf.send_event(event))
    return Outcome(wf)


def cancel(wf: BpmnWorkflow, payload: dict[str, Any]) -> Outcome:
    wf.cancel()
    return Outcome(wf)


def _variable_name(message: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in message).strip("_")
    return cleaned if cleaned and not cleaned[0].isdigit() else f"message_{cleaned}"


def find_task(wf: BpmnWorkflow, task_id: str):
    try:
        task = wf.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, TypeError):
        task = None
    if task is None:
        raise NotFound(f"找不到任务 {task_id}", f"No task {task_id} in this case")
    return task


def _waiting_timers(wf: BpmnWorkflow) -> dict[str, str]:
    """Waiting timer tasks by id → spec name, so we can tell which ones fired."""
    out = {}
    for task in wf.event_manager.tasks.values():
        if isinstance(task.task_spec.event_definition, TimerEventDefinition) and task.state == TaskState.WAITING:
            out[str(task.id)] = task.task_spec.bpmn_id or task.task_spec.name
    return out


APPLY: dict[str, Callable[..., Outcome]] = {
    "complete": complete,
    "fire_timers": fire_timers,
    "deliver_message": deliver_message,
    "cancel": cancel,
}

# Commands that never change the workflow: who holds a task, comments, attachments, documents.
NO_WORKFLOW_CHANGE = frozenset({"claim", "release", "comment", "attach", "document"})


def finish(wf: BpmnWorkflow, flavour: str) -> tuple[str, str]:
    """Prune, then serialize and hash: the stored state after a command."""
    state.prune(wf)
    text = state.dump(wf, flavour)
    return text, state.sha256_text(text)
