"""Marking in-app notifications read. A role notification is read per person: one row in
`notification_reads` for each reader. (Notifications are created by diagram code, see
`engine.runtime.outside`.) Reading is not an audited command: it changes no case and no rights."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.errors import NotFound
from engine.queries.notifications import addressed_ids
from engine.runtime.actors import load_actor
from engine.storage.db import Database
from engine.storage.models import NotificationRead


def mark_read(db: Database, username: str, notification_id: int, *, at: datetime | None = None) -> bool:
    """Mark one notification read for `username`. `NotFound` if it is not addressed to them;
    returns False if it was read already."""
    at = at or datetime.now(UTC)
    with db.transaction() as session:
        actor = load_actor(session, username)
        if not addressed_ids(session, actor, [notification_id], unread_only=False):
            raise NotFound(f"通知 {notification_id} 不存在", f"Notification {notification_id} does not exist")
        if not addressed_ids(session, actor, [notification_id]):
            return False
        _insert_reads(session, db, [notification_id], username, at)
        return True


def mark_all_read(db: Database, username: str, *, at: datetime | None = None) -> int:
    """Mark every unread notification of `username` read. Returns how many."""
    at = at or datetime.now(UTC)
    with db.transaction() as session:
        actor = load_actor(session, username)
        ids = addressed_ids(session, actor)
        if ids:
            _insert_reads(session, db, ids, username, at)
        return len(ids)


def _insert_reads(session, db: Database, ids: list[int], username: str, at: datetime) -> None:
    # Two tabs marking the same notification at once: the second insert is a no-op, not an error.
    insert = pg_insert if db.is_postgres else sqlite_insert
    session.execute(insert(NotificationRead.__table__).on_conflict_do_nothing(),
                    [{"notification_id": i, "username": username, "read_at": at} for i in ids])
