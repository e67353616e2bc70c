"""办理时长 — processing times: median and 90th percentile from submission to the 批件 (or the
签证通知函 / 邀请函) per kind, from `report_facts.to_approval_s`; and per user task (opened →
completed) from the `work_items` of the period's cases."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.reports.facts import INBOUND, OUTBOUND
from engine.reports.period import Period
from engine.reports.sql import F, percentiles
from engine.reports.tables import Table, column, row, table
from engine.storage.models import WorkItem

PROCESSES = OUTBOUND + INBOUND

HOURS = [column("count", "件数", "Cases"), column("median_h", "中位数（小时）", "Median (hours)"),
         column("p90_h", "90%分位（小时）", "90th percentile (hours)")]
KINDS = {"outbound": ("出访：提交至签发任务批件", "Trips: submission to the task authorisation"),
         "inbound": ("邀请：提交至签发签证通知函或邀请函", "Invitations: submission to notification or letter")}


def to_approval(session: Session, period: Period) -> Table:
    got = percentiles(session, F.to_approval_s, [F.kind], [F.kind.in_(tuple(KINDS)), F.submitted_on >= period.start,
                                                              F.submitted_on <= period.end],
                      dialect=session.get_bind().dialect.name)
    rows = []
    for kind, (zh, en) in KINDS.items():
        n, med, p90 = got.get((kind,), (0, 0.0, 0.0))
        rows.append(row(kind, zh, en, [n, _h(med) if n else None, _h(p90) if n else None]))
    return table("processing_total", "processing", "办理时长", "Time to the decision document", HOURS, rows)


def per_step(session: Session, period: Period, dialect: str) -> Table:
    # The period's finished items from the partial index ix_work_items_report alone (their case's
    # submission day and process are copied on them, their duration written when they close): no
    # join, no table read. Only completed items have a duration (cancelled ones have none).
    W = WorkItem
    where = [W.submitted_on >= period.start, W.submitted_on <= period.end, W.process_id.in_(PROCESSES),
             W.duration_s.is_not(None)]
    got = percentiles(session, W.duration_s, [W.process_id, W.spec_name, W.name], where, dialect=dialect)
    rows = [row(f"{proc}:{spec}", f"{name or spec}（{proc}）", f"{spec} ({proc})", [n, _h(med), _h(p90)])
            for (proc, spec, name), (n, med, p90) in sorted(got.items(), key=lambda kv: (kv[0][0], kv[0][1]))]
    return table("processing_steps", "processing", "各环节办理时长", "Time per step", HOURS, rows)


def _h(seconds: float) -> float:
    return round(seconds / 3600.0, 1)
