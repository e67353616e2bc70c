"""The stored form of a running workflow: tasks and data only, never the spec.

The spec comes from the in-process cache keyed by the version's content hash; here we convert a
`BpmnWorkflow` to a plain dict without it and back, hash that dict canonically, and keep the
task tree small by pruning what lies above the oldest unfinished work (history lives in the
audit log, not in the tree).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import threading
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

STATE_FORMAT = 1


def _make_registry(config: dict):
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(dt.date, lambda v: {"value": v.isoformat()}, lambda d: dt.date.fromisoformat(d["value"]))
    registry.register(
        decimal.Decimal, lambda v: {"value": str(v)}, lambda d: decimal.Decimal(d["value"])
    )
    return registry


class _Codec:
    """A registry and its JSON encoder. The registry flips a mode flag while encoding, so each
    thread gets its own codec rather than sharing one."""

    def __init__(self, config: dict) -> None:
        self.registry = _make_registry(config)
        self.encoder = create_encoder(self.registry)


_CONFIGS = {"camunda": CAMUNDA_CONFIG, "spiff": SPIFF_CONFIG}
_local = threading.local()


def codec(flavour: str) -> _Codec:
    codecs = _local.__dict__.setdefault("codecs", {})
    if flavour not in codecs:
        codecs[flavour] = _Codec(_CONFIGS[flavour])
    return codecs[flavour]


def dump(wf: BpmnWorkflow, flavour: str) -> str:
    """The workflow as canonical JSON (sorted keys), without its spec or subprocess specs."""
    c = codec(flavour)
    registry = c.registry
    registry._encoder_mode = True
    try:
        dct = {
            "format": STATE_FORMAT,
            "data": registry.convert(registry.clean(wf.data)),
            "correlations": wf.correlations,
            "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
            "success": wf.success,
            "completed": wf.completed,
            "tasks": {str(k): _canonical_task(registry.convert(t)) for k, t in wf.tasks.items()},
            "root": str(wf.task_tree.id),
            "subprocesses": {str(k): _canonical_subprocess(registry.convert(sp)) for k, sp in wf.subprocesses.items()},
            "bpmn_events": registry.convert(wf.bpmn_events),
        }
        return json.dumps(dct, cls=c.encoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    finally:
        registry._encoder_mode = False


def _canonical_task(dct: dict[str, Any]) -> dict[str, Any]:
    # SpiffWorkflow lists deleted keys in the order of a set difference over the parent's dict,
    # which depends on insertion order; a reloaded dict has sorted keys. Sort, so the same state
    # always serializes (and hashes) the same, whether or not it was reloaded in between.
    delta = dct.get("delta")
    if delta and delta.get("deletions"):
        delta["deletions"] = sorted(delta["deletions"])
    return dct


def _canonical_subprocess(dct: dict[str, Any]) -> dict[str, Any]:
    for task in dct.get("tasks", {}).values():
        if isinstance(task, dict):
            _canonical_task(task)
    return dct


def load(text: str, spec, subprocess_specs: dict, flavour: str, script_engine) -> BpmnWorkflow:
    """Rebuild a workflow from `dump()` output around an already-parsed spec.

    The script engine is not part of the state: it is attached here, on every load, so a
    restored workflow can never fall back to SpiffWorkflow's unrestricted default."""
    registry = codec(flavour).registry
    dct = json.loads(text)
    wf = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    _restore_tasks(registry, dct["tasks"], dct["root"], wf)
    _restore_attributes(registry, dct, wf)
    _restore_subprocesses(registry, dct.get("subprocesses", {}), wf, wf)
    wf.bpmn_events = registry.restore(dct.get("bpmn_events", []))
    wf.script_engine = script_engine
    return wf


