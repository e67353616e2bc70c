"""The person register (engine/persons) against a real database: prior trips, the counts that feed
trip_person_limits, passports per person, refusals with a message; and a whole trip_staff case that
enters its members on approval and is flagged by the table (scenario trip_staff_person_limits)."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from engine.errors import Forbidden, InvalidInput
from engine.persons.checks import person_checks
from engine.persons.register import add_prior_trip, record_passports, trips_of_person
from engine.scenarios import default_definitions, deploy_definitions, parse_scenario, run_scenario
from engine.storage.person_models import PersonTrip
from tests.conftest import TESTS

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
ZHANG = "620102197505122018"
LI = "620102198508203029"
WANG = "620102199003154035"


def member(number: str, name: str, rank: str, *, leader: bool = False, unit: str = "兰州市商务局") -> dict:
    return {"name": name, "id_card_no": number, "rank": rank, "unit": unit, "unit_leader": leader}


def trip(members: list[dict], dep: str = "2026-04-20", ret: str = "2026-04-24", countries=("DE",)) -> dict:
    return {"members": members, "departure_date": dep, "return_date": ret,
            "itinerary": [{"country": c, "days": 1, "transit": False} for c in countries]}


def prior(session, number: str, name: str, rank: str, dep: str, ret: str, countries=("JP",), **extra) -> None:
    add_prior_trip(session, {"id_card_no": number, "name": name, "rank": rank, "unit": "兰州市商务局",
                             "countries": list(countries), "departure_date": dep, "return_date": ret, **extra},
                   AT, note="test")


def test_no_history_means_no_counts(db):
    with db.transaction() as s:
        facts = person_checks(s, 0, trip([member(ZHANG, "张伟", "county")]), TODAY, 7)
    assert facts["person_trips_2y_county"] == 0
    assert facts["passport_overdue_persons"] == 0
    assert facts["same_unit_leaders_max"] == 0
    assert "无以往出访记录" in facts["person_history_text"]


def test_frequency_counts_trips_of_the_last_two_years_by_rank(db):
    with db.transaction() as s:
        prior(s, ZHANG, "张伟", "county", "2025-06-01", "2025-06-05", passport_returned_on="2025-06-08")
        prior(s, ZHANG, "张伟", "county", "2023-01-01", "2023-01-05", passport_returned_on="2023-01-08")  # > 2 years
        facts = person_checks(s, 0, trip([member(ZHANG, "张伟", "county")]), TODAY, 7)
    assert facts["person_trips_2y_county"] == 1
    assert facts["person_trips_2y_prefectural"] == 0
    assert facts["passport_overdue_persons"] == 0
    assert "以往出访 2 次（近两年 1 次）" in facts["person_history_text"]
    assert "2025-06-01至2025-06-05 日本" in facts["person_history_text"]


@pytest.mark.parametrize(("post", "trips_1y", "prefectural"), [
    ("government_deputy", 1, 2),  # counted by both rows [S10]
    ("deputy_foreign_commerce", 1, 0),  # "as work requires": left out of the 厅局级 count
    ("other", 1, 2),
])
def test_the_heads_trips_of_the_last_year_and_the_post_exemption(db, post, trips_1y, prefectural):
    head = {**member(ZHANG, "张伟", "prefectural"), "role_in_delegation": "head"}
    with db.transaction() as s:
        prior(s, ZHANG, "张伟", "prefectural", "2025-09-15", "2025-09-20", passport_returned_on="2025-09-24")
        prior(s, ZHANG, "张伟", "prefectural", "2024-12-01", "2024-12-05", passport_returned_on="2024-12-09")
        facts = person_checks(s, 0, {**trip([head]), "head_post_category": post}, TODAY, 7)
    assert facts["head_post_category"] == post
    assert facts["head_trips_1y"] == trips_1y  # 2024-12 is more than a year before 2026-04-20
    assert facts["person_trips_2y_prefectural"] == prefectural


def test_same_unit_leaders_in_one_delegation(db):
    members = [member(ZHANG, "张伟", "county", leader=True), member(LI, "李娜", "section", leader=True),
               member(WANG, "王强", "staff", leader=True, unit="兰州市财政局")]
    with db.transaction() as s:
        facts = person_checks(s, 0, trip(members), TODAY, 7)
    assert facts["same_unit_leaders_max"] == 2


def test_passport_overdue_per_person(db):
    with db.transaction() as s:
        prior(s, WANG, "王强", "staff", "2025-12-01", "2025-12-05")  # never returned: due 2025-12-12
        prior(s, LI, "李娜", "section", "2025-12-01", "2025-12-05", passport_returned_on="2025-12-09")
        facts = person_checks(s, 0, trip([member(WANG, "王强", "staff"), member(LI, "李娜", "section")]), TODAY, 7)
    assert facts["passport_overdue_persons"] == 1
    assert facts["passport_overdue_days_max"] == (TODAY - date(2025, 12, 12)).days
    assert "护照逾期未交回" in facts["person_history_text"]


def test_same_country_within_six_months_of_a_same_unit_leader(db):
    with db.transaction() as s:
        prior(s, LI, "李娜", "section", "2026-01-10", "2026-01-14", countries=("DE",), unit_leader=True,
              passport_returned_on="2026-01-15")
        facts = person_checks(s, 0, trip([member(ZHANG, "张伟", "county", leader=True)]), TODAY, 7)
        other = person_checks(s, 0, trip([member(ZHANG, "张伟", "county", leader=True)], countries=("FR",)), TODAY, 7)
    assert facts["same_country_6m_count"] == 1
    assert other["same_country_6m_count"] == 0


def test_leaders_abroad_at_the_same_time(db):
    with db.transaction() as s:
        prior(s, LI, "李娜", "prefectural_deputy", "2026-04-18", "2026-04-21", passport_returned_on="2026-04-22")
        prior(s, WANG, "王强", "prefectural", "2026-04-22", "2026-04-28", passport_returned_on="2026-04-29")
        facts = person_checks(s, 0, trip([member(ZHANG, "张伟", "prefectural_deputy")]), TODAY, 7)
    # on no day are all three abroad: 20–21 张伟 + 李娜, 22–24 张伟 + 王强
    assert facts["leaders_abroad_max"] == 2


def test_passports_recorded_per_person(db):
    with db.transaction() as s:
        prior(s, WANG, "王强", "staff", "2025-12-01", "2025-12-05")
        rows = s.scalars(select(PersonTrip)).all()
        assert record_passports(s, 999, "2025-12-12", {WANG: "2025-12-10"}, AT) == 0  # rows of another case only
        assert rows[0].passport_returned_on is None


def test_bad_input_is_refused_with_a_message_and_changes_nothing(db):
    with pytest.raises(InvalidInput) as err, db.transaction() as s:
        prior(s, "12345", "某人", "staff", "2025-12-01", "2025-12-05")
    assert "身份证号无效" in err.value.message.zh
    with pytest.raises(InvalidInput) as err, db.transaction() as s:
        prior(s, WANG, "王强", "staff", "2025-12-05", "2025-12-01")
    assert "入境日期早于出境日期" in err.value.message.zh
    with db.read() as s:
        assert s.scalars(select(PersonTrip)).all() == []


def test_only_the_office_reads_the_register(db):
    with pytest.raises(Forbidden):
        trips_of_person(db, "clerk_commerce", WANG)
    assert trips_of_person(db, "fao_clerk", WANG) == []


def _run(db, name: str, *, again: bool = False):
    path = TESTS.parent / "processes" / "scenarios" / f"{name}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    if again:  # a second run in the same database gets the next document number
        raw["expect"]["data"].pop("batch_number", None)
    result = run_scenario(parse_scenario(raw, source=path), db, lang="en")
    assert result.ok, result.report("en")
    return result


def test_trip_staff_cases_register_their_members_and_are_flagged_across_cases(db):
    deploy_definitions(db, default_definitions())
    first = _run(db, "trip_staff_happy")
    with db.read() as s:
        rows = s.scalars(select(PersonTrip).where(PersonTrip.case_id == first.case_id)).all()
    assert len(rows) >= 1 and all(r.process == "trip_staff" and r.state == "approved" for r in rows)
    assert all(r.passport_due is not None and r.passport_returned_on is not None for r in rows)
    # The same delegation again: its earlier trip is on record, the 处级 frequency row is off by
    # default [U], the passports are back, so nothing is flagged and the case runs as before.
    second = _run(db, "trip_staff_happy", again=True)
    with db.read() as s:
        from engine.storage.models import Case
        data = s.get(Case, second.case_id).data
    assert data["over_limit_codes"] == []  # same dates: the earlier trip is shown, not counted as before it
    assert "以往出访 1 次" in data["person_history_text"]
    # The flagged scenario in the same database: its reasons come from this application and the given trip.
    _run(db, "trip_staff_person_limits")


def test_trip_leader_cases_register_their_members_and_a_cancelled_trip_stops_counting(db):
    deploy_definitions(db, default_definitions())
    approved = _run(db, "trip_leader_province_approved")
    cancelled = _run(db, "trip_leader_passports_cancelled")
    with db.read() as s:
        rows = s.scalars(select(PersonTrip).where(PersonTrip.process == "trip_leader")).all()
    states = {(r.case_id, r.state) for r in rows}
    assert (approved.case_id, "approved") in states and (cancelled.case_id, "cancelled") in states
    assert all(r.id_card_no and r.rank for r in rows)
