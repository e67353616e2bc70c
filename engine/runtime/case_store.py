"""The case row on the command path, read and written with prebuilt Core statements.

Commands touch one case row, one or two work items and one event; going through the ORM's
identity map and unit of work for that costs more than the engine step itself, so the hot path
uses plain statements on the mapped tables, written in exactly one place (`save`)."""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine.storage.models import Case, User, UserRole, WorkItem

CASES = Case.__table__
ITEMS = WorkItem.__table__


@dataclass
class CaseRow:
    id: int
    process_id: str
    version_id: int
    status: str
    unit_code: str | None
    title: str
    started_by: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    seq: int
    last_hash: str
    state_hash: str
    state: str
    data: dict[str, Any]
    next_timer_at: datetime | None


_COLUMNS = [f.name for f in fields(CaseRow)]
_MUTABLE = [c for c in _COLUMNS if c not in ("id", "process_id", "version_id", "started_by", "started_at")]
_SELECT = select(*[CASES.c[c] for c in _COLUMNS]).where(CASES.c.id == bindparam("id"))
_SAVE = update(CASES).where(CASES.c.id == bindparam("_id")).values({c: bindparam(c) for c in _MUTABLE})
_INSERT = insert(CASES).returning(CASES.c.id)
_LOCK_ONLY = select(CASES.c.id).where(CASES.c.id == bindparam("id")).with_for_update()
_ITEM = select(ITEMS).where(ITEMS.c.case_id == bindparam("c"), ITEMS.c.task_id == bindparam("t"))
_ITEM_COLUMNS = [c.name for c in ITEMS.columns]
_Item = make_dataclass("WorkItemRow", _ITEM_COLUMNS, frozen=True)
_USERS, _ROLES = User.__table__, UserRole.__table__
_LOCK_TASK = (
    select(*[CASES.c[c] for c in _COLUMNS], *[ITEMS.c[c].label(f"wi_{c}") for c in _ITEM_COLUMNS],
           _USERS.c.unit_code.label("u_unit_code"), _USERS.c.active.label("u_active"), _ROLES.c.role.label("u_role"))
    .select_from(CASES.outerjoin(ITEMS, and_(ITEMS.c.case_id == CASES.c.id, ITEMS.c.task_id == bindparam("t")))
                 .outerjoin(_USERS, _USERS.c.username == bindparam("u"))
                 .outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id))
    .where(CASES.c.id == bindparam("id")))


def lock(session: Session, case_id: int, *, postgres: bool, skip_locked: bool = False) -> CaseRow | None:
    query = _SELECT.with_for_update(skip_locked=skip_locked) if postgres else _SELECT
    row = session.execute(query, {"id": case_id}).first()
    return CaseRow(**row._mapping) if row is not None else None


@dataclass(frozen=True)
class Locked:
    """What a command on a task reads first, in one statement: the case row (locked), the work
    item, and who acts (their unit, whether active, one role per row)."""

    case: CaseRow | None
    item: Any  # the work item's columns by name, or None
    actor_rows: list[Any]


def lock_task(session: Session, case_id: int, task_id: str, username: str, *, postgres: bool) -> Locked:
    """The case row locked as `lock` does, joined to the task's work item and to the acting user's
    role rows (so the actor is still loaded inside the command's transaction).

    SQLite: one statement (BEGIN IMMEDIATE already holds the write lock, so what it reads is
    current). PostgreSQL: the lock first, on its own — a `FOR UPDATE` that waited for a concurrent
    command re-reads the locked row but not the rows joined to it, so the work item would be the
    one from before that command; the read after the lock sees what it committed."""
    if postgres:
        if session.execute(_LOCK_ONLY, {"id": case_id}).first() is None:
            return Locked(None, None, [])
    rows = session.execute(_LOCK_TASK, {"id": case_id, "t": task_id, "u": username}).all()
    if not rows:
        return Locked(None, None, [])
    first = rows[0]._mapping
    case = CaseRow(**{c: first[c] for c in _COLUMNS})
    item = _Item(**{c: first[f"wi_{c}"] for c in _ITEM_COLUMNS}) if first["wi_id"] is not None else None
    return Locked(case, item, [_ActorRow(r.u_unit_code, r.u_active, r.u_role) for r in rows])


@dataclass(frozen=True)
class _ActorRow:
    unit_code: str | None
    active: bool | None
    role: str | None


def exists(session: Session, case_id: int) -> bool:
    return session.execute(select(CASES.c.id).where(CASES.c.id == case_id)).first() is not None


def insert_case(session: Session, **values: Any) -> CaseRow:
    case_id = session.execute(_INSERT, values).scalar_one()
    return CaseRow(id=case_id, **{c: values.get(c) for c in _COLUMNS if c != "id"})


def save(session: Session, case: CaseRow) -> None:
    session.execute(_SAVE, {"_id": case.id, **{c: getattr(case, c) for c in _MUTABLE}})


def item(session: Session, case_id: int, task_id: str):
    """The work item as a read-only row (state, version, role, assignee…), or None."""
    return session.execute(_ITEM, {"c": case_id, "t": task_id}).first()


def set_assignee(session: Session, item_id: int, assignee: str | None) -> None:
    session.execute(update(ITEMS).where(ITEMS.c.id == item_id)
                    .values(assignee=assignee, version=ITEMS.c.version + 1))
