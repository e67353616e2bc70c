"""The history timeline of a case, from its audit events: who did what when, on which task, and
what it changed in the case data. One query on the event chain's (chain, seq) index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from engine.audit.chain import case_chain
from engine.storage.models import AuditEvent, User, WorkItem


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: datetime
    actor: str
    actor_name: str | None
    command: str
    task_id: str | None
    task_spec: str | None
    task_name: str | None
    payload: dict[str, Any]
    diff: dict[str, Any]
    note: str
    hash: str

    @property
    def submitted(self) -> dict[str, Any]:
        """The data a person submitted with the command (completing a task, starting a case)."""
        data = self.payload.get("data")
        return data if isinstance(data, dict) else {}

    def changes(self) -> list[tuple[str, str, Any, Any]]:
        """The data diff as (kind, field, before, after) rows, kind ∈ added | changed | removed."""
        out: list[tuple[str, str, Any, Any]] = []
        for key, value in sorted((self.diff.get("added") or {}).items()):
            out.append(("added", key, None, value))
        for key, pair in sorted((self.diff.get("changed") or {}).items()):
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            out.append(("changed", key, before, after))
        for key, value in sorted((self.diff.get("removed") or {}).items()):
            out.append(("removed", key, value, None))
        return out


def timeline(session: Session, case_id: int) -> list[TimelineEntry]:
    """Every event of the case, oldest first. Check the viewer may read the case first."""
    query = (select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, User.display_name, AuditEvent.command,
                    AuditEvent.task_id, AuditEvent.task_spec, WorkItem.name, AuditEvent.payload, AuditEvent.diff,
                    AuditEvent.note, AuditEvent.hash)
             .outerjoin(User, User.username == AuditEvent.actor)
             .outerjoin(WorkItem, and_(WorkItem.case_id == case_id, WorkItem.task_id == AuditEvent.task_id))
             .where(AuditEvent.chain == case_chain(case_id))
             .order_by(AuditEvent.seq))
    return [TimelineEntry(seq=r[0], at=r[1], actor=r[2], actor_name=r[3], command=r[4], task_id=r[5],
                          task_spec=r[6], task_name=r[7], payload=dict(r[8] or {}), diff=dict(r[9] or {}),
                          note=r[10] or "", hash=r[11]) for r in session.execute(query)]
