"""The inbox (我的待办): tasks assigned to me, tasks of my roles I may claim, tasks I completed;
and the counts shown in the navigation. One indexed query on `work_items` each."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from engine.queries.notifications import unread_query
from engine.queries.scope import actionable_items, visible_cases
from engine.queries.statements import statements
from engine.runtime.actors import Actor
from engine.storage.models import Case, DefinitionVersion, WorkItem

CHINA = timezone(timedelta(hours=8))
DUE_SOON = timedelta(days=2)
DEFAULT_LIMIT = 200

TABS = ("mine", "claimable", "done")
DUE_STATES = ("overdue", "due_soon", "later")
SORTS = ("due", "created", "case")


@dataclass(frozen=True)
class InboxFilter:
    process_id: str | None = None
    due: str | None = None          # overdue | due_soon | later (not yet due soon, or no due date)
    due_before: date | None = None  # due on or before this day (Asia/Shanghai)
    sort: str = "due"               # due | created | case
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class InboxRow:
    case_id: int
    task_id: str
    task_name: str
    spec_name: str
    role: str
    unit_code: str | None
    assignee: str | None
    version: int
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    escalated_role: str | None
    case_title: str
    case_status: str
    process_id: str
    process_name: str
    due_state: str  # overdue | due_soon | later | none


@dataclass(frozen=True)
class InboxCounts:
    mine: int = 0
    claimable: int = 0
    overdue: int = 0  # among mine and claimable

    @property
    def waiting(self) -> int:
        return self.mine + self.claimable


def due_state(due_at: datetime | None, now: datetime) -> str:
    if due_at is None:
        return "none"
    if due_at < now:
        return "overdue"
    if due_at < now + DUE_SOON:
        return "due_soon"
    return "later"


def rows(session: Session, actor: Actor, tab: str, flt: InboxFilter | None = None,
         now: datetime | None = None) -> list[InboxRow]:
    """The rows of one inbox tab (`mine`, `claimable` or `done`)."""
    flt = flt or InboxFilter()
    now = now or datetime.now(UTC)

    def build() -> Select:
        query = _base().where(_tab(actor, tab), visible_cases(actor, WorkItem.unit_code))
        query = _filters(query, flt)
        return query.order_by(*_order(tab, flt.sort)).limit(max(1, min(flt.limit, 1000)))

    query = statements.get(("inbox", actor, tab, flt), build)
    return [_row(r, now) for r in session.execute(query, {"now": now, "soon": now + DUE_SOON})]


def counts(session: Session, actor: Actor, now: datetime | None = None) -> InboxCounts:
    """Open tasks assigned to me, open tasks I may claim, and how many of those are overdue."""
    now = now or datetime.now(UTC)
    got = session.execute(statements.get(("counts", actor), lambda: _counted(actor)), {"now": now}).one()
    return InboxCounts(int(got[0] or 0), int(got[1] or 0), int(got[2] or 0))


def _counted(actor: Actor, *more: ColumnElement) -> Select:
    """The three counts of `counts` (the time bound as `now`), and `more` columns after them."""
    mine = WorkItem.assignee == actor.username
    claimable = and_(WorkItem.assignee.is_(None), actionable_items(actor))
    return (select(func.sum(case((mine, 1), else_=0)),
                   func.sum(case((claimable, 1), else_=0)),
                   func.sum(case((WorkItem.due_at < bindparam("now"), 1), else_=0)), *more)
            .where(WorkItem.state == "open", or_(mine, claimable), visible_cases(actor, WorkItem.unit_code)))


@dataclass(frozen=True)
class Summary:
    """What every page's navigation shows, and the key of the deployed definitions."""

    counts: InboxCounts
    unread: int
    definitions: tuple[int, int]  # (number of versions, highest version id): changes with every deploy


def summary(session: Session, actor: Actor, now: datetime | None = None) -> Summary:
    """`counts`, the unread notifications and the definitions' key in one statement (the inbox
    counts' aggregate with scalar subqueries): every page's navigation needs them."""
    now = now or datetime.now(UTC)
    got = session.execute(statements.get(("summary", actor), lambda: _summary(actor)), {"now": now}).one()
    return Summary(InboxCounts(int(got[0] or 0), int(got[1] or 0), int(got[2] or 0)), int(got[3] or 0),
                   (int(got[4] or 0), int(got[5] or 0)))


def _summary(actor: Actor) -> Select:
    versions = select(func.count(DefinitionVersion.id)).scalar_subquery()
    newest = select(func.coalesce(func.max(DefinitionVersion.id), 0)).scalar_subquery()
    return _counted(actor, unread_query(actor).scalar_subquery(), versions, newest)


