"""`waishi audit verify`: recompute every hash chain and replay every case on its pinned version.

Chain check: each event's hash must equal the hash of its fields and the previous event's hash,
and sequence numbers must run 1, 2, 3… — so an edited, deleted or reordered row is caught.
Replay: the recorded commands are applied to a fresh workflow of the case's pinned version, in
the same command context (seeded ids, recorded instant); the state hash after every event must
equal the one the event recorded, and the last must equal the stored state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.chain import GENESIS, SYSTEM_CHAIN, case_chain, hash_of_row
from engine.definitions.cache import SpecCache
from engine.determinism import command_context
from engine.errors import WaishiError
from engine.runtime import effects, state
from engine.sandbox import make_script_engine
from engine.side_effects import ReplayMismatch, effect_log
from engine.storage.db import Database
from engine.storage.models import AuditEvent, Case


@dataclass
class Finding:
    chain: str
    seq: int | None
    message: str


@dataclass
class VerifyReport:
    checked_cases: int = 0
    checked_events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(db: Database, case_id: int | None = None, *, system: bool = True,
           specs: SpecCache | None = None) -> VerifyReport:
    specs = specs or SpecCache()
    report = VerifyReport()
    engine = make_script_engine()
    with db.read() as session:
        ids = [case_id] if case_id is not None else list(session.scalars(select(Case.id).order_by(Case.id)))
        for cid in ids:
            case = session.get(Case, cid)
            if case is None:
                report.findings.append(Finding(case_chain(cid), None, "case does not exist"))
                continue
            events = _events(session, case_chain(cid))
            report.checked_cases += 1
            report.checked_events += len(events)
            chain_ok = _check_chain(case_chain(cid), events, report)
            if chain_ok and events and events[-1].hash != case.last_hash:
                report.findings.append(Finding(case_chain(cid), events[-1].seq,
                                               "the case's last hash does not match its last event"))
            _replay(case, events, specs, engine, report)
        if system and case_id is None:
            events = _events(session, SYSTEM_CHAIN)
            report.checked_events += len(events)
            _check_chain(SYSTEM_CHAIN, events, report)
    return report


def _events(session: Session, chain_name: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.chain == chain_name)
                                .order_by(AuditEvent.seq, AuditEvent.id)))


def _check_chain(chain_name: str, events: list[AuditEvent], report: VerifyReport) -> bool:
    ok = True
    prev = GENESIS
    for expected_seq, ev in enumerate(events, start=1):
        if ev.seq != expected_seq:
            report.findings.append(Finding(chain_name, ev.seq, f"sequence gap or reorder: expected {expected_seq}"))
            ok = False
        if ev.prev_hash != prev:
            report.findings.append(Finding(chain_name, ev.seq, "previous-hash link broken (event removed, "
                                                               "inserted or reordered)"))
            ok = False
        if hash_of_row(ev) != ev.hash:
            report.findings.append(Finding(chain_name, ev.seq, "event content does not match its hash (edited)"))
            ok = False
        prev = ev.hash
    return ok


def _replay(case: Case, events: list[AuditEvent], specs: SpecCache, engine, report: VerifyReport) -> None:
    name = case_chain(case.id)
    try:
        loaded = specs.get(case.version)
    except WaishiError as exc:
        report.findings.append(Finding(name, None, f"pinned version cannot be loaded: {exc}"))
        return
    wf = None
    digest = ""
    for ev in events:
        try:
            context = command_context(name, ev.seq, ev.at, ev.actor)
            with context, effect_log(replay=ev.payload.get("effects", [])) as log:
                if ev.command == "start":
                    wf = effects.start(loaded, ev.payload, engine).workflow
                elif ev.command in effects.NO_WORKFLOW_CHANGE:
                    if ev.state_hash != digest:
                        report.findings.append(Finding(name, ev.seq, f"{ev.command} changed the state hash"))
                        return
                    continue
                elif wf is None:
                    report.findings.append(Finding(name, ev.seq, "history does not begin with a start event"))
                    return
                else:
                    apply = effects.APPLY[ev.command]
                    if ev.command == "complete":
                        apply(wf, ev.payload, ev.task_id)
                    else:
                        apply(wf, ev.payload)
                if log.replaying:
                    raise ReplayMismatch(f"recorded outside calls were not made again: {log.replaying}")
                text, digest = effects.finish(wf, loaded.flavour)
                # Reload, as the live system does between commands, so replay walks the same path.
                wf = state.load(text, loaded.spec, loaded.subprocess_specs, loaded.flavour, engine)
        except Exception as exc:  # a tampered history may break replay in any way: report, never crash
            report.findings.append(Finding(name, ev.seq, f"replay failed at {ev.command}: {exc}"))
            return
        if digest != ev.state_hash:
            report.findings.append(Finding(name, ev.seq, f"replayed state differs after {ev.command}"))
            return
    if events and digest != case.state_hash:
        report.findings.append(Finding(name, None, "stored state differs from the replayed state"))
    elif events and state.sha256_text(case.state) != case.state_hash:
        report.findings.append(Finding(name, None, "stored state was altered (hash mismatch)"))
