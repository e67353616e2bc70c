"""办理时长 — processing times: median and 90th percentile from submission to the 批件 (or the
签证通知函 / 邀请函) per kind, from `report_facts.to_approval_s`; and per user task (opened →
completed) from `work_items` of the period's cases, joined on the indexed case id."""

from __future__ import annotations

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from engine.reports.period import Period
from engine.reports.sql import F, percentiles
from engine.reports.tables import Table, column, row, table
from engine.storage.models import WorkItem

HOURS = [column("count", "件数", "Cases"), column("median_h", "中位数（小时）", "Median (hours)"),
         column("p90_h", "90%分位（小时）", "90th percentile (hours)")]
KINDS = {"outbound": ("出访：提交至签发任务批件", "Trips: submission to the task authorisation"),
         "inbound": ("邀请：提交至签发签证通知函或邀请函", "Invitations: submission to notification or letter")}


def to_approval(session: Session, period: Period) -> Table:
    got = percentiles(session, F.to_approval_s, [F.kind], [F.kind.in_(tuple(KINDS)), F.submitted_on >= period.start,
                                                              F.submitted_on <= period.end])
    rows = []
    for kind, (zh, en) in KINDS.items():
        n, med, p90 = got.get((kind,), (0, 0.0, 0.0))
        rows.append(row(kind, zh, en, [n, _h(med) if n else None, _h(p90) if n else None]))
    return table("processing_total", "processing", "办理时长", "Time to the decision document", HOURS, rows)


def per_step(session: Session, period: Period, dialect: str) -> Table:
    # Each duration computed once, in a derived table the window functions then rank.
    # completed_by is set on completed items only (cancelled ones have none); unlike the indexed
    # state it leaves the planner to start from the period's facts.
    durations = (select(F.process_id, WorkItem.spec_name, WorkItem.name,
                        _seconds(dialect, WorkItem.created_at, WorkItem.completed_at).label("s"))
                 .join(F, F.case_id == WorkItem.case_id)
                 .where(F.kind.in_(tuple(KINDS)), F.submitted_on >= period.start, F.submitted_on <= period.end,
                        WorkItem.completed_by.is_not(None), WorkItem.completed_at.is_not(None))
                 .subquery())
    d = durations.c
    got = percentiles(session, d.s, [d.process_id, d.spec_name, d.name], [])
    rows = [row(f"{proc}:{spec}", f"{name or spec}（{proc}）", f"{spec} ({proc})", [n, _h(med), _h(p90)])
            for (proc, spec, name), (n, med, p90) in sorted(got.items(), key=lambda kv: (kv[0][0], kv[0][1]))]
    return table("processing_steps", "processing", "各环节办理时长", "Time per step", HOURS, rows)


def _h(seconds: float) -> float:
    return round(seconds / 3600.0, 1)


def _seconds(dialect: str, start, end):
    if dialect == "sqlite":
        return cast((func.julianday(end) - func.julianday(start)) * 86400.0, Float)
    return func.extract("epoch", end - start)
