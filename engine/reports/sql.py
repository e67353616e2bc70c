"""SQL building blocks shared by the figures: the period filter on the indexed columns,
conditional counts, and nearest-rank percentiles (PostgreSQL's percentile_disc; on SQLite, which
has no percentile aggregate, each group's values from one query ranked in Python)."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.reports.period import Period
from engine.storage.report_models import ReportFact

F = ReportFact


def in_period(kind: str, period: Period) -> list:
    return [F.kind == kind, F.submitted_on >= period.start, F.submitted_on <= period.end]


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


APPROVED = F.outcome == "approved"


def percentiles(session: Session, value, groups: list, where: list,
                from_=None, dialect: str = "sqlite") -> dict[tuple, tuple[int, float, float]]:
    """Group key → (n, median, p90) of `value` (nearest rank: the ceil(n·q)-th smallest)."""
    if dialect == "postgresql":
        return _ordered_set(session, value, groups, where, from_)
    return _ranked_here(session, value, groups, where, from_)


def _ranked_here(session: Session, value, groups: list, where: list, from_) -> dict[tuple, tuple[int, float, float]]:
    # SQLite has no percentile aggregate. Numbering the rows with window functions cost it more
    # than handing over each group's values in one string (group_concat: a row per group, not
    # per value) and ranking them here.
    query = select(*groups, func.group_concat(value))
    if from_ is not None:
        query = query.select_from(from_)
    query = query.where(value.is_not(None), *where)
    if groups:
        query = query.group_by(*groups)
    out: dict[tuple, tuple[int, float, float]] = {}
    for r in session.execute(query):
        if r[len(groups)] is None:
            continue
        vs = sorted(map(float, r[len(groups)].split(",")))
        n = len(vs)
        out[tuple(r[:len(groups)])] = (n, vs[(n + 1) // 2 - 1], vs[(9 * n + 9) // 10 - 1])
    return out


def _ordered_set(session: Session, value, groups: list, where: list, from_) -> dict[tuple, tuple[int, float, float]]:
    # PostgreSQL's percentile_disc is the same nearest rank (the first value whose cumulative
    # share reaches q: the ceil(n·q)-th) and sorts inside the aggregate, several times faster than
    # numbering every row with window functions.
    query = select(*groups, func.count(), func.percentile_disc(0.5).within_group(value),
                   func.percentile_disc(0.9).within_group(value))
    if from_ is not None:
        query = query.select_from(from_)
    query = query.where(value.is_not(None), *where)
    if groups:
        query = query.group_by(*groups)
    out: dict[tuple, tuple[int, float, float]] = {}
    for r in session.execute(query):
        n = int(r[len(groups)])
        if n:
            out[tuple(r[:len(groups)])] = (n, float(r[len(groups) + 1]), float(r[len(groups) + 2]))
    return out
