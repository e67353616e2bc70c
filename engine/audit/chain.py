"""Hashing and appending events. Each event's hash covers its own fields and the previous
event's hash, so editing, deleting or reordering any event breaks every hash after it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from engine.runtime.state import canonical_json
from engine.storage.models import AuditEvent

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"


def case_chain(case_id: int) -> str:
    return f"case:{case_id}"


def event_hash(
    *,
    chain: str,
    seq: int,
    at: datetime,
    actor: str,
    command: str,
    task_id: str | None,
    task_spec: str | None,
    payload: dict[str, Any],
    diff: dict[str, Any],
    state_hash: str,
    prev_hash: str,
    note: str = "",
) -> str:
    body = {
        "chain": chain,
        "seq": seq,
        # Hash the instant in UTC: the database gives it back in UTC whatever zone it came in.
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "command": command,
        "task_id": task_id,
        "task_spec": task_spec,
        "payload": payload,
        "diff": diff,
        "state_hash": state_hash,
        "prev_hash": prev_hash,
        "note": note,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def hash_of_row(ev: AuditEvent) -> str:
    return event_hash(
        chain=ev.chain, seq=ev.seq, at=ev.at, actor=ev.actor, command=ev.command, task_id=ev.task_id,
        task_spec=ev.task_spec, payload=ev.payload, diff=ev.diff, state_hash=ev.state_hash,
        prev_hash=ev.prev_hash, note=ev.note,
    )


_EVENTS = AuditEvent.__table__
_INSERT = insert(_EVENTS)


def append(
    session: Session,
    *,
    chain: str,
    case_id: int | None,
    seq: int,
    prev_hash: str,
    at: datetime,
    actor: str,
    command: str,
    payload: dict[str, Any],
    diff: dict[str, Any] | None = None,
    state_hash: str = "",
    task_id: str | None = None,
    task_spec: str | None = None,
    note: str = "",
) -> str:
    """Insert one event and return its hash (the next event's `prev_hash`)."""
    row = dict(chain=chain, seq=seq, at=at, actor=actor, command=command, task_id=task_id,
               task_spec=task_spec, payload=payload, diff=diff or {}, state_hash=state_hash,
               prev_hash=prev_hash, note=note)
    row["hash"] = event_hash(**row)
    session.execute(_INSERT, {**row, "case_id": case_id})
    return row["hash"]


def append_system(session: Session, *, at: datetime, actor: str, command: str,
                  payload: dict[str, Any], note: str = "") -> str:
    """Append to the system chain (deploys, user and role changes): commands that touch no case."""
    if session.get_bind().dialect.name == "postgresql":
        # The system chain has no row to lock before its first event; serialise writers instead.
        session.execute(text("SELECT pg_advisory_xact_lock(7231001)"))
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == SYSTEM_CHAIN)
        .order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    return append(session, chain=SYSTEM_CHAIN, case_id=None, seq=seq, prev_hash=prev, at=at,
                  actor=actor, command=command, payload=payload, note=note)


def chain_length(session: Session, chain: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.chain == chain)) or 0
