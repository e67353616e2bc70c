"""出访 — outbound figures: delegations and person-trips by outcome, by sending unit, destination
country and continent, purpose, rank of the head, days abroad, delegation size, plan and budget.
Every table comes from one SQL query over `report_facts` (and `report_fact_items` for
destinations), filtered on the indexed (kind, submitted_on); tables that read the same rows share
their query (the single-row ones share `overview`, those by unit, purpose and rank the `cube`)."""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from engine.reports import labels
from engine.reports.period import Period
from engine.reports.sql import APPROVED, F, count_if, in_period, sum_if
from engine.reports.tables import Table, column, row, table
from engine.storage.models import Unit
from engine.storage.report_models import ReportFactItem

OUT = "outbound"
It = ReportFactItem
COUNTS = [column("applied", "申报团组", "Delegations applied"),
          column("approved", "批准团组", "Delegations approved"),
          column("person_trips", "批准人次", "Person-trips approved")]
OUTCOMES = [("applied", "申报", "Applied", None), ("approved", "批准", "Approved", F.outcome == "approved"),
            ("rejected", "不予批准", "Rejected", F.outcome == "rejected"),
            ("returned", "退回补正", "Returned for correction", F.returned.is_(True)),
            ("withdrawn", "撤回或取消", "Withdrawn or called off", F.outcome == "withdrawn"),
            ("pending", "审批中", "Pending", F.outcome == "pending")]


def _outcome_columns() -> list:
    cols = []
    for key, _zh, _en, cond in OUTCOMES:
        cols.append(func.count().label(key) if cond is None else count_if(cond).label(key))
        cols.append((func.coalesce(func.sum(F.persons), 0) if cond is None else sum_if(cond, F.persons)).label(
            key + "_p"))
    return cols


def _outcome_table(r, kind: str) -> Table:
    rows = [row(key, zh, en, [int(r[i * 2]), int(r[i * 2 + 1])]) for i, (key, zh, en, _) in enumerate(OUTCOMES)]
    if kind == OUT:
        return table("outbound_totals", "outbound", "出访团组和人次", "Delegations and person-trips",
                     [column("delegations", "团组数", "Delegations"), column("persons", "人次", "Person-trips")], rows)
    return table("inbound_totals", "inbound", "邀请批次和人数", "Invitations and persons",
                 [column("invitations", "批次", "Invitations"), column("persons", "人数", "Persons")], rows)


def outcome_totals(session: Session, period: Period, kind: str = OUT) -> Table:
    return _outcome_table(session.execute(select(*_outcome_columns()).where(*in_period(kind, period))).one(), kind)


def overview(session: Session, period: Period) -> tuple[Table, Table, Table, Table, Table]:
    """The single-row tables of the period's trips — totals by outcome, days abroad, delegation
    size, plan and budget — from one scan of its facts."""
    parts = [_outcome_columns(), _days_size_columns(), _plan_budget_columns()]
    r = session.execute(select(*[c for part in parts for c in part]).where(*in_period(OUT, period))).one()
    a, b = len(parts[0]), len(parts[0]) + len(parts[1])
    return (_outcome_table(r[:a], OUT), *_days_size_tables(r[a:b]), *_plan_budget_tables(r[b:]))


def _grouped(session: Session, period: Period, key_col, extra_from=None) -> list:
    query = (select(key_col.label("k"), func.count(distinct(F.case_id)), count_if(APPROVED),
                    sum_if(APPROVED, F.persons))
             .where(*in_period(OUT, period)).group_by(key_col).order_by(key_col))
    if extra_from is not None:
        query = query.select_from(extra_from)
    return session.execute(query).all()


Cube = dict[tuple, tuple[int, int, int]]


def cube(session: Session, period: Period) -> Cube:
    """(unit, purpose, rank) → applied, approved, person-trips approved: one scan of the period's
    facts that the tables by unit, purpose and rank each add up along their own dimension."""
    query = (select(F.unit_code, F.purpose, F.rank, func.count(), count_if(APPROVED), sum_if(APPROVED, F.persons))
             .where(*in_period(OUT, period)).group_by(F.unit_code, F.purpose, F.rank))
    return {(u, p, r): (int(a), int(b), int(c)) for u, p, r, a, b, c in session.execute(query)}


