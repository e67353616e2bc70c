"""Passports per person (FAO-DOMAIN §1(f)): post_trip dates each member's passport on its own
(passport_returns, keyed by the ID-card number and prefilled from the members), names only the
members who were late, and writes each member's own date to the person register, where a passport
still out counts against that person — not the whole delegation — at the next application."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime

from sqlalchemy import select

from engine.persons.checks import person_checks
from engine.persons.register import record_passports
from engine.scenarios import default_definitions, deploy_definitions, parse_scenario, run_scenario
from engine.storage.models import Case
from engine.storage.person_models import PersonTrip
from tests.conftest import TESTS

HAPPY = TESTS.parent / "processes" / "scenarios" / "trip_staff_happy.toml"
ZHANG, LI, WANG = "620102197505122018", "620102198508203029", "620102199003154035"
AT = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _happy(wang_returned: str, after: str = "P2D"):
    """The happy trip_staff case, 王强's passport returned on `wang_returned` (the others 2026-04-27)."""
    raw = tomllib.loads(HAPPY.read_text(encoding="utf-8"))
    raw.pop("expect", None)
    step = next(s for s in raw["steps"] if s.get("task") == "ut_pt_passport")
    step["after"] = after
    step["data"]["passport_returns"] = [{"returned_on": "2026-04-27"}, {"returned_on": "2026-04-27"},
                                        {"returned_on": wang_returned}]
    return raw


def _run(db, raw):
    result = run_scenario(parse_scenario(raw, source=HAPPY), db, lang="en")
    assert result.ok, result.report("en")
    with db.read() as s:
        data = s.get(Case, result.case_id).data
        rows = {r.id_card_no: r for r in s.scalars(select(PersonTrip).where(PersonTrip.case_id == result.case_id))}
    return result.case_id, data, rows


def test_the_late_member_is_named_and_each_date_is_in_the_register(db):
    deploy_definitions(db, default_definitions())
    case_id, data, rows = _run(db, _happy("2026-05-05", after="P10D"))  # due 2026-05-01 (re-entry 04-24 + 7)
    assert [(r["name"], r["id_card_no"]) for r in data["passport_returns"]] == [
        ("张伟", ZHANG), ("李娜", LI), ("王强", WANG)]  # prefilled from the members
    assert data["passport_due_date"] == "2026-05-01"
    assert data["passports_late_count"] == 1 and data["passports_outstanding_count"] == 0
    assert data["passports_late_text"] == "王强（2026-05-05交回，逾期4天）"
    assert data["passports_returned_date"] == "2026-05-05" and data["passports_returned_on_time"] is False
    late = [d for d in data["post_trip_discrepancies"] if d["code"] == "passport_late"]
    assert late and "王强" in late[0]["zh"] and "张伟" not in late[0]["zh"]
    assert {n: (r.passport_due, r.passport_returned_on) for n, r in rows.items()} == {
        ZHANG: (date(2026, 5, 1), date(2026, 4, 27)), LI: (date(2026, 5, 1), date(2026, 4, 27)),
        WANG: (date(2026, 5, 1), date(2026, 5, 5))}


def test_all_on_time_names_nobody(db):
    deploy_definitions(db, default_definitions())
    _, data, rows = _run(db, _happy("2026-04-25"))
    assert data["passports_late_count"] == 0 and data["passports_late_text"] == ""
    assert data["passports_returned_on_time"] is True and data["passports_returned_date"] == "2026-04-27"
    assert rows[WANG].passport_returned_on == date(2026, 4, 25)


def test_a_passport_still_out_counts_against_that_person_only(db):
    deploy_definitions(db, default_definitions())
    case_id, _, _ = _run(db, _happy("2026-04-27"))
    with db.transaction() as s:
        # As if 王强's passport had not come back: his row alone has no return date.
        assert record_passports(s, case_id, "2026-05-01", {ZHANG: "2026-04-27", LI: "2026-04-28"}, AT) == 3
    trip = {"departure_date": "2026-07-01", "return_date": "2026-07-05",
            "itinerary": [{"country": "FR", "days": 5, "transit": False}]}
    with db.read() as s:
        others = person_checks(s, 0, {**trip, "members": [{"name": "张伟", "id_card_no": ZHANG, "rank": "county"},
                                                           {"name": "李娜", "id_card_no": LI, "rank": "section"}]},
                               date(2026, 6, 1), 7)
        wang = person_checks(s, 0, {**trip, "members": [{"name": "王强", "id_card_no": WANG, "rank": "staff"}]},
                             date(2026, 6, 1), 7)
    assert others["passport_overdue_persons"] == 0
    assert wang["passport_overdue_persons"] == 1 and wang["passport_overdue_days_max"] == 31
    assert "护照逾期未交回 31 天" in wang["person_history_text"]
