"""The heatmap of one process version: how many cases passed each element and each sequence flow
(from `case_path`, which every command writes), and the median and 90th-percentile time spent in
each user task (from `work_items`: opened → completed), for the cases started in a date range and,
optionally, of one unit. Three grouped SQL queries; no workflow is loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Float, cast, func, or_, select
from sqlalchemy.orm import Session

from engine.audit.search import _day_start
from engine.storage.models import Case, CasePath, DefinitionVersion, WorkItem


@dataclass(frozen=True)
class TaskTime:
    spec_name: str
    name: str
    count: int
    median_s: float
    p90_s: float


@dataclass(frozen=True)
class Heatmap:
    version_id: int
    process_id: str
    version: int
    cases: int
    elements: dict[str, int] = field(default_factory=dict)  # element id -> cases that completed it
    flows: dict[str, int] = field(default_factory=dict)  # flow id -> cases that took it
    times: dict[str, TaskTime] = field(default_factory=dict)  # user task id -> time spent

    def heat(self) -> dict[str, float]:
        """Element id → 0..1 by median time spent (the slowest task is 1), for the colour scale."""
        slowest = max((t.median_s for t in self.times.values()), default=0.0)
        if slowest <= 0:
            return {}
        return {k: t.median_s / slowest for k, t in self.times.items()}


@dataclass(frozen=True)
class HeatmapFilter:
    version_id: int
    started_from: date | None = None
    started_to: date | None = None
    unit_code: str | None = None


def heatmap(session: Session, flt: HeatmapFilter) -> Heatmap:
    version = session.get(DefinitionVersion, flt.version_id)
    if version is None:
        from engine.errors import NotFound

        raise NotFound(f"流程版本 {flt.version_id} 不存在", f"Process version {flt.version_id} does not exist")
    cases = _cases(flt)
    total = session.scalar(select(func.count()).select_from(cases.subquery())) or 0
    counts = session.execute(
        select(CasePath.kind, CasePath.element_id, func.count(func.distinct(CasePath.case_id)))
        .where(CasePath.version_id == flt.version_id, CasePath.case_id.in_(cases))
        .group_by(CasePath.kind, CasePath.element_id)).all()
    elements = {e: n for kind, e, n in counts if kind == "element"}
    flows = {e: n for kind, e, n in counts if kind == "flow"}
    return Heatmap(version.id, version.process_id, version.version, total, elements, flows,
                   _times(session, cases))


def _cases(flt: HeatmapFilter):
    query = select(Case.id).where(Case.version_id == flt.version_id)
    if flt.unit_code:
        query = query.where(Case.unit_code == flt.unit_code)
    if flt.started_from:
        query = query.where(Case.started_at >= _day_start(flt.started_from))
    if flt.started_to:
        query = query.where(Case.started_at < _day_start(flt.started_to + timedelta(days=1)))
    return query


def _times(session: Session, cases) -> dict[str, TaskTime]:
    """Median and p90 per user task with window functions (both databases have them; SQLite has
    no percentile aggregate): rank each task's durations, then pick the rows at 50 % and 90 %."""
    seconds = _seconds(session, WorkItem.created_at, WorkItem.completed_at).label("s")
    ranked = (select(WorkItem.spec_name, WorkItem.name, seconds,
                     func.row_number().over(partition_by=WorkItem.spec_name, order_by=seconds).label("r"),
                     func.count().over(partition_by=WorkItem.spec_name).label("n"))
              .where(WorkItem.case_id.in_(cases), WorkItem.state == "completed",
                     WorkItem.completed_at.is_not(None))
              .subquery())
    # Nearest rank: the ceil(n·q)-th value; ceil in integer arithmetic, as both databases have it.
    median_rank, p90_rank = (ranked.c.n + 1) // 2, (ranked.c.n * 9 + 9) // 10
    rows = session.execute(select(ranked.c.spec_name, ranked.c.name, ranked.c.n, ranked.c.r, ranked.c.s)
                           .where(or_(ranked.c.r == median_rank, ranked.c.r == p90_rank))).all()
    out: dict[str, TaskTime] = {}
    for row in rows:
        n = int(row.n)
        median = next(float(r.s or 0) for r in rows if r.spec_name == row.spec_name and r.r == (n + 1) // 2)
        p90 = next(float(r.s or 0) for r in rows if r.spec_name == row.spec_name and r.r == (9 * n + 9) // 10)
        out[row.spec_name] = TaskTime(row.spec_name, row.name or row.spec_name, n, round(median), round(p90))
    return out


def _seconds(session: Session, start, end):
    if session.get_bind().dialect.name == "sqlite":
        return cast((func.julianday(end) - func.julianday(start)) * 86400.0, Float)
    return func.extract("epoch", end - start)
