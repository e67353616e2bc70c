"""Read-only views of a case the runner needs: open work items, completion order, a fingerprint
to prove a refused command changed nothing. Plain queries, never a workflow load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.audit.chain import case_chain
from engine.runtime import outside
from engine.storage.db import Database
from engine.storage.models import AuditEvent, Case, Notification, WorkItem


@dataclass(frozen=True)
class OpenItem:
    task_id: str
    spec_name: str
    name: str
    role: str
    escalated_role: str | None
    version: int

    def label(self) -> str:
        extra = f"→{self.escalated_role}" if self.escalated_role else ""
        return f"{self.spec_name} [{self.role}{extra}]"


@dataclass(frozen=True)
class CaseState:
    status: str
    unit_code: str | None
    next_timer_at: datetime | None
    data: dict[str, Any]


@dataclass(frozen=True)
class NotificationRow:
    kind: str
    role: str | None
    username: str | None
    unit_code: str | None
    text_zh: str
    text_en: str

    def describe(self, lang: str = "zh") -> str:
        to = self.username or "/".join(x for x in (self.role, self.unit_code) if x) or "?"
        return f"{self.kind} → {to} “{self.text_en if lang.startswith('en') else self.text_zh}”"


def open_items(db: Database, case_id: int) -> list[OpenItem]:
    query = (select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.state == "open")
             .order_by(WorkItem.spec_name, WorkItem.id))
    with db.read() as session:
        return [OpenItem(w.task_id, w.spec_name, w.name, w.role, w.escalated_role, w.version)
                for w in session.scalars(query)]


def case_state(db: Database, case_id: int) -> CaseState:
    with db.read() as session:
        case = session.get(Case, case_id)
        return CaseState(case.status, case.unit_code, case.next_timer_at, dict(case.data or {}))


def completed_roles(db: Database, case_id: int) -> list[str]:
    """Lane roles of the completed work items, in the order their `complete` events were recorded."""
    with db.read() as session:
        task_ids = list(session.scalars(
            select(AuditEvent.task_id).where(AuditEvent.chain == case_chain(case_id),
                                             AuditEvent.command == "complete").order_by(AuditEvent.seq)))
        roles = {row.task_id: row.role for row in session.execute(
            select(WorkItem.task_id, WorkItem.role).where(WorkItem.case_id == case_id))}
    return [roles.get(t, "?") for t in task_ids]


def last_event_payload(db: Database, case_id: int) -> dict[str, Any]:
    with db.read() as session:
        payload = session.scalar(select(AuditEvent.payload).where(AuditEvent.chain == case_chain(case_id))
                                 .order_by(AuditEvent.seq.desc()).limit(1))
    return payload or {}


def notifications(db: Database, case_id: int) -> list[NotificationRow]:
    """The case's notifications, oldest first."""
    query = (select(Notification.kind, Notification.role, Notification.username, Notification.unit_code,
                    Notification.text_zh, Notification.text_en)
             .where(Notification.case_id == case_id).order_by(Notification.id))
    with db.read() as session:
        return [NotificationRow(*row) for row in session.execute(query)]


def unit_held(db: Database, unit_code: str | None) -> bool:
    with db.read() as session:
        return outside.unit_held(session, unit_code)


def fingerprint(db: Database, case_id: int) -> tuple:
    """Everything a command could change: the case row's chain and state, and every work item —
    and the number of cases, so a refused start is seen to have started nothing."""
    with db.read() as session:
        case = session.get(Case, case_id)
        items = session.execute(
            select(WorkItem.task_id, WorkItem.state, WorkItem.version, WorkItem.assignee, WorkItem.escalated_role)
            .where(WorkItem.case_id == case_id).order_by(WorkItem.task_id)).all()
        cases = session.scalar(select(func.count()).select_from(Case))
        return (case.seq, case.last_hash, case.state_hash, case.status, case.next_timer_at,
                tuple(tuple(row) for row in items), cases)
