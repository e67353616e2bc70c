"""`waishi audit verify` and the auditor's verify button: check every hash chain, re-execute every
case on its pinned version, and check the rows people read against what re-execution says.

- **chain** — each event's hash must equal the hash of its fields and the previous event's hash,
  and sequence numbers must run 1, 2, 3…: an edited, deleted, inserted or reordered row is caught
  and named (kinds below);
- **re-execution** — the recorded commands are applied to a fresh workflow of the pinned version
  (`engine.audit.replay`); the state hash after every event must equal the recorded one, and the
  last must equal the stored state;
- **projection** — the work items, the case's status and its data view must be what re-execution
  and the record say (an edited work item or case row is caught even though no event changed);
- **seals** — every event up to the last seal must match the signed chain heads
  (`engine.audit.seal`), so a consistent rewrite of a whole chain, or a deleted case, is caught.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.chain import GENESIS, SYSTEM_CHAIN, case_chain, hash_of_row
from engine.audit.replay import ReplayBroken, Step, initial_version, reexecute
from engine.definitions.cache import SpecCache
from engine.errors import WaishiError
from engine.runtime import path, projection, state
from engine.sandbox import make_script_engine
from engine.storage.db import Database
from engine.storage.models import AuditEvent, Case, WorkItem

# How a chain can break, as the report names it (zh, en).
FINDING_KINDS: dict[str, tuple[str, str]] = {
    "hash_mismatch": ("事件内容与其哈希不符（被修改）", "event content does not match its hash (edited)"),
    "link_broken": ("与前一事件的链接断开（事件被删除或插入）",
                    "link to the previous event broken (removed or inserted)"),
    "reorder": ("事件顺序被调换", "events reordered"),
    "gap": ("序号缺失或重复", "sequence gap or duplicate"),
    "last_hash": ("案件记录的末哈希与最后事件不符（末尾事件被删除）",
                  "the case's last hash does not match its last event (last event deleted)"),
    "state_differs": ("重新执行后的状态与记录不同", "re-executed state differs from the record"),
    "replay_failed": ("无法重新执行", "re-execution failed"),
    "path_differs": ("记录的路径与重新执行的不符", "recorded path differs from re-execution"),
    "state_altered": ("存储的流程状态被改动", "stored workflow state altered"),
    "projection_differs": ("待办或案件记录与历史不符", "work items or case row disagree with the history"),
    "case_missing": ("案件不存在", "case does not exist"),
    "seal_signature": ("封印签名无效", "seal signature invalid"),
    "seal_unknown_key": ("封印由未知密钥签署", "seal signed by an unknown key"),
    "seal_chain_broken": ("封印链断开（封印被删除或插入）", "seal chain broken (seal removed or inserted)"),
    "seal_mismatch": ("事件与封印记录的链头不符（整链被改写）",
                      "events do not match the sealed chain head (rewritten)"),
    "seal_missing_chain": ("已封印的链不存在（案件被删除）", "a sealed chain is gone (case deleted)"),
    "seal_missing": ("没有封印", "no seal"),
    "other": ("其他问题", "other problem"),
}


@dataclass
class Finding:
    """One thing verification found wrong. `kind` says how it broke (see FINDING_KINDS)."""

    chain: str
    seq: int | None
    message: str
    kind: str = "other"

    def label(self, lang: str = "zh") -> str:
        zh, en = FINDING_KINDS.get(self.kind, FINDING_KINDS["other"])
        return zh if lang == "zh" else en


@dataclass
class VerifyReport:
    checked_cases: int = 0
    checked_events: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    sealed: bool = False  # seals were checked (a signing or trusted key was configured)

    @property
    def ok(self) -> bool:
        return not self.findings

    def first_break(self, chain: str | None = None) -> Finding | None:
        """The earliest finding (of one chain, or of all): where an auditor starts reading."""
        mine = [f for f in self.findings if chain is None or f.chain == chain]
        return min(mine, key=lambda f: (f.chain != chain, f.seq is None, f.seq or 0), default=None)

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out


Progress = Callable[[int, int], None]


def verify(db: Database, case_id: int | None = None, *, system: bool = True, specs: SpecCache | None = None,
           progress: Progress | None = None, seals: bool = True) -> VerifyReport:
    """Verify one case, or every case and the system chain (`case_id` None). `progress(done,
    total)` is called after each case."""
    started = time.perf_counter()
    specs = specs or SpecCache()
    report = VerifyReport()
    engine = make_script_engine()
    with db.read() as session:
        ids = [case_id] if case_id is not None else list(session.scalars(select(Case.id).order_by(Case.id)))
        for done, cid in enumerate(ids, start=1):
            verify_case(session, cid, specs, engine, report)
            if progress is not None:
                progress(done, len(ids))
        if system and case_id is None:
            events = events_of(session, SYSTEM_CHAIN)
            report.checked_events += len(events)
            check_chain(SYSTEM_CHAIN, events, report)
        if seals:
            _check_seals(session, report, None if case_id is None else case_chain(case_id))
    report.seconds = time.perf_counter() - started
    return report


def verify_case(session: Session, case_id: int, specs: SpecCache, engine, report: VerifyReport) -> None:
    name = case_chain(case_id)
    case = session.get(Case, case_id)
    events = events_of(session, name)
    if case is None:
        report.findings.append(Finding(name, None, "case does not exist", "case_missing"))
        return
    report.checked_cases += 1
    report.checked_events += len(events)
    chain_ok = check_chain(name, events, report)
    if chain_ok and events and events[-1].hash != case.last_hash:
        report.findings.append(Finding(name, events[-1].seq, "the case's last hash does not match its last event",
                                       "last_hash"))
    last = _replay(session, case, events, specs, engine, report)
    if last is not None:
        _check_projection(session, case, events, last, report)


def events_of(session: Session, chain_name: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.chain == chain_name)
                                .order_by(AuditEvent.seq, AuditEvent.id)))


def check_chain(chain_name: str, events: Sequence[AuditEvent], report: VerifyReport) -> bool:
    """Recompute hashes and links; name each break. Rows are read in sequence order; their ids
    are the order they were written in, so a swap of sequence numbers shows as a reorder."""
    ok = True
    prev = GENESIS
    hashes = {ev.hash for ev in events}
    by_id = sorted(ev.id for ev in events)
    for index, ev in enumerate(events):
        expected_seq = index + 1
        if ev.seq != expected_seq:
            report.findings.append(Finding(chain_name, ev.seq, f"expected sequence number {expected_seq}", "gap"))
            ok = False
        if ev.prev_hash != prev:
            moved = ev.prev_hash in hashes or by_id[index] != ev.id
            message = ("events swapped or moved" if moved
                       else "previous-hash link broken (event removed, inserted or reordered)")
            report.findings.append(Finding(chain_name, ev.seq, message, "reorder" if moved else "link_broken"))
            ok = False
        if hash_of_row(ev) != ev.hash:
            report.findings.append(Finding(chain_name, ev.seq, "event content does not match its hash (edited)",
                                           "hash_mismatch"))
            ok = False
        prev = ev.hash
    return ok


def _replay(session: Session, case: Case, events: Sequence[AuditEvent], specs: SpecCache, engine,
            report: VerifyReport) -> Step | None:
    """Re-execute; return the last step when every state hash matched, else None."""
    name = case_chain(case.id)

    def resolve(version_id: int):
        return specs.for_version_id(session, version_id)

    try:
        loaded = resolve(initial_version(events, case.version_id))
    except WaishiError as exc:
        report.findings.append(Finding(name, None, f"pinned version cannot be loaded: {exc}", "replay_failed"))
        return None
    last: Step | None = None
    try:
        for step in reexecute(name, events, loaded, engine, resolve):
            if not step.matches:
                what = "changed the state hash" if not step.changed_workflow else "state differs"
                report.findings.append(Finding(name, step.event.seq, f"{step.event.command}: replayed {what}",
                                               "state_differs"))
                return None
            recorded = (step.event.payload or {}).get("path")
            if recorded is not None and _path_of(recorded) != _path_of(path.recorded(step.path, 0)):
                report.findings.append(Finding(name, step.event.seq, f"{step.event.command}: the recorded path "
                                               "differs from the re-executed one", "path_differs"))
                return None
            last = step
    except ReplayBroken as exc:
        report.findings.append(Finding(name, exc.seq, exc.message, exc.kind))
        return None
    if last is None:
        return None
    if last.digest != case.state_hash:
        report.findings.append(Finding(name, None, "stored state differs from the replayed state", "state_differs"))
        return None
    if state.sha256_text(case.state) != case.state_hash:
        report.findings.append(Finding(name, None, "stored state was altered (hash mismatch)", "state_altered"))
        return None
    return last


def _path_of(recorded: dict) -> tuple:
    return tuple(recorded.get("completed") or ()), tuple(recorded.get("flows") or ())


def _check_projection(session: Session, case: Case, events: Sequence[AuditEvent], last: Step,
                      report: VerifyReport) -> None:
    """Work items and the case row against re-execution and the record: the open items are the
    ready user tasks of the replayed workflow (lane = role, the case's unit), each completed item
    was completed by the event that says so, assignees follow the claim and release events, and
    the case's status and data are the replayed ones."""
    name = case_chain(case.id)
    wf = last.workflow

    def found(message: str) -> None:
        report.findings.append(Finding(name, None, message, "projection_differs"))

    completions = {ev.task_id: ev for ev in events if ev.command == "complete"}
    assignee: dict[str, str | None] = {}
    for ev in events:
        if ev.command in ("claim", "release") and ev.task_id:
            assignee[ev.task_id] = ev.actor if ev.command == "claim" else None
    ready = {str(t.id): t for t in projection.ready_user_tasks(wf)} if wf is not None else {}
    items = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id)).all()
    seen = set()
    for item in items:
        seen.add(item.task_id)
        done = completions.get(item.task_id)
        if item.state == "open":
            task = ready.get(item.task_id)
            if task is None:
                found(f"work item {item.task_id} ({item.spec_name}) is open but the task is not ready")
            elif (item.spec_name, item.role, item.unit_code) != (task.task_spec.bpmn_id, task.task_spec.lane or "",
                                                                  case.unit_code):
                found(f"work item {item.task_id} ({item.spec_name}) has another task, role or unit than its task")
            elif item.assignee != assignee.get(item.task_id):
                found(f"work item {item.task_id} ({item.spec_name}) is assigned to {item.assignee!r}, "
                      f"the record says {assignee.get(item.task_id)!r}")
        elif item.state == "completed":
            if done is None:
                found(f"work item {item.task_id} ({item.spec_name}) is completed but no event completed it")
            elif item.completed_by != done.actor or item.completed_at != done.at:
                found(f"work item {item.task_id} ({item.spec_name}) names another person or time than event "
                      f"{done.seq}")
        elif item.state == "cancelled":
            if done is not None or item.task_id in ready:
                found(f"work item {item.task_id} ({item.spec_name}) is cancelled but the record disagrees")
        else:
            found(f"work item {item.task_id} has an unknown state {item.state!r}")
    for task_id, task in ready.items():
        if task_id not in seen:
            found(f"task {task.task_spec.bpmn_id} ({task_id}) is ready but has no work item")
    if wf is not None:
        expected = _status(wf, events)
        if case.status != expected:
            found(f"case status is {case.status!r}, the record says {expected!r}")
        if (case.data or {}) != projection.case_data(wf):
            found("the case's data view differs from the replayed data")


def _status(wf, events: Sequence[AuditEvent]) -> str:
    if not wf.completed:
        return "running"
    if any(ev.command == "cancel" for ev in events):
        return "cancelled"
    return "completed" if wf.success else "cancelled"


def _check_seals(session: Session, report: VerifyReport, chain: str | None) -> None:
    """Seal findings, when a signing or trusted key is configured (`engine.audit.keys`)."""
    from engine.audit import keys, seal  # seal.py builds on this module's Finding

    trusted = keys.trusted_keys()
    if not trusted:
        return
    report.sealed = True
    report.findings.extend(seal.check_seals(session, trusted, chain=chain))
