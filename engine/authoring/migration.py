"""Moving running cases of an older version of a process to a newer one, where it is safe.

Safe means: no diagram element the case already executed, or is at now, changed or vanished in
the new version — SpiffWorkflow's `bpmn.util.diff` aligns the two specs by element id and names
the task specs that were removed or whose attributes changed. Executed elements come from the
case's recorded path (`case_path`, every element every command completed — pruning has dropped
their tasks from the tree); live ones from the workflow. Called processes (passport_visa,
post_trip) are compared the same way while the case is inside one.

The move itself is `migrate(wf, old, new)`: a pure function of the workflow and the two specs,
run by the live command and by replay alike, so a migrated case still verifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import state
from engine.runtime.effects import LoadedSpec

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Refusal:
    element_id: str
    element_name: str
    reason: str  # removed | changed | process_removed
    changes: tuple[str, ...] = ()

    @property
    def message_zh(self) -> str:
        if self.reason == "removed":
            return f"已执行或正在办理的环节“{self.element_name}”在新版本中已删除"
        if self.reason == "process_removed":
            return f"正在执行的子流程“{self.element_name}”在新版本中不存在"
        return f"已执行或正在办理的环节“{self.element_name}”在新版本中已修改（{', '.join(self.changes)}）"

    @property
    def message_en(self) -> str:
        if self.reason == "removed":
            return f"'{self.element_name}' was executed or is active, and the new version removed it"
        if self.reason == "process_removed":
            return f"the called process '{self.element_name}' is running and the new version does not have it"
        changes = ", ".join(self.changes)
        return f"'{self.element_name}' was executed or is active, and the new version changed it ({changes})"


@dataclass(frozen=True)
class MigrationPlan:
    refusals: tuple[Refusal, ...] = ()
    touched_later: tuple[str, ...] = field(default=())  # changed elements the case has not reached yet

    @property
    def safe(self) -> bool:
        return not self.refusals


def plan(wf: BpmnWorkflow, executed: set[str], old: LoadedSpec, new: LoadedSpec) -> MigrationPlan:
    """Whether `wf` (on `old`) can move to `new`; `executed` are the element ids its history passed."""
    registry = state.codec(old.flavour).registry
    top = SpecDiff(registry, old.spec, new.spec)
    reached = executed | {t.task_spec.name for t in wf.get_tasks(state=_LIVE, skip_subprocesses=True)}
    in_tree = {t.task_spec.name for t in wf.get_tasks(skip_subprocesses=True)}
    refusals = list(_refusals(top, reached, in_tree))
    later = sorted({s.name for s in top.changed if s.name not in reached and getattr(s, "bpmn_id", None)}
                   | {s.name for s in top.removed if s.name not in reached and getattr(s, "bpmn_id", None)})
    for sub in wf.subprocesses.values():
        if sub.completed:
            continue
        name = sub.spec.name
        target = new.subprocess_specs.get(name)
        if target is None:
            refusals.append(Refusal(name, sub.spec.description or name, "process_removed"))
            continue
        live = {t.task_spec.name for t in sub.get_tasks(state=_LIVE | TaskState.COMPLETED)}
        refusals.extend(_refusals(SpecDiff(registry, sub.spec, target), live,
                                  {t.task_spec.name for t in sub.get_tasks()}))
    return MigrationPlan(tuple(refusals), tuple(later))


def migrate(wf: BpmnWorkflow, new: LoadedSpec) -> None:
    """Re-point `wf` and its running subprocesses at the new specs, in place."""
    registry = state.codec(new.flavour).registry
    top = WorkflowDiff(wf, SpecDiff(registry, wf.spec, new.spec))
    _migrate_keeping_state(top, wf, new.spec)
    wf.subprocess_specs = new.subprocess_specs
    for sub in list(wf.subprocesses.values()):
        target = new.subprocess_specs.get(sub.spec.name)
        if target is not None:
            _migrate_keeping_state(WorkflowDiff(sub, SpecDiff(registry, sub.spec, target)), sub, target)


def _migrate_keeping_state(diff: WorkflowDiff, workflow, spec) -> None:
    # Ready tasks are reset so that what follows them is predicted from the new spec; waiting ones
    # (timers, messages) are left alone — resetting them would restart their deadlines. `plan`
    # refuses any case whose tree still holds a task of a removed element, so nothing dangles.
    migrate_workflow(diff, workflow, spec, reset_mask=TaskState.READY)


def _refusals(diff: SpecDiff, reached: set[str], in_tree: set[str]):
    for spec in diff.removed:
        if (spec.name in reached or spec.name in in_tree) and getattr(spec, "bpmn_id", None):
            yield Refusal(spec.name, spec.bpmn_name or spec.name, "removed")
    for spec, changes in diff.changed.items():
        if spec.name in reached and getattr(spec, "bpmn_id", None):
            yield Refusal(spec.name, spec.bpmn_name or spec.name, "changed", tuple(sorted(changes)))
