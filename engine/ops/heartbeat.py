"""Timer workers' heartbeats: each worker touches its row (host:pid) on every pass, so `/ready`
can tell whether any worker has been seen recently."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.storage.db import Database
from engine.storage.ops_models import WorkerHeartbeat

FORGET_AFTER = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(db: Database, name: str, started_at: datetime, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    table = WorkerHeartbeat.__table__
    insert = pg_insert if db.is_postgres else sqlite_insert
    stmt = insert(table).values(name=name, started_at=started_at, seen_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"seen_at": stmt.excluded.seen_at})
    with db.transaction() as session:
        session.execute(stmt)
        session.execute(delete(table).where(table.c.seen_at < now - FORGET_AFTER))


def stopped(db: Database, name: str) -> None:
    """A worker that stops cleanly removes its row."""
    with db.transaction() as session:
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


def last_seen(db: Database) -> datetime | None:
    with db.read() as session:
        return session.scalar(select(func.max(WorkerHeartbeat.seen_at)))
