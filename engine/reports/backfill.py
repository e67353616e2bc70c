"""Facts for cases that existed before the report (`waishi reports backfill`): each case's data
and status as stored, and the approval instant from its events — the first event whose data
diff brought the document number; their work items get the case's process and submission day.
Cases that already have facts are left alone."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import select, update

from engine.reports import facts
from engine.sandbox.helpers import CHINA_TZ
from engine.storage.db import Database
from engine.storage.models import AuditEvent, Case, WorkItem
from engine.storage.report_models import ReportFact

BATCH = 200


def backfill(db: Database, progress: Callable[[int], None] | None = None) -> int:
    done = 0
    while True:
        with db.transaction() as session:
            ids = session.scalars(select(Case.id).where(Case.id.not_in(select(ReportFact.case_id)))
                                  .order_by(Case.id).limit(BATCH)).all()
            if not ids:
                return done
            for case in session.scalars(select(Case).where(Case.id.in_(ids))):
                row = SimpleNamespace(id=case.id, process_id=case.process_id, unit_code=case.unit_code,
                                      status=case.status, started_at=case.started_at, data=case.data or {})
                facts.sync(session, row, None, case.started_at, first=True)
                at = _numbered_at(session, case.id)  # sync took the start as the approval: correct it
                session.execute(update(ReportFact).where(ReportFact.case_id == case.id).values(
                    approved_at=at, to_approval_s=None if at is None else max(
                        0, int((at - case.started_at).total_seconds()))))
                session.execute(update(WorkItem).where(WorkItem.case_id == case.id).values(
                    process_id=case.process_id, submitted_on=case.started_at.astimezone(CHINA_TZ).date()))
            done += len(ids)
        if progress:
            progress(len(ids))


def _numbered_at(session, case_id: int):
    for at, diff in session.execute(select(AuditEvent.at, AuditEvent.diff).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.seq)):
        diff = diff or {}
        added, changed = diff.get("added") or {}, diff.get("changed") or {}
        for key in facts.NUMBER_KEYS:
            value = added.get(key) if key in added else (changed[key][1] if key in changed else None)
            if isinstance(value, str) and value.strip():
                return at
    return None
