"""Case lists and the case page: the case's header, its work items, one task. Never loads the
workflow state; every query carries the viewer's case scope, and a single case the viewer may not
read raises `Forbidden` (the engine's own `require_view`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.drafts import Draft
from engine.errors import Forbidden, NotFound
from engine.queries.inbox import due_state
from engine.queries.scope import visible_cases
from engine.runtime.actors import Actor
from engine.runtime.authz import may_act, may_view_case, require_view
from engine.storage.models import Case, DefinitionVersion, TaskDraft, Unit, User, WorkItem

STATUSES = ("running", "completed", "cancelled")
PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseFilter:
    process_id: str | None = None
    status: str | None = None
    unit_code: str | None = None
    text: str | None = None  # case number or words of the title
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class CaseRowView:
    id: int
    process_id: str
    process_name: str
    version: int
    status: str
    unit_code: str | None
    unit_name_zh: str | None
    unit_name_en: str | None
    title: str
    started_by: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRowView]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class CaseHeader(CaseRowView):
    version_id: int
    content_hash: str
    seq: int
    data: dict[str, Any]
    started_by_name: str | None


@dataclass(frozen=True)
class WorkItemView:
    case_id: int
    task_id: str
    name: str
    spec_name: str
    form_key: str | None
    role: str
    unit_code: str | None
    state: str
    assignee: str | None
    assignee_name: str | None
    version: int
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    completed_by_name: str | None
    escalated_role: str | None
    due_state: str


def case_list(session: Session, actor: Actor, flt: CaseFilter | None = None) -> CasePage:
    flt = flt or CaseFilter()
    where = [visible_cases(actor)]
    if flt.process_id:
        where.append(Case.process_id == flt.process_id)
    if flt.status:
        where.append(Case.status == flt.status)
    if flt.unit_code:
        where.append(Case.unit_code == flt.unit_code)
    text = (flt.text or "").strip()
    if text:
        number = text.lstrip("#")
        by_title = Case.title.contains(text, autoescape=True)
        where.append(or_(Case.id == int(number), by_title) if number.isdigit() and len(number) < 10 else by_title)
    page = max(1, flt.page)
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    query = (row_select().where(*where).order_by(Case.updated_at.desc(), Case.id.desc())
             .limit(flt.page_size).offset((page - 1) * flt.page_size))
    return CasePage([CaseRowView(**row_fields(r)) for r in session.execute(query)], total, page, flt.page_size)


def case_header(session: Session, actor: Actor, case_id: int) -> CaseHeader:
    """The case page's header: `NotFound` if there is no such case, `Forbidden` if the actor may
    not read it."""
    header = _header_unchecked(session, case_id)
    require_view(actor, header)  # type: ignore[arg-type]  # it reads `unit_code` only
    return header


def work_items(session: Session, case_id: int, now: datetime | None = None) -> list[WorkItemView]:
    """Every work item of a case, open and finished, oldest first. Call after `case_header`."""
    return [_item(r, now or datetime.now(UTC)) for r in session.execute(
        _item_select().where(WorkItem.case_id == case_id).order_by(WorkItem.created_at, WorkItem.id))]


@dataclass(frozen=True)
class TaskView:
    header: CaseHeader
    item: WorkItemView
    may_act: bool  # the viewer holds the task's role in scope (or its escalated role)


def task(session: Session, actor: Actor, case_id: int, task_id: str, now: datetime | None = None) -> TaskView:
    """One task of a case for the task page. Readable by whoever may read the case, and by whoever
    the task was escalated to."""
    header = _header_unchecked(session, case_id)
    r = session.execute(_item_select().where(WorkItem.case_id == case_id, WorkItem.task_id == task_id)).first()
    escalated_to_me = r is not None and r.escalated_role is not None and r.escalated_role in actor.roles
    if not (may_view_case(actor, header) or escalated_to_me):  # type: ignore[arg-type]
        raise Forbidden("您无权查看此案件", "You may not view this case")
    if r is None:
        raise NotFound(f"案件 {case_id} 中没有任务 {task_id}", f"Case {case_id} has no task {task_id}")
    item = _item(r, now or datetime.now(UTC))
    return TaskView(header, item, may_act(actor, header, item))  # type: ignore[arg-type]


@dataclass(frozen=True)
class TaskPage:
    view: TaskView
    items: list[WorkItemView]  # every work item of the case, oldest first (the task's among them)
    draft: Draft | None        # the viewer's draft of the task


def task_page(session: Session, actor: Actor, case_id: int, task_id: str, now: datetime | None = None) -> TaskPage:
    """`task` for the task page, with every work item of the case and the viewer's draft, in one
    statement (the case row joined to its work items, and the draft to the task's). Same checks."""
    now = now or datetime.now(UTC)
    rows = session.execute(_TASK_PAGE, {"c": case_id, "t": task_id, "u": actor.username}).all()
    if not rows:
        raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
    r = rows[0]
    header = CaseHeader(**row_fields(r), version_id=r.version_id, content_hash=r.content_hash, seq=r.seq,
                        data=dict(r.data or {}), started_by_name=r.started_by_name)
    items = [_item(_PageItem(x), now) for x in rows if x.wi_task_id is not None]
    mine = next((x for x in rows if x.wi_task_id == task_id), None)
    escalated_to_me = mine is not None and mine.wi_escalated_role is not None and mine.wi_escalated_role in actor.roles
    if not (may_view_case(actor, header) or escalated_to_me):  # type: ignore[arg-type]
        raise Forbidden("您无权查看此案件", "You may not view this case")
    if mine is None:
        raise NotFound(f"案件 {case_id} 中没有任务 {task_id}", f"Case {case_id} has no task {task_id}")
    item = next(i for i in items if i.task_id == task_id)
    draft = Draft(dict(mine.draft_data or {}), mine.draft_saved_at) if mine.draft_saved_at is not None else None
    return TaskPage(TaskView(header, item, may_act(actor, header, item)), items, draft)  # type: ignore[arg-type]


def first_open_task(session: Session, actor: Actor, case_id: int) -> str | None:
    """The task id of the case's earliest open work item that the actor may act on (after starting
    a case, the applicant goes straight to it)."""
    rows = session.execute(_item_select().where(WorkItem.case_id == case_id, WorkItem.state == "open")
                           .order_by(WorkItem.created_at, WorkItem.id)).all()
    header = _header_unchecked(session, case_id)
    for r in rows:
        if may_act(actor, header, r):  # type: ignore[arg-type]
            return r.task_id
    return None


def may_view(actor: Actor, unit_code: str | None) -> bool:
    return may_view_case(actor, _UnitOnly(unit_code))  # type: ignore[arg-type]


# -- internals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitOnly:
    unit_code: str | None


def row_select() -> Select:
    """The columns of a case list row (case, version, unit); the auditor's search reuses it."""
    return (select(Case.id, Case.process_id, DefinitionVersion.name.label("process_name"),
                   DefinitionVersion.version, Case.status, Case.unit_code, Unit.name_zh.label("unit_name_zh"),
                   Unit.name_en.label("unit_name_en"), Case.title, Case.started_by, Case.started_at,
                   Case.updated_at, Case.ended_at)
            .join(DefinitionVersion, DefinitionVersion.id == Case.version_id)
            .outerjoin(Unit, Unit.code == Case.unit_code))


def row_fields(r) -> dict[str, Any]:
    return dict(id=r.id, process_id=r.process_id, process_name=r.process_name or r.process_id, version=r.version,
                status=r.status, unit_code=r.unit_code, unit_name_zh=r.unit_name_zh, unit_name_en=r.unit_name_en,
                title=r.title, started_by=r.started_by, started_at=r.started_at, updated_at=r.updated_at,
                ended_at=r.ended_at)


def _header_unchecked(session: Session, case_id: int) -> CaseHeader:
    starter = aliased(User)
    r = session.execute(row_select()
                        .add_columns(Case.version_id, DefinitionVersion.content_hash, Case.seq, Case.data,
                                     starter.display_name.label("started_by_name"))
                        .outerjoin(starter, starter.username == Case.started_by)
                        .where(Case.id == case_id)).first()
    if r is None:
        raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
    return CaseHeader(**row_fields(r), version_id=r.version_id, content_hash=r.content_hash, seq=r.seq,
                      data=dict(r.data or {}), started_by_name=r.started_by_name)


class _PageItem:
    """A task-page row read as a work item row (its work item columns are prefixed `wi_`)."""

    def __init__(self, row) -> None:
        self._row = row

    def __getattr__(self, name: str):
        return getattr(self._row, f"wi_{name}")


def _task_page_select() -> Select:
    cases, versions, units, users = Case.__table__, DefinitionVersion.__table__, Unit.__table__, User.__table__
    items, drafts = WorkItem.__table__, TaskDraft.__table__
    starter, assignee, finisher = users.alias("starter"), users.alias("assignee"), users.alias("finisher")
    item_columns = [items.c[c].label(f"wi_{c}") for c in (
        "case_id", "task_id", "name", "spec_name", "form_key", "role", "unit_code", "state", "assignee", "version",
        "created_at", "due_at", "completed_at", "completed_by", "escalated_role")]
    return (select(cases.c.id, cases.c.process_id, versions.c.name.label("process_name"), versions.c.version,
                   cases.c.status, cases.c.unit_code, units.c.name_zh.label("unit_name_zh"),
                   units.c.name_en.label("unit_name_en"), cases.c.title, cases.c.started_by, cases.c.started_at,
                   cases.c.updated_at, cases.c.ended_at, cases.c.version_id, versions.c.content_hash, cases.c.seq,
                   cases.c.data, starter.c.display_name.label("started_by_name"), *item_columns,
                   assignee.c.display_name.label("wi_assignee_name"),
                   finisher.c.display_name.label("wi_completed_by_name"),
                   drafts.c.data.label("draft_data"), drafts.c.saved_at.label("draft_saved_at"))
            .select_from(
                cases.join(versions, versions.c.id == cases.c.version_id)
                .outerjoin(units, units.c.code == cases.c.unit_code)
                .outerjoin(starter, starter.c.username == cases.c.started_by)
                .outerjoin(items, items.c.case_id == cases.c.id)
                .outerjoin(assignee, and_(items.c.assignee.is_not(None), assignee.c.username == items.c.assignee))
                .outerjoin(finisher, and_(items.c.completed_by.is_not(None),
                                          finisher.c.username == items.c.completed_by))
                .outerjoin(drafts, and_(items.c.task_id == bindparam("t"), drafts.c.case_id == items.c.case_id,
                                        drafts.c.task_id == items.c.task_id, drafts.c.username == bindparam("u"))))
            .where(cases.c.id == bindparam("c"))
            .order_by(items.c.created_at, items.c.id))


# Built once: the task page runs it on every view.
_TASK_PAGE = _task_page_select()


def _item_select() -> Select:
    assignee, finisher = aliased(User), aliased(User)
    return (select(WorkItem.case_id, WorkItem.task_id, WorkItem.name, WorkItem.spec_name, WorkItem.form_key,
                   WorkItem.role, WorkItem.unit_code, WorkItem.state, WorkItem.assignee,
                   assignee.display_name.label("assignee_name"), WorkItem.version, WorkItem.created_at,
                   WorkItem.due_at, WorkItem.completed_at, WorkItem.completed_by,
                   finisher.display_name.label("completed_by_name"), WorkItem.escalated_role)
            .outerjoin(assignee, and_(WorkItem.assignee.is_not(None), assignee.username == WorkItem.assignee))
            .outerjoin(finisher, and_(WorkItem.completed_by.is_not(None), finisher.username == WorkItem.completed_by)))


def _item(r, now: datetime) -> WorkItemView:
    return WorkItemView(case_id=r.case_id, task_id=r.task_id, name=r.name or r.spec_name, spec_name=r.spec_name,
                        form_key=r.form_key, role=r.role, unit_code=r.unit_code, state=r.state, assignee=r.assignee,
                        assignee_name=r.assignee_name, version=r.version, created_at=r.created_at,
                        due_at=r.due_at, completed_at=r.completed_at, completed_by=r.completed_by,
                        completed_by_name=r.completed_by_name, escalated_role=r.escalated_role,
                        due_state=due_state(r.due_at, now) if r.state == "open" else "none")
