"""来访 — invitations: batches and persons by outcome (figures_outbound.outcome_totals with the
inbound kind), by nationality, by guest rank and purpose; visa notifications and 销签."""

from __future__ import annotations

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from engine.reports import labels
from engine.reports.period import Period
from engine.reports.sql import APPROVED, F, count_if, in_period, sum_if
from engine.reports.tables import Table, column, row, table
from engine.storage.report_models import ReportFactItem

IN = "inbound"
It = ReportFactItem
COUNTS = [column("applied", "申请批次", "Invitations applied"),
          column("approved", "批准批次", "Invitations approved"),
          column("persons", "批准人数", "Persons approved")]


def by_nationality(session: Session, period: Period) -> Table:
    """Persons are the invitees holding that nationality; a batch counts once per nationality."""
    joined = F.__table__.join(It.__table__, and_(It.case_id == F.case_id, It.kind == "nationality"))
    query = (select(It.code, func.count(distinct(F.case_id)), count_if(APPROVED), sum_if(APPROVED, It.persons))
             .select_from(joined).where(*in_period(IN, period)).group_by(It.code).order_by(It.code))
    rows = [row(code, *labels.country(code), [int(a), int(b), int(c)]) for code, a, b, c in session.execute(query)]
    return table("inbound_by_nationality", "inbound", "按国籍", "By nationality", COUNTS, rows, chart="bar")


def _grouped(session: Session, period: Period, col, names: dict, table_id: str, zh: str, en: str) -> Table:
    query = (select(col, func.count(), count_if(APPROVED), sum_if(APPROVED, F.persons))
             .where(*in_period(IN, period)).group_by(col).order_by(col))
    rows = [row(code or "-", *labels.pair(names, code), [int(a), int(b), int(c)])
            for code, a, b, c in session.execute(query)]
    return table(table_id, "inbound", zh, en, COUNTS, rows)


def by_rank(session: Session, period: Period) -> Table:
    return _grouped(session, period, F.rank, labels.GUEST_RANKS, "inbound_by_rank", "按外宾身份级别",
                    "By guest rank")


def by_purpose(session: Session, period: Period) -> Table:
    return _grouped(session, period, F.purpose, labels.PURPOSES, "inbound_by_purpose", "按来访类别",
                    "By purpose of the visit")


def visas(session: Session, period: Period) -> Table:
    r = session.execute(select(
        count_if(F.visa_notice.is_(True)), sum_if(F.visa_notice.is_(True), F.persons),
        count_if(F.checkout_on_time.is_(True)), count_if(F.checkout_on_time.is_(False)),
    ).where(*in_period(IN, period))).one()
    return table("inbound_visas", "inbound", "签证通知和销签", "Visa notifications and check-out (销签)",
                 [column("count", "数量", "Count")],
                 [row("visa_notices", "签发签证通知函（批次）", "Visa notifications issued (invitations)", [int(r[0])]),
                  row("visa_persons", "签证通知涉及人数", "Persons in visa notifications", [int(r[1])]),
                  row("checkout_on_time", "按时销签", "Checked out on time", [int(r[2])]),
                  row("checkout_late", "逾期销签", "Checked out late", [int(r[3])])])
