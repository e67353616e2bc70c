"""合规 — compliance of approved trips (and of post-trip cases started on their own, for trips
approved elsewhere): pre-trip public notices on time, passports returned within 7 days, passports
more than 30 days overdue, trip reports late, units held. One SQL query."""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from engine.reports.period import Period
from engine.reports.sql import F, count_if
from engine.reports.tables import Table, column, row, table


def compliance(session: Session, period: Period) -> Table:
    trips = or_(and_(F.kind == "outbound", F.outcome == "approved"), F.kind == "post_trip")
    r = session.execute(select(
        count_if(F.notice_on_time.is_(True)), count_if(F.notice_on_time.is_(False)),
        count_if(F.passport_on_time.is_(True)), count_if(F.passport_on_time.is_(False)),
        count_if(F.passport_overdue.is_(True)),
        count_if(F.report_on_time.is_(True)), count_if(F.report_on_time.is_(False)),
        func.count(distinct(case((F.unit_held.is_(True), F.unit_code)))),
    ).where(F.kind.in_(("outbound", "post_trip")), F.submitted_on >= period.start, F.submitted_on <= period.end,
            trips)).one()
    rows = [
        row("notice_on_time", "事前公示满5个工作日", "Public notice for 5 working days before", [int(r[0])]),
        row("notice_short", "事前公示不足（超限审批）", "Public notice too short (exception)", [int(r[1])]),
        row("passport_on_time", "护照7日内交回", "Passports returned within 7 days", [int(r[2])]),
        row("passport_late", "护照逾期交回", "Passports returned late", [int(r[3])]),
        row("passport_overdue_30", "护照逾期超过30天", "Passports more than 30 days overdue", [int(r[4])]),
        row("report_on_time", "出访报告按时提交", "Trip reports on time", [int(r[5])]),
        row("report_late", "出访报告逾期", "Trip reports late", [int(r[6])]),
        row("units_held", "被暂停受理的单位", "Units held (new applications refused)", [int(r[7])]),
    ]
    return table("compliance", "compliance", "执行纪律情况（已批准团组及单独登记的回国事项）",
                 "Compliance (approved delegations and post-trip cases on their own)",
                 [column("count", "数量", "Count")], rows)