def _restore_tasks(registry, tasks: dict[str, Any], root: str, workflow) -> None:
    """Restore parents before children: a task's data is stored as a delta against its parent's,
    and the keys are sorted for hashing, so file order is not tree order."""
    workflow.tasks = {}
    queue = [root]
    while queue:
        tid = queue.pop()
        dct = tasks[tid]
        registry.restore(dct, workflow=workflow)  # Task() registers itself in workflow.tasks
        queue.extend(reversed(dct["children"]))
    workflow.task_tree = workflow.tasks[UUID(root)]


def _restore_attributes(registry, dct: dict[str, Any], workflow) -> None:
    workflow.success = dct["success"]
    workflow.completed = dct.get("completed", False)
    workflow.correlations = dct.get("correlations", {})
    workflow.last_task = workflow.tasks.get(UUID(dct["last_task"])) if dct.get("last_task") else None
    workflow.data = registry.restore(dct.get("data", {}))


def _restore_subprocesses(registry, subprocesses: dict[str, Any], workflow, top) -> None:
    for task in list(workflow.tasks.values()):
        sp_dct = subprocesses.get(str(task.id))
        if sp_dct is None or not isinstance(task.task_spec, SubWorkflowTask):
            continue
        sp_spec = top.subprocess_specs.get(task.task_spec.spec)
        sub = BpmnSubWorkflow(sp_spec, task.id, top, deserializing=True)
        _restore_tasks(registry, sp_dct["tasks"], sp_dct["root"], sub)
        _restore_attributes(registry, sp_dct, sub)
        top.subprocesses[task.id] = sub
        sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
        _restore_subprocesses(registry, subprocesses, sub, top)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def prune(wf: BpmnWorkflow) -> int:
    """Re-root the top-level task tree at the deepest completed task that every unfinished task
    descends from. Returns how many tasks were dropped.

    SpiffWorkflow keeps every task ever created, so each step costs O(tree) and a loop stalls at
    500 rounds (iterator depth 1000). Cutting above the common ancestor of all live work keeps
    open splits, joins and boundary events below the cut, where the engine still needs them.
    """
    if wf.completed:
        return 0
    live = [t for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not live:
        return 0
    paths = [_path_from_root(t) for t in live]
    common = paths[0]
    for path in paths[1:]:
        n = 0
        for a, b in zip(common, path, strict=False):
            if a is not b:
                break
            n += 1
        common = common[:n]
    # The deepest COMPLETED node on the common path, strictly above any live task.
    cut = None
    for task in common:
        if task.has_state(TaskState.COMPLETED) and not task.has_state(TaskState.NOT_FINISHED_MASK):
            cut = task
    if cut is None or cut is wf.task_tree:
        return 0
    keep: set = set()
    stack = [cut]
    while stack:
        t = stack.pop()
        keep.add(t.id)
        stack.extend(t.children)
    dropped = [tid for tid in wf.tasks if tid not in keep]
    # The new root carries the full data it already holds in memory; the serializer stores the
    # root's data whole and its descendants' as deltas, so nothing is lost for live tasks.
    cut._parent = None
    wf.task_tree = cut
    for tid in dropped:
        del wf.tasks[tid]
        wf.subprocesses.pop(tid, None)
    _drop_orphan_subprocesses(wf)
    if wf.last_task is not None and wf.last_task.id not in keep:
        wf.last_task = None
    return len(dropped)


def _drop_orphan_subprocesses(wf: BpmnWorkflow) -> None:
    """Subprocesses nested in a dropped subprocess are keyed by tasks of that subprocess, which
    are gone too; a reloaded workflow would not have them, so the live one must not either."""
    while True:
        alive = set(wf.tasks)
        for sub in wf.subprocesses.values():
            alive.update(sub.tasks)
        orphans = [sid for sid, sub in wf.subprocesses.items() if sub.parent_task_id not in alive]
        if not orphans:
            return
        for sid in orphans:
            del wf.subprocesses[sid]


def _path_from_root(task) -> list:
    path = []
    while task is not None:
        path.append(task)
        task = task.parent
    path.reverse()
    return path