_choices: dict[tuple[int, int], list[tuple[str, str]]] = {}
_choices_lock = threading.Lock()


def process_choices(session: Session, definitions: tuple[int, int] | None = None) -> list[tuple[str, str]]:
    """(process id, name of its latest version) for the filter menus. With `definitions` (the
    key `summary` read in the same transaction) the menu is computed once per deployed set:
    versions are only ever added, so a new deploy, in this process or any other, changes the key."""
    if definitions is None:
        return _process_choices(session)
    with _choices_lock:
        hit = _choices.get(definitions)
    if hit is None:
        hit = _process_choices(session)
        with _choices_lock:
            _choices.clear()  # only the newest set is ever asked for again
            _choices[definitions] = hit
    return list(hit)


def _process_choices(session: Session) -> list[tuple[str, str]]:
    latest = (select(DefinitionVersion.process_id, func.max(DefinitionVersion.version).label("v"))
              .group_by(DefinitionVersion.process_id).subquery())
    query = (select(DefinitionVersion.process_id, DefinitionVersion.name)
             .join(latest, and_(latest.c.process_id == DefinitionVersion.process_id,
                                latest.c.v == DefinitionVersion.version))
             .order_by(DefinitionVersion.process_id))
    return [(pid, name or pid) for pid, name in session.execute(query)]


# -- internals ---------------------------------------------------------------------------------


def _base() -> Select:
    return (select(WorkItem.case_id, WorkItem.task_id, WorkItem.name, WorkItem.spec_name, WorkItem.role,
                   WorkItem.unit_code, WorkItem.assignee, WorkItem.version, WorkItem.created_at, WorkItem.due_at,
                   WorkItem.completed_at, WorkItem.completed_by, WorkItem.escalated_role,
                   Case.title, Case.status, Case.process_id, DefinitionVersion.name.label("process_name"))
            .join(Case, Case.id == WorkItem.case_id)
            .join(DefinitionVersion, DefinitionVersion.id == Case.version_id))


def _tab(actor: Actor, tab: str) -> ColumnElement[bool]:
    if tab == "mine":
        return and_(WorkItem.state == "open", WorkItem.assignee == actor.username)
    if tab == "claimable":
        return and_(WorkItem.state == "open", WorkItem.assignee.is_(None), actionable_items(actor))
    if tab == "done":
        return and_(WorkItem.state == "completed", WorkItem.completed_by == actor.username)
    raise ValueError(f"unknown inbox tab {tab!r}")


def _filters(query: Select, flt: InboxFilter) -> Select:
    """The filter's clauses; the time is bound at execution (`now`, and `soon` = now + DUE_SOON)."""
    now, soon = bindparam("now"), bindparam("soon")
    if flt.process_id:
        query = query.where(Case.process_id == flt.process_id)
    if flt.due == "overdue":
        query = query.where(WorkItem.due_at < now)
    elif flt.due == "due_soon":
        query = query.where(WorkItem.due_at >= now, WorkItem.due_at < soon)
    elif flt.due == "later":
        query = query.where(or_(WorkItem.due_at.is_(None), WorkItem.due_at >= soon))
    if flt.due_before is not None:
        end = datetime.combine(flt.due_before + timedelta(days=1), time(0), tzinfo=CHINA).astimezone(UTC)
        query = query.where(WorkItem.due_at < end)
    return query


def _order(tab: str, sort: str) -> list[Any]:
    if sort == "created":
        return [WorkItem.created_at.desc(), WorkItem.id.desc()]
    if sort == "case":
        return [WorkItem.case_id.desc(), WorkItem.id.desc()]
    if tab == "done":
        return [WorkItem.completed_at.desc(), WorkItem.id.desc()]
    # Earliest due first, tasks without a due date last, then oldest first.
    return [case((WorkItem.due_at.is_(None), 1), else_=0), WorkItem.due_at, WorkItem.created_at, WorkItem.id]


def _row(r, now: datetime) -> InboxRow:
    return InboxRow(case_id=r.case_id, task_id=r.task_id, task_name=r.name, spec_name=r.spec_name, role=r.role,
                    unit_code=r.unit_code, assignee=r.assignee, version=r.version, created_at=r.created_at,
                    due_at=r.due_at, completed_at=r.completed_at, completed_by=r.completed_by,
                    escalated_role=r.escalated_role, case_title=r.title, case_status=r.status,
                    process_id=r.process_id, process_name=r.process_name or r.process_id,
                    due_state=due_state(r.due_at, now))
