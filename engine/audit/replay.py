"""Re-executing a case's recorded commands on its pinned version, one event at a time.

This is the one replay loop: verification compares each step's state hash with the recorded one,
and the auditor's step-by-step viewer keeps each step's path and data. Each command runs with the
same effect function the live command used, inside the same command context (seeded ids, the
recorded instant, the recorded outside-call results), and the workflow is reloaded from its
serialized state between commands, as the live system does, so replay walks the same path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.determinism import command_context
from engine.runtime import effects, path, projection, state
from engine.runtime.effects import LoadedSpec
from engine.runtime.path import StepPath
from engine.side_effects import ReplayMismatch, effect_log
from engine.storage.models import AuditEvent


class ReplayBroken(Exception):
    """Replay could not go on at event `seq`: the history is not one the engine could have written."""

    def __init__(self, seq: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.seq, self.kind, self.message = seq, kind, message


@dataclass(frozen=True)
class Step:
    event: AuditEvent
    digest: str  # the replayed state hash after the event
    path: StepPath  # what the event did on the diagram (empty for events that leave the workflow alone)
    changed_workflow: bool
    workflow: BpmnWorkflow | None  # after the event, reloaded from its serialized state

    @property
    def matches(self) -> bool:
        return self.digest == self.event.state_hash

    def data(self) -> dict[str, Any]:
        """The case data after the event, as the case page would have shown it."""
        return projection.case_data(self.workflow) if self.workflow is not None else {}


Resolve = Callable[[int], LoadedSpec]


def initial_version(events: Sequence[AuditEvent], current_version_id: int) -> int:
    """The version a case started on: the one its first migration left, else the current one."""
    for ev in events:
        if ev.command == "migrate":
            return int((ev.payload or {}).get("from_version_id", current_version_id))
    return current_version_id


def reexecute(chain_name: str, events: Sequence[AuditEvent], loaded: LoadedSpec, engine,
              resolve: Resolve | None = None) -> Iterator[Step]:
    """Yield one `Step` per event, oldest first, starting on `loaded` (the case's first version;
    a `migrate` event moves on to the version it names, through `resolve`). Raises `ReplayBroken`
    where the history cannot be replayed; a state that merely differs is the caller's to judge
    (`Step.matches`)."""
    wf: BpmnWorkflow | None = None
    digest = ""
    live: frozenset[str] = frozenset()
    for ev in events:
        if ev.command in effects.NO_WORKFLOW_CHANGE:
            yield Step(ev, digest, StepPath(live=_live_elements(wf, loaded), live_ids=live), False, wf)
            continue
        if ev.command != "start" and wf is None:
            raise ReplayBroken(ev.seq, "replay_failed", "history does not begin with a start event")
        try:
            with command_context(chain_name, ev.seq, ev.at, ev.actor), \
                    effect_log(replay=(ev.payload or {}).get("effects", [])) as log:
                if ev.command == "migrate":
                    wf, loaded = _migrate(wf, ev, resolve)
                else:
                    wf = _apply(wf, ev, loaded, engine)
                if log.replaying:
                    raise ReplayMismatch(f"recorded outside calls were not made again: {log.replaying}")
                step = path.step_path(wf, ev.at, loaded.diagram, live)
                text, digest = effects.finish(wf, loaded.flavour)
                wf = state.load(text, loaded.spec, loaded.subprocess_specs, loaded.flavour, engine)
        except ReplayBroken:
            raise
        except Exception as exc:  # a tampered history may break replay in any way: report, never crash
            raise ReplayBroken(ev.seq, "replay_failed", f"replay failed at {ev.command}: {exc}") from exc
        live = step.live_ids
        yield Step(ev, digest, step, True, wf)


def _apply(wf: BpmnWorkflow | None, ev: AuditEvent, loaded: LoadedSpec, engine) -> BpmnWorkflow:
    payload = ev.payload or {}
    if ev.command == "start":
        return effects.start(loaded, payload, engine).workflow
    apply = effects.APPLY.get(ev.command)
    if apply is None:
        raise ReplayBroken(ev.seq, "replay_failed", f"unknown command {ev.command!r}")
    assert wf is not None
    if ev.command == "complete":
        apply(wf, payload, ev.task_id)
    else:
        apply(wf, payload)
    return wf


def _migrate(wf: BpmnWorkflow | None, ev: AuditEvent, resolve: Resolve | None) -> tuple[BpmnWorkflow, LoadedSpec]:
    from engine.authoring.migration import migrate

    target = (ev.payload or {}).get("to_version_id")
    if resolve is None or target is None or wf is None:
        raise ReplayBroken(ev.seq, "replay_failed", "a migration cannot be replayed without its target version")
    new = resolve(int(target))
    migrate(wf, new)
    return wf, new


def _live_elements(wf: BpmnWorkflow | None, loaded: LoadedSpec) -> tuple[str, ...]:
    if wf is None:
        return ()
    return tuple(t.task_spec.bpmn_id for t in wf.get_tasks(state=path.LIVE)
                 if t.task_spec.bpmn_id and (not loaded.diagram.elements
                                             or t.task_spec.bpmn_id in loaded.diagram.elements))
