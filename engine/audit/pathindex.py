"""`case_path` from the audit events. Every command records the path it took in its event
(`payload.path`: the version it ran on, the elements it completed, the flows it took — computed by
`engine.runtime.path`, and re-checked by verification against re-execution); this indexes those
records into rows the heatmap groups in SQL. Keeping it out of the command's transaction keeps
commands one statement shorter; the worker keeps the index current, and the heatmap catches up
before it counts, so its figures are always complete."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from engine.storage.db import Database
from engine.storage.models import AuditEvent, CasePath, PathIndex

BATCH = 5000
_LOCK = 7231003


def catch_up(db: Database) -> int:
    """Index every event not indexed yet; returns how many path rows were written."""
    written = 0
    while True:
        with db.transaction() as session:
            n, more = _batch(session, db.is_postgres)
        written += n
        if not more:
            return written


def _batch(session: Session, postgres: bool) -> tuple[int, bool]:
    if postgres:
        from sqlalchemy import text

        session.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK})"))
    state = session.get(PathIndex, 1)
    if state is None:
        state = PathIndex(id=1, last_event_id=0)
        session.add(state)
        session.flush()
    events = session.execute(select(AuditEvent.id, AuditEvent.case_id, AuditEvent.seq, AuditEvent.at,
                                    AuditEvent.payload)
                             .where(AuditEvent.id > state.last_event_id, AuditEvent.case_id.is_not(None))
                             .order_by(AuditEvent.id).limit(BATCH)).all()
    rows = []
    for event_id, case_id, seq, at, payload in events:
        path = (payload or {}).get("path") or {}
        version_id = path.get("version_id")
        if version_id is None:
            continue
        for kind, key in (("element", "completed"), ("flow", "flows")):
            rows += [{"case_id": case_id, "version_id": version_id, "seq": seq, "event_id": event_id, "kind": kind,
                      "element_id": str(element)[:128], "at": at} for element in path.get(key) or ()]
    if rows:
        session.execute(insert(CasePath.__table__), rows)
    if events:
        session.execute(update(PathIndex).where(PathIndex.id == 1).values(last_event_id=events[-1][0]))
    return len(rows), len(events) == BATCH


def recorded_path(payload: dict | None) -> dict:
    return (payload or {}).get("path") or {}
