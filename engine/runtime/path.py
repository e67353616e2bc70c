"""The path one command took through the diagram: the elements it completed, the sequence flows
it took, what it cancelled, and what is live afterwards.

The live command and the auditor's replay call the same function on the same workflow at the
same point (after the engine ran, before pruning), so the heatmap's rows and the replay viewer's
markers are one computation. SpiffWorkflow stamps every state change with the clock, which is the
command's instant inside `command_context`: a task whose stamp is that instant changed in this
command. A flow into element X is taken in the command in which X is first reached (becomes
waiting, ready, running or completed without having been live before), from X's nearest diagram
ancestor in the task tree; internal specs (BoundaryEventSplit, EndJoin, …) have no diagram id
and are looked through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.definitions.flows import DiagramIndex

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_REACHED = LIVE | TaskState.COMPLETED | TaskState.ERROR
_SAME_INSTANT = 1e-6


@dataclass(frozen=True)
class StepPath:
    completed: tuple[str, ...] = ()  # element ids completed by this command, in tree order
    flows: tuple[str, ...] = ()  # sequence-flow ids taken by this command
    cancelled: tuple[str, ...] = ()  # element ids that were live and were cancelled by it
    live: tuple[str, ...] = ()  # element ids live after it (open tasks, waiting events)
    live_ids: frozenset[str] = frozenset()  # task ids live after it: the next command's `before`


def all_tasks(wf: BpmnWorkflow):
    """Every task of the workflow and its subprocesses, straight from their task maps: several
    times cheaper than SpiffWorkflow's tree iterator, and order does not matter here."""
    yield from wf.tasks.values()
    for sub in wf.subprocesses.values():
        yield from sub.tasks.values()


def live_task_ids(wf: BpmnWorkflow | None, diagram: DiagramIndex) -> frozenset[str]:
    """Ids of the live tasks of diagram elements: what a command's path is compared against."""
    if wf is None:
        return frozenset()
    return frozenset(str(t.id) for t in all_tasks(wf) if t.state & LIVE and _drawn(t, diagram))


def step_path(wf: BpmnWorkflow, at: datetime, diagram: DiagramIndex, before_live: frozenset[str]) -> StepPath:
    """What the command at instant `at` did, given the live task ids before it."""
    stamp = at.timestamp()
    completed: list[str] = []
    flows: list[str] = []
    cancelled: list[str] = []
    live: list[str] = []
    live_ids: set[str] = set()
    for task in all_tasks(wf):
        if not _drawn(task, diagram):
            continue
        element, tid = task.task_spec.bpmn_id, str(task.id)
        if task.state & LIVE:
            live.append(element)
            live_ids.add(tid)
        changed = abs((task.last_state_change or 0) - stamp) < _SAME_INSTANT
        if not changed:
            continue
        if task.state == TaskState.COMPLETED:
            completed.append(element)
        elif task.state == TaskState.CANCELLED and tid in before_live:
            cancelled.append(element)
        if task.state & _REACHED and tid not in before_live:
            flow = diagram.flow(_source(task), element)
            if flow is not None:
                flows.append(flow)
    return StepPath(tuple(completed), tuple(flows), tuple(cancelled), tuple(live), frozenset(live_ids))


def _drawn(task, diagram: DiagramIndex) -> bool:
    element = task.task_spec.bpmn_id
    return element is not None and (not diagram.elements or element in diagram.elements)


def _source(task) -> str | None:
    """The diagram id of the nearest ancestor that is a diagram element (in this workflow or,
    for the first task of an embedded subprocess, its subprocess task)."""
    parent = task.parent
    while parent is not None:
        if parent.task_spec.bpmn_id is not None:
            return parent.task_spec.bpmn_id
        parent = parent.parent
    return None


def recorded(step: StepPath, version_id: int) -> dict:
    """The path as an event records it: sets, sorted (the live and the replayed workflow may list
    their tasks in different orders)."""
    return {"version_id": version_id, "completed": sorted(set(step.completed)), "flows": sorted(set(step.flows))}
