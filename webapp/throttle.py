"""Slowing down guessing: after a few failures for the same key (sign-in: username + address;
public verification: address), each further attempt must wait, twice as long after every
failure (capped); a quiet hour forgets the count, a success clears it.

The counters live in the database (`throttle_counters`), so every web process and machine
shares one count per key: adding processes does not multiply the free attempts. Time is the
wall clock (seconds since the epoch), the same on every machine that keeps its clock in sync.
A failure is one upsert, so two processes failing at once both count.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.storage.db import Database
from engine.storage.ops_models import ThrottleCounter


def key_hash(key: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()


class LoginThrottle:
    def __init__(self, db: Database, scope: str, free_attempts: int = 3, base_delay: float = 5.0,
                 max_delay: float = 900.0, forget_after: float = 3600.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.scope = scope
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.clock = clock

    def delay_after(self, failures: int) -> float:
        """Seconds an attempt must wait after `failures` failures in a row."""
        if failures < self.free_attempts:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** (failures - self.free_attempts))

    def retry_after(self, key: tuple[str, ...]) -> float:
        """Seconds until the next attempt for `key` is accepted (0: now)."""
        with self.db.read() as session:
            row = session.execute(select(ThrottleCounter.failures, ThrottleCounter.last_at).where(
                ThrottleCounter.scope == self.scope, ThrottleCounter.key_hash == key_hash(key))).first()
        if row is None:
            return 0.0
        waited = max(0.0, self.clock() - row.last_at)
        if waited >= self.forget_after:
            return 0.0
        return max(0.0, self.delay_after(row.failures) - waited)

    def failure(self, key: tuple[str, ...]) -> int:
        """Record a failure; returns the number of failures in a row (counted by every process)."""
        now = self.clock()
        table = ThrottleCounter.__table__
        insert = pg_insert if self.db.is_postgres else sqlite_insert
        stmt = insert(table).values(scope=self.scope, key_hash=key_hash(key), failures=1, last_at=now)
        forgotten = stmt.excluded.last_at - table.c.last_at >= self.forget_after
        stmt = stmt.on_conflict_do_update(
            index_elements=["scope", "key_hash"],
            set_={"failures": case((forgotten, 1), else_=table.c.failures + 1), "last_at": stmt.excluded.last_at},
        ).returning(table.c.failures)
        with self.db.transaction() as session:
            failures = session.execute(stmt).scalar_one()
            # Counters nobody touched for an hour are forgotten anyway: keep the table small.
            session.execute(delete(table).where(table.c.scope == self.scope,
                                                table.c.last_at < now - self.forget_after))
        return failures

    def success(self, key: tuple[str, ...]) -> None:
        with self.db.transaction() as session:
            session.execute(delete(ThrottleCounter).where(ThrottleCounter.scope == self.scope,
                                                          ThrottleCounter.key_hash == key_hash(key)))
