"""SQL building blocks shared by the figures: the period filter on the indexed columns,
conditional counts, and nearest-rank percentiles with window functions (SQLite has no percentile
aggregate; both databases have row_number() and count() over partitions)."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from engine.reports.period import Period
from engine.storage.models import ReportFact

F = ReportFact


def in_period(kind: str, period: Period) -> list:
    return [F.kind == kind, F.submitted_on >= period.start, F.submitted_on <= period.end]


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


APPROVED = F.outcome == "approved"


def percentiles(session: Session, value, groups: list, where: list,
                from_=None) -> dict[tuple, tuple[int, float, float]]:
    """Group key → (n, median, p90) of `value` (nearest rank: the ceil(n·q)-th smallest)."""
    partition = groups or None
    ranked = select(*groups, value.label("v"),
                    func.row_number().over(partition_by=partition, order_by=value).label("r"),
                    func.count().over(partition_by=partition).label("n"))
    if from_ is not None:
        ranked = ranked.select_from(from_)
    ranked = ranked.where(value.is_not(None), *where).subquery()
    keys = [ranked.c[g.key] for g in groups]
    rows = session.execute(select(*keys, ranked.c.n, ranked.c.r, ranked.c.v).where(
        or_(ranked.c.r == (ranked.c.n + 1) // 2, ranked.c.r == (ranked.c.n * 9 + 9) // 10))).all()
    out: dict[tuple, tuple[int, float, float]] = {}
    for r in rows:
        key = tuple(r[:len(keys)])
        n, rank, v = int(r.n), int(r.r), float(r.v)
        med, p90 = out.get(key, (n, 0.0, 0.0))[1:]
        if rank == (n + 1) // 2:
            med = v
        if rank == (9 * n + 9) // 10:
            p90 = v
        out[key] = (n, med, p90)
    return out
