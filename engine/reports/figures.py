"""All the report's figures for a period, with last year's beside them: each table from one SQL
query (engine/reports/figures_*.py; tables over the same rows share theirs), never a workflow
load. The result is plain JSON data — what every rendering uses and what a frozen report stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.reports import figures_compliance, figures_inbound, figures_outbound, figures_processing, summary
from engine.reports.period import Period
from engine.reports.tables import Table, with_previous

Progress = Callable[[int, int], None]
FORMAT = 1


def _tables(session: Session, period: Period) -> list[Table]:
    dialect = session.get_bind().dialect.name
    totals, days, size, plan, budget = figures_outbound.overview(session, period)
    cube = figures_outbound.cube(session, period)
    return [
        totals,
        figures_outbound.by_unit(session, period, cube),
        figures_outbound.by_country(session, period),
        figures_outbound.by_continent(session, period),
        figures_outbound.by_purpose(cube),
        figures_outbound.by_rank(cube),
        days, size, plan, budget,
        figures_compliance.compliance(session, period),
        figures_outbound.outcome_totals(session, period, "inbound"),
        figures_inbound.by_nationality(session, period),
        figures_inbound.by_rank(session, period),
        figures_inbound.by_purpose(session, period),
        figures_inbound.visas(session, period),
        figures_processing.to_approval(session, period),
        figures_processing.per_step(session, period, dialect),
        figures_outbound.monthly(session, period),
    ]


def build(session: Session, period: Period, *, made_at: datetime, made_by: str) -> dict[str, Any]:
    previous = period.previous_year()
    now, before = _tables(session, period), _tables(session, previous)
    tables = []
    for current, last in zip(now, before, strict=True):
        if current["id"] == "monthly":  # months of another year: no row matches; kept as its own series
            tables.append({**current, "rows": [{**r, "previous": p["values"]}
                                               for r, p in zip(current["rows"], last["rows"], strict=False)]})
        else:
            tables.append(with_previous(current, last))
    figures = {"format": FORMAT, "period": period.as_record(), "previous_period": previous.as_record(),
               "label": {"zh": period.label("zh"), "en": period.label("en")},
               "previous_label": {"zh": previous.label("zh"), "en": previous.label("en")},
               "made_at": made_at.isoformat(), "made_by": made_by, "tables": tables}
    figures["summary"] = summary.paragraphs(figures)
    return figures


def table_of(figures: dict[str, Any], table_id: str) -> Table:
    for t in figures["tables"]:
        if t["id"] == table_id:
            return t
    from engine.errors import NotFound

    raise NotFound(f"报表中没有表格 {table_id}", f"The report has no table {table_id}")