def _along(facts: Cube, axis: int) -> list[tuple[str | None, list[int]]]:
    sums: dict[str | None, list[int]] = {}
    for key, values in facts.items():
        total = sums.setdefault(key[axis], [0, 0, 0])
        for i, v in enumerate(values):
            total[i] += v
    return sorted(sums.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))


def by_unit(session: Session, period: Period, facts: Cube) -> Table:
    names = {code: (zh, en) for code, zh, en in session.execute(select(Unit.code, Unit.name_zh, Unit.name_en))}
    rows = [row(code or "-", *(names.get(code) or (code or "-", code or "-")), values)
            for code, values in _along(facts, 0)]
    return table("outbound_by_unit", "outbound", "按派出单位", "By sending unit", COUNTS, rows, chart="bar")


def by_country(session: Session, period: Period) -> Table:
    joined = F.__table__.join(It.__table__, and_(It.case_id == F.case_id, It.kind == "country"))
    rows = [row(code, *labels.country(code), [int(a), int(b), int(c)])
            for code, a, b, c in _grouped(session, period, It.code, joined)]
    return table("outbound_by_country", "outbound", "按出访国家（地区）", "By destination country or region",
                 COUNTS, rows, chart="bar")


def by_continent(session: Session, period: Period) -> Table:
    """A delegation visiting two European countries counts once for Europe: the distinct
    (case, continent) pairs of the period, then grouped (no join back to the facts)."""
    stops = (select(It.case_id, It.continent, F.outcome, F.persons).join(F, F.case_id == It.case_id)
             .where(It.kind == "country", *in_period(OUT, period)).distinct().subquery())
    approved = stops.c.outcome == "approved"
    query = (select(stops.c.continent, func.count(), count_if(approved), sum_if(approved, stops.c.persons))
             .group_by(stops.c.continent).order_by(stops.c.continent))
    rows = [row(code, *labels.country(code), [int(a), int(b), int(c)]) for code, a, b, c in session.execute(query)]
    return table("outbound_by_continent", "outbound", "按洲别", "By continent", COUNTS, rows)


def by_purpose(facts: Cube) -> Table:
    rows = [row(code or "-", *labels.pair(labels.PURPOSES, code), values) for code, values in _along(facts, 1)]
    return table("outbound_by_purpose", "outbound", "按出访类别", "By purpose", COUNTS, rows, chart="pie")


def by_rank(facts: Cube) -> Table:
    order = list(labels.RANKS)
    rows = [row(code or "-", *labels.pair(labels.RANKS, code), values) for code, values in _along(facts, 2)]
    rows.sort(key=lambda r: order.index(r["key"]) if r["key"] in order else -1, reverse=True)
    return table("outbound_by_rank", "outbound", "按团长职级", "By rank of the delegation head", COUNTS, rows)


DAY_BUCKETS = [("d1_3", "1–3天", "1–3 days", 1, 3), ("d4_5", "4–5天", "4–5 days", 4, 5),
               ("d6_8", "6–8天", "6–8 days", 6, 8), ("d9_10", "9–10天", "9–10 days", 9, 10),
               ("d11", "10天以上", "More than 10 days", 11, None)]
SIZE_BUCKETS = [("s1_2", "1–2人", "1–2 persons", 1, 2), ("s3_4", "3–4人", "3–4 persons", 3, 4),
                ("s5_6", "5–6人", "5–6 persons", 5, 6), ("s7", "6人以上", "More than 6 persons", 7, None)]


def _bucket(col, low: int, high: int | None):
    return count_if(and_(APPROVED, col >= low, *([col <= high] if high is not None else [])))


def _days_size_columns() -> list:
    return [func.avg(case((APPROVED, F.days))), count_if(and_(APPROVED, F.over_days.is_(True))),
            *[_bucket(F.days, lo, hi) for *_, lo, hi in DAY_BUCKETS],
            func.avg(case((APPROVED, F.persons))), count_if(and_(APPROVED, F.over_size.is_(True))),
            *[_bucket(F.persons, lo, hi) for *_, lo, hi in SIZE_BUCKETS]]


