"""What the audit pages compute from the engine's answers: the context of one replay step, the
list of process versions for the heatmap, and the audit report PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit.service import AuditService
from engine.audit.stepper import CaseReplay
from engine.queries.cases import CaseHeader
from engine.queries.diagram import case_bpmn, element_names
from engine.queries.labels import field_labels
from engine.storage.models import Case, DefinitionVersion
from webapp.auth import current_user
from webapp.i18n import lang
from webapp.services import waishi


def audit_service() -> AuditService:
    return waishi().audit


def step_context(header: CaseHeader, replayed: CaseReplay, k: int) -> dict[str, Any]:
    """Everything a replay page or step panel shows at step k (1-based, clamped)."""
    total = len(replayed.steps)
    with waishi().db.read() as session:
        labels = field_labels(session, header.version_id, header.content_hash)
        names = element_names(case_bpmn(session, header.id))
    if not total:
        return {"step": None, "k": 0, "total": 0, "labels": labels, "names": names, "markers": {}}
    k = min(max(k, 1), total)
    step = replayed.step(k)
    states = step.states()
    rows = [(element, names.get(element, element), state) for element, state in states.items()]
    return {"step": step, "k": k, "total": total, "labels": labels, "names": names, "markers": step.markers(),
            "state_rows": sorted(rows, key=lambda r: ("current", "completed", "cancelled").index(r[2])),
            "first_break": next((f for f in replayed.findings), None)}


@dataclass(frozen=True)
class VersionChoice:
    id: int
    process_id: str
    name: str
    version: int
    content_hash: str
    cases: int


def process_versions(session: Session) -> list[VersionChoice]:
    """Every top-level process version that has cases, newest process version first."""
    counts = dict(session.execute(select(Case.version_id, func.count()).group_by(Case.version_id)).all())
    rows = session.execute(select(DefinitionVersion.id, DefinitionVersion.process_id, DefinitionVersion.name,
                                  DefinitionVersion.version, DefinitionVersion.content_hash)
                           .order_by(DefinitionVersion.process_id, DefinitionVersion.version.desc())).all()
    out = [VersionChoice(r.id, r.process_id, r.name or r.process_id, r.version, r.content_hash, counts.get(r.id, 0))
           for r in rows]
    return sorted(out, key=lambda v: (v.cases == 0, v.process_id, -v.version))


def report_pdf(username: str, case_id: int) -> bytes:
    """The audit report of one case: re-executed, verified, checked against its seal, rendered."""
    from engine.audit.report import render_report_pdf
    from engine.audit.report_data import build_report

    service = audit_service()
    data = build_report(service, username, case_id, lang=lang(),
                        generated_by=current_user().display_name, at=datetime.now(UTC))
    return render_report_pdf(data)
