"""Is this installation ready to serve? The database is reachable, its schema is this code's,
and a timer worker has been seen recently (`WAISHI_WORKER_STALE_SECONDS`, default 60)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from engine.ops import heartbeat
from engine.storage.db import Database
from engine.storage.schema import schema_state


def stale_after() -> timedelta:
    return timedelta(seconds=float(os.environ.get("WAISHI_WORKER_STALE_SECONDS", "60")))


@dataclass
class Readiness:
    ok: bool
    checks: dict[str, str] = field(default_factory=dict)


def readiness(db: Database, now: datetime | None = None, stale: timedelta | None = None) -> Readiness:
    now = now or datetime.now(UTC)
    stale = stale or stale_after()
    state = schema_state(db)
    checks = {"database": "unreachable" if state.kind == "unreachable" else "ok",
              "schema": state.kind if state.kind != "unreachable" else "unknown"}
    if state.ok:
        try:
            seen = heartbeat.last_seen(db)
        except SQLAlchemyError:
            seen = None
        if seen is None:
            checks["timer_worker"] = "never seen"
        elif now - seen > stale:
            checks["timer_worker"] = f"last seen {int((now - seen).total_seconds())} s ago"
        else:
            checks["timer_worker"] = "ok"
    else:
        checks["timer_worker"] = "unknown"
    return Readiness(all(v == "ok" or (k == "schema" and v == "current") for k, v in checks.items()), checks)
