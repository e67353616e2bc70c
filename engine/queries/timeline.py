"""The history timeline of a case, from its audit events: who did what when, on which task, and
what it changed in the case data. One query on the event chain's (chain, seq) index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
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
    rows = session.execute(_TIMELINE, {"c": case_id, "chain": case_chain(case_id)})
    return [TimelineEntry(seq=r[0], at=r[1], actor=r[2], actor_name=r[3], command=r[4], task_id=r[5],
                          task_spec=r[6], task_name=r[7], payload=dict(r[8] or {}), diff=dict(r[9] or {}),
                          note=r[10] or "", hash=r[11]) for r in rows]


def _timeline() -> Select:
    events, users, items = AuditEvent.__table__, User.__table__, WorkItem.__table__
    return (select(events.c.seq, events.c.at, events.c.actor, users.c.display_name, events.c.command,
                   events.c.task_id, events.c.task_spec, items.c.name, events.c.payload, events.c.diff,
                   events.c.note, events.c.hash)
            .select_from(events.outerjoin(users, users.c.username == events.c.actor)
                         .outerjoin(items, and_(items.c.case_id == bindparam("c"),
                                                items.c.task_id == events.c.task_id)))
            .where(events.c.chain == bindparam("chain"))
            .order_by(events.c.seq))


# Built once (engine/queries/statements.py says why): every case and task page runs it.
_TIMELINE = _timeline()
