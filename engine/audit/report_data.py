"""What goes into one case's audit report: the case, the diagram with the path taken, every event
with who did it in which role, the verification result and the seal it was checked against —
gathered through the auditor's service, so building a report is a recorded look like any other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.audit.chain import case_chain
from engine.audit.report import CaseAuditReport, ReportEvent, ReportSeal
from engine.audit.verify import verify
from engine.queries.diagram import case_bpmn
from engine.storage.models import DefinitionVersion


def build_report(service, username: str, case_id: int, *, lang: str, generated_by: str,
                 at: datetime) -> CaseAuditReport:
    """`service` is the `AuditService`; the role is checked and the export recorded there."""
    header, replayed = service.replay(username, case_id, record=False)
    report = verify(service.db, case_id, specs=service.specs)
    with service.db.read() as session:
        bpmn = case_bpmn(session, case_id)
        content_hash = session.scalar(select(DefinitionVersion.content_hash)
                                      .where(DefinitionVersion.id == header.version_id)) or ""
        seal = _seal(session, case_chain(case_id))
    last = replayed.steps[-1] if replayed.steps else None
    events = [ReportEvent(seq=s.seq, at=s.at, actor=s.actor, actor_name=s.actor_name, role=s.role,
                          command=s.command, task_name=s.task_name or s.task_spec, submitted=s.submitted,
                          changes=s.changes(), hash=s.event_hash, state_hash=s.replayed_hash)
              for s in replayed.steps]
    service.record(username, "export", {"what": "report", "format": "pdf", "case_id": case_id,
                                        "verified": report.ok})
    return CaseAuditReport(
        case_id=header.id, process_id=header.process_id, process_name=header.process_name,
        version=header.version, content_hash=content_hash,
        unit=(header.unit_name_zh if lang == "zh" else header.unit_name_en) or header.unit_code,
        title=header.title, status=header.status, started_at=header.started_at, ended_at=header.ended_at,
        bpmn=bpmn, states=last.states() if last else {}, flows=last.flows if last else frozenset(),
        events=events, verified_ok=report.ok,
        findings=[f"{f.label(lang)} · {f.chain} · {f.seq if f.seq is not None else '—'}: {f.message}"
                  for f in report.findings],
        checked_events=report.checked_events, seal=seal, generated_at=at, generated_by=generated_by, lang=lang)


def _seal(session, chain: str) -> ReportSeal | None:
    try:
        from engine.audit.seal import covering_seal
    except ImportError:  # pragma: no cover
        return None
    found = covering_seal(session, chain)
    if found is None:
        return None
    seal, seq = found
    return ReportSeal(seal_id=seal.id, sealed_at=seal.sealed_at, key_id=seal.key_id, covered_seq=seq)
