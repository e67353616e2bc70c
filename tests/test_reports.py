"""The biannual report over a known set of cases (tests/reports_support.py) across H1 2025 and
H1 2026: every figure of every table, this period's and last year's, checked exactly; the facts
written by the commands equal the backfill's; roles; charts with Chinese labels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select

from engine.errors import Forbidden, InvalidInput
from engine.places import names as geo
from engine.reports import charts
from engine.reports.backfill import backfill
from engine.reports.period import Period, last_finished_half
from engine.reports.service import ReportService
from engine.storage.report_models import ReportFact, ReportFactItem

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
H1_2026 = Period.half_year(2026, "H1")

# table id → {row key: (this period's values, last year's values)}
EXPECTED = {
    "outbound_totals": {"applied": ([7, 21], [2, 6]), "approved": ([5, 15], [1, 3]), "rejected": ([1, 3], [1, 3]),
                        "returned": ([1, 3], [0, 0]), "withdrawn": ([1, 3], [0, 0]), "pending": ([0, 0], [0, 0])},
    "outbound_by_unit": {"commerce": ([5, 4, 12], [2, 1, 3]), "education": ([2, 1, 3], [0, 0, 0])},
    "outbound_by_country": {"AT": ([1, 1, 3], [0, 0, 0]), "DE": ([6, 4, 12], [2, 1, 3]), "FR": ([1, 0, 0], [0, 0, 0]),
                            "JP": ([1, 1, 3], [0, 0, 0]), "NL": ([1, 1, 3], [0, 0, 0])},
    "outbound_by_continent": {"142": ([1, 1, 3], [0, 0, 0]), "150": ([6, 4, 12], [2, 1, 3])},
    "outbound_by_purpose": {"trade_talks": ([6, 4, 12], [2, 1, 3]), "training": ([1, 1, 3], [0, 0, 0])},
    "outbound_by_rank": {"prefectural_deputy": ([1, 1, 3], [0, 0, 0]), "county": ([6, 4, 12], [2, 1, 3])},
    "outbound_days": {"average": ([6.4], [5.0]), "over_limit": ([1], [0]), "d1_3": ([0], [0]), "d4_5": ([3], [1]),
                      "d6_8": ([1], [0]), "d9_10": ([1], [0]), "d11": ([0], [0])},
    "outbound_size": {"average": ([3.0], [3.0]), "over_limit": ([0], [0]), "s1_2": ([0], [0]), "s3_4": ([5], [1]),
                      "s5_6": ([0], [0]), "s7": ([0], [0])},
    "outbound_plan": {"in_plan": ([5], [1]), "out_of_plan": ([0], [0])},
    # 98,000 + 98,000 + 186,000 + 85,000 + 98,000; 15 persons; 3 × (5 + 5 + 8 + 5 + 9) person-days
    "outbound_budget": {"total": ([565000.0], [98000.0]), "per_person": ([37666.67], [32666.67]),
                        "per_person_day": ([5885.42], [6533.33])},
    "compliance": {"notice_on_time": ([5], [1]), "notice_short": ([0], [0]), "passport_on_time": ([2], [1]),
                   "passport_late": ([2], [0]), "passport_overdue_30": ([1], [0]), "report_on_time": ([3], [1]),
                   "report_late": ([0], [0]), "units_held": ([1], [0])},
    "inbound_totals": {"applied": ([4, 8], [1, 2]), "approved": ([3, 6], [1, 2]), "rejected": ([1, 2], [0, 0]),
                       "returned": ([1, 2], [1, 2]), "withdrawn": ([0, 0], [0, 0]), "pending": ([0, 0], [0, 0])},
    "inbound_by_nationality": {"DE": ([4, 3, 6], [0, 0, 0]), "GB": ([0, 0, 0], [1, 1, 2])},
    "inbound_by_rank": {"other": ([1, 1, 2], [0, 0, 0]), "prefectural": ([1, 1, 2], [0, 0, 0]),
                        "prefectural_deputy": ([2, 1, 2], [0, 0, 0]), "journalist": ([0, 0, 0], [1, 1, 2])},
    "inbound_by_purpose": {"business_exchange": ([1, 1, 2], [0, 0, 0]), "official_visit": ([3, 2, 4], [0, 0, 0]),
                           "journalism": ([0, 0, 0], [1, 1, 2])},
    "inbound_visas": {"visa_notices": ([2], [1]), "visa_persons": ([4], [2]), "checkout_on_time": ([1], [1]),
                      "checkout_late": ([1], [0])},
    # hours from submission to the number: trips 13.2 ×3, 14.2, 114.7, 409.0 (nearest rank: 3rd and 6th of 6)
    "processing_total": {"outbound": ([6, 13.2, 409.0], [1, 13.2, 13.2]),
                         "inbound": ([3, 1.2, 1.2], [1, 481.7, 481.7])},
    "monthly": {"2026-01": ([1, 1, 0, 0], [0, 0, 0, 0]), "2026-02": ([1, 0, 0, 0], [0, 0, 0, 0]),
                "2026-03": ([5, 4, 4, 3], [1, 1, 1, 1]), "2026-04": ([0, 0, 0, 0], [1, 0, 0, 0]),
                "2026-05": ([0, 0, 0, 0], [0, 0, 0, 0]), "2026-06": ([0, 0, 0, 0], [0, 0, 0, 0])},
}


@pytest.fixture
def reports(reports_db):
    return ReportService(reports_db, clock=lambda: NOW)


def _rows(figures, table_id):
    table = next(t for t in figures["tables"] if t["id"] == table_id)
    return {r["key"]: (r["values"], r["previous"]) for r in table["rows"]}


def test_every_figure_of_the_half_year_and_of_last_year(reports):
    figures = reports.figures("section_chief", H1_2026)
    assert [t["id"] for t in figures["tables"]] == [*EXPECTED.keys()][:16] + ["processing_total",
                                                                             "processing_steps", "monthly"]
    for table_id, rows in EXPECTED.items():
        assert _rows(figures, table_id) == rows, table_id
    assert figures["previous_period"] == {"start": "2025-01-01", "end": "2025-06-30", "half": "H1"}


def test_time_per_step_comes_from_the_work_items_of_the_period(reports):
    steps = _rows(reports.figures("fao_director", H1_2026), "processing_steps")
    # six trip_staff applications this half-year; the one returned by every approver met the chief 4 times
    assert steps["trip_staff:ut_section_chief"] == ([9, 2.0, 2.0], [2, 2.0, 2.0])
    assert steps["trip_staff:ut_leader"] == ([6, 4.0, 4.0], [1, 4.0, 4.0])
    # passports recorded after 48 h, 48.2 h and — the late delegation — 216 h (nearest rank: 2nd and 3rd of 3)
    assert steps["trip_staff:ut_pt_passport"] == ([3, 48.2, 216.0], [1, 48.0, 48.0])
    assert steps["invitation_official:ut_fao_review"] == ([3, 0.2, 0.2], [2, 0.2, 0.2])


def test_summary_paragraphs_are_written_from_the_figures(reports):
    figures = reports.figures("leader", H1_2026)
    zh, en = figures["summary"]["zh"], figures["summary"]["en"]
    assert zh[0] == ("2026年上半年，全市共申报因公临时出国（境）团组7个，批准5个、15人次，同比增长400%；"
                     "不予批准1个，退回补正1个。")
    assert "德国（4）" in zh[1] and "日本（1）" in zh[1]
    assert "护照7日内交回2个团组，逾期交回2个，逾期超过30天1个" in zh[2] and "被暂停受理的单位1个" in zh[2]
    assert en[0].startswith("In the first half of 2026, 7 delegations applied for official trips abroad; "
                            "5 were approved with 15 person-trips (up 400% year on year)")


def test_a_date_range_counts_the_cases_submitted_in_it(reports):
    figures = reports.figures("auditor", Period(date(2026, 1, 1), date(2026, 2, 28)))
    assert _rows(figures, "outbound_totals")["applied"][0] == [2, 6]
    assert _rows(figures, "outbound_by_unit") == {"education": ([2, 1, 3], [0, 0, 0])}
    assert _rows(figures, "inbound_totals")["applied"][0] == [0, 0]


def test_the_facts_written_by_the_commands_equal_the_backfill(reports_db):
    def snapshot():
        with reports_db.read() as session:
            facts = [tuple(r) for r in session.execute(select(ReportFact.__table__).order_by(ReportFact.case_id))]
            items = [tuple(r) for r in session.execute(select(ReportFactItem.__table__).order_by(
                ReportFactItem.case_id, ReportFactItem.kind, ReportFactItem.code))]
        return facts, items

    live = snapshot()
    assert len(live[0]) == 15
    with reports_db.transaction() as session:
        session.execute(delete(ReportFactItem))
        session.execute(delete(ReportFact))
    assert backfill(reports_db) == 15
    assert snapshot() == live
    assert backfill(reports_db) == 0


def test_who_may_read_and_who_may_freeze(reports):
    for username in ("fao_clerk", "section_chief", "fao_director", "leader", "auditor"):
        assert reports.figures(username, H1_2026)["tables"]
    for username in ("clerk_commerce", "head_commerce", "analyst", "admin"):
        with pytest.raises(Forbidden):
            reports.figures(username, H1_2026)
    for username in ("auditor", "leader"):
        with pytest.raises(Forbidden):
            reports.freeze(username, H1_2026, "zh")


def test_periods():
    assert Period.half_year(2026, "H2") == Period(date(2026, 7, 1), date(2026, 12, 31), "H2")
    assert last_finished_half(date(2026, 12, 7)) == H1_2026
    assert last_finished_half(date(2026, 3, 1)) == Period.half_year(2025, "H2")
    assert Period(date(2024, 2, 29), date(2024, 3, 1)).previous_year().start == date(2023, 2, 28)
    assert H1_2026.label("zh") == "2026年上半年" and H1_2026.label("en") == "First half of 2026"
    with pytest.raises(InvalidInput):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        Period.parse(None, None, "2026-13-01", "2026-12-31", date(2026, 12, 7))
    assert Period.parse("2025", "H2", None, None, date(2026, 12, 7)) == Period.half_year(2025, "H2")


def test_countries_and_continents_in_chinese_and_english_from_cldr():
    assert (geo.name("DE", "zh"), geo.name("DE", "en")) == ("德国", "Germany")
    assert [geo.continent_of(c) for c in ("DE", "JP", "US", "BR", "EG", "AU", "PT", "TR", "MU")] == [
        "150", "142", "019", "019", "002", "009", "150", "142", "002"]
    assert (geo.name("142", "zh"), geo.name("150", "en")) == ("亚洲", "Europe")


def test_charts_are_svg_with_chinese_labels_and_no_script(reports):
    figures = reports.figures("section_chief", H1_2026)
    svgs = charts.all_svgs(figures, "zh")
    assert set(svgs) == {"countries", "units", "monthly", "purposes", "nationalities"}
    assert "德国" in svgs["countries"] and "兰州市教育局" in svgs["units"] and "经贸洽谈" in svgs["purposes"]
    assert "2026-03" in svgs["monthly"] and "Noto Sans CJK SC" in svgs["countries"]
    assert all("<script" not in s for s in svgs.values())
    png = charts.png(svgs["countries"], width=400)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    assert "Germany" in charts.all_svgs(figures, "en")["countries"]