def _days_size_tables(r) -> tuple[Table, Table]:
    """Approved delegations by days abroad (average, distribution, over-limit exceptions) and by
    size (average, distribution, over six)."""
    nd = len(DAY_BUCKETS)
    days_rows = [row("average", "平均在外天数", "Average days abroad", [_round(r[0])]),
                 row("over_limit", "超天数（超限审批）", "Over the days limit (exception)", [int(r[1])])]
    days_rows += [row(k, zh, en, [int(r[2 + i])]) for i, (k, zh, en, *_) in enumerate(DAY_BUCKETS)]
    size_rows = [row("average", "平均团组人数", "Average delegation size", [_round(r[2 + nd])]),
                 row("over_limit", "超过6人（超限审批）", "More than 6 (exception)", [int(r[3 + nd])])]
    size_rows += [row(k, zh, en, [int(r[4 + nd + i])]) for i, (k, zh, en, *_) in enumerate(SIZE_BUCKETS)]
    return (table("outbound_days", "outbound", "在外天数（已批准团组）", "Days abroad (approved delegations)",
                  [column("value", "数值", "Value")], days_rows),
            table("outbound_size", "outbound", "团组规模（已批准团组）", "Delegation size (approved delegations)",
                  [column("value", "数值", "Value")], size_rows))


def _plan_budget_columns() -> list:
    budgeted = and_(APPROVED, F.budget_fen.is_not(None))
    return [count_if(and_(APPROVED, F.in_plan.is_(True))), count_if(and_(APPROVED, F.in_plan.is_(False))),
            sum_if(budgeted, F.budget_fen), sum_if(budgeted, F.persons), sum_if(budgeted, F.persons * F.days),
            count_if(budgeted)]


def _plan_budget_tables(r) -> tuple[Table, Table]:
    plan = table("outbound_plan", "outbound", "计划内和计划外（已批准团组）",
                 "In and out of the annual plan (approved)",
                 [column("delegations", "团组数", "Delegations")],
                 [row("in_plan", "计划内", "In the annual plan", [int(r[0])]),
                  row("out_of_plan", "计划外", "Out of the annual plan", [int(r[1])])])
    total_fen, persons, person_days = int(r[2]), int(r[3]), int(r[4])
    budget = table("outbound_budget", "outbound", "经费预算（已批准团组）", "Budget (approved delegations)",
                   [column("value", "金额（元）", "Amount (CNY)")],
                   [row("total", "预算合计", "Budget total", [round(total_fen / 100, 2)]),
                    row("per_person", "人均", "Per person", [round(total_fen / 100 / persons, 2) if persons else None]),
                    row("per_person_day", "人均每天", "Per person per day",
                        [round(total_fen / 100 / person_days, 2) if person_days else None])])
    return plan, budget


def monthly(session: Session, period: Period) -> Table:
    """Applications per month (outbound and inbound): the trend line."""
    counts = {(m, k): (int(a), int(b)) for m, k, a, b in session.execute(
        select(F.submitted_month, F.kind, func.count(), count_if(APPROVED))
        .where(F.kind.in_(("outbound", "inbound")), F.submitted_on >= period.start, F.submitted_on <= period.end)
        .group_by(F.submitted_month, F.kind))}
    rows = [row(m, m, m, [counts.get((m, OUT), (0, 0))[0], counts.get((m, OUT), (0, 0))[1],
                          counts.get((m, "inbound"), (0, 0))[0], counts.get((m, "inbound"), (0, 0))[1]])
            for m in period.months()]
    return table("monthly", "trend", "按月申报和批准", "Applications and approvals by month",
                 [column("out_applied", "出访申报", "Trips applied"),
                  column("out_approved", "出访批准", "Trips approved"),
                  column("in_applied", "邀请申报", "Invitations applied"),
                  column("in_approved", "邀请批准", "Invitations approved")], rows, chart="line")


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)
