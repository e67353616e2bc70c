"""The auditor's step-by-step replay of one case: at step k, what the diagram looked like (elements
completed, active and cancelled, flows taken so far), who did what in which role, what they
submitted, the diff that step caused, and the whole case data after it.

Every step comes from re-executing the recorded commands on the pinned version
(`engine.audit.replay`) and carries the check of its replayed state hash against the recorded one.
A case is re-executed once per change: the result is kept in a small in-process cache keyed by
(case, last event hash), so stepping back and forth through a 1,000-event case costs a dict
look-up. Each step keeps its data as compact JSON text, parsed only when that step is shown.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.chain import case_chain
from engine.audit.replay import ReplayBroken, initial_version, reexecute
from engine.audit.verify import Finding, VerifyReport, check_chain, events_of
from engine.definitions.cache import SpecCache
from engine.errors import NotFound, WaishiError
from engine.runtime.service import start_lane
from engine.runtime.state import canonical_json
from engine.sandbox import make_script_engine
from engine.storage.models import Case, User, WorkItem


@dataclass(frozen=True)
class ReplayStep:
    seq: int
    at: datetime
    actor: str
    actor_name: str | None
    role: str | None  # the lane role the actor acted in, where the command was on a task
    command: str
    task_id: str | None
    task_spec: str | None
    task_name: str | None
    payload: dict[str, Any]
    diff: dict[str, Any]
    recorded_hash: str  # the state hash the event recorded
    replayed_hash: str  # the state hash re-execution produced
    event_hash: str  # the event's own hash in its chain
    step_completed: tuple[str, ...]
    step_flows: tuple[str, ...]
    completed: frozenset[str]  # every element completed up to and including this step
    flows: frozenset[str]  # every flow taken so far
    cancelled: frozenset[str]  # elements that were live and were cancelled, up to this step
    current: tuple[str, ...]  # elements live after this step
    data_json: str

    @property
    def matches(self) -> bool:
        return self.recorded_hash == self.replayed_hash

    @property
    def submitted(self) -> dict[str, Any]:
        data = self.payload.get("data")
        return data if isinstance(data, dict) else {}

    def data(self) -> dict[str, Any]:
        return json.loads(self.data_json)

    def states(self) -> dict[str, str]:
        """One state per element, as the diagram marks it: current, else completed, else cancelled."""
        out = {e: "current" for e in self.current}
        for e in self.completed:
            out.setdefault(e, "completed")
        for e in self.cancelled:
            out.setdefault(e, "cancelled")
        return out

    def changes(self) -> list[tuple[str, str, Any, Any]]:
        out: list[tuple[str, str, Any, Any]] = []
        for key, value in sorted((self.diff.get("added") or {}).items()):
            out.append(("added", key, None, value))
        for key, pair in sorted((self.diff.get("changed") or {}).items()):
            before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            out.append(("changed", key, before, after))
        for key, value in sorted((self.diff.get("removed") or {}).items()):
            out.append(("removed", key, value, None))
        return out

    def markers(self) -> dict[str, Any]:
        """What the diagram viewer marks at this step (JSON for the page)."""
        return {"states": self.states(), "flows": sorted(self.flows), "step_flows": list(self.step_flows),
                "step_completed": list(self.step_completed)}


@dataclass(frozen=True)
class CaseReplay:
    case_id: int
    last_hash: str
    steps: list[ReplayStep]
    findings: list[Finding] = field(default_factory=list)  # chain breaks and replay mismatches

    @property
    def ok(self) -> bool:
        return not self.findings

    def step(self, k: int) -> ReplayStep:
        """Step k, 1-based and clamped to the steps there are."""
        if not self.steps:
            raise NotFound("此案件没有可重放的事件", "This case has no events to replay")
        return self.steps[min(max(k, 1), len(self.steps)) - 1]


class ReplayCache:
    """Re-executed cases, newest first, bounded by the number of steps held (not of cases)."""

    def __init__(self, max_steps: int = 20_000) -> None:
        self._items: OrderedDict[tuple[int, str], CaseReplay] = OrderedDict()
        self._max_steps = max_steps
        self._lock = threading.Lock()

    def get(self, session: Session, specs: SpecCache, case_id: int) -> CaseReplay:
        # Only the last hash on a hit: the whole row (with its state) is read on a miss alone.
        last_hash = session.scalar(select(Case.last_hash).where(Case.id == case_id))
        if last_hash is None:
            raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
        key = (case_id, last_hash)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        case = session.get(Case, case_id)
        replayed = replay_case(session, specs, case)  # outside the lock: it may take a while
        with self._lock:
            self._items[key] = replayed
            while sum(len(r.steps) for r in self._items.values()) > self._max_steps and len(self._items) > 1:
                self._items.popitem(last=False)
        return replayed


def replay_case(session: Session, specs: SpecCache, case: Case) -> CaseReplay:
    """Re-execute a case and keep every step for the viewer."""
    name = case_chain(case.id)
    events = events_of(session, name)
    report = VerifyReport()
    check_chain(name, events, report)
    names = _actor_names(session, {ev.actor for ev in events})
    items = {r.task_id: (r.role, r.name) for r in session.execute(
        select(WorkItem.task_id, WorkItem.role, WorkItem.name).where(WorkItem.case_id == case.id))}
    steps: list[ReplayStep] = []
    completed: set[str] = set()
    flows: set[str] = set()
    cancelled: set[str] = set()
    data_json = "{}"
    try:
        def resolve(version_id: int):
            return specs.for_version_id(session, version_id)

        loaded = resolve(initial_version(events, case.version_id))
        start_role = start_lane(loaded.spec)
        for step in reexecute(name, events, loaded, make_script_engine(), resolve):
            ev = step.event
            completed.update(step.path.completed)
            flows.update(step.path.flows)
            cancelled.update(step.path.cancelled)
            if step.changed_workflow:
                data_json = canonical_json(step.data())
            role, task_name = items.get(ev.task_id or "", (None, None))
            steps.append(ReplayStep(
                seq=ev.seq, at=ev.at, actor=ev.actor, actor_name=names.get(ev.actor),
                role=role or (start_role if ev.command == "start" else None),
                command=ev.command, task_id=ev.task_id, task_spec=ev.task_spec, task_name=task_name,
                payload=dict(ev.payload or {}), diff=dict(ev.diff or {}), recorded_hash=ev.state_hash,
                replayed_hash=step.digest, event_hash=ev.hash, step_completed=step.path.completed,
                step_flows=step.path.flows,
                completed=frozenset(completed), flows=frozenset(flows), cancelled=frozenset(cancelled),
                current=step.path.live, data_json=data_json))
            if not step.matches:
                report.findings.append(Finding(name, ev.seq, f"{ev.command}: replayed state differs", "state_differs"))
                break
    except ReplayBroken as exc:
        report.findings.append(Finding(name, exc.seq, exc.message, exc.kind))
    except WaishiError as exc:
        report.findings.append(Finding(name, None, f"pinned version cannot be loaded: {exc}", "replay_failed"))
    return CaseReplay(case.id, case.last_hash, steps, report.findings)


def _actor_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    return dict(session.execute(select(User.username, User.display_name).where(User.username.in_(usernames))).all())
