"""From the person register to the inputs of the DMN table trip_person_limits (one number per
rule, the worst case over the delegation's members) and the history shown to reviewers.

The table decides what is over a limit; this module only counts. Counting here rather than in the
diagram keeps the register's queries out of the sandbox, and the call's result is recorded in the
case's event, so replay sees the same counts even after the register has changed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.persons.register import (
    Trip,
    approved_trips,
    countries_of,
    id_card,
    trips_between,
    unit_leader_trips,
)
from engine.places import names as places

PREFECTURAL = frozenset({"prefectural_deputy", "prefectural"})  # 厅局级 [S10]
COUNTY = frozenset({"county_deputy", "county"})  # 县处级 [S22][U]
# Municipal leaders (市领导) of a prefecture-level city hold 厅级 rank or above.
MUNICIPAL_LEADER = PREFECTURAL | frozenset({"provincial_deputy", "provincial"})
# Posts of a delegation head for the [S10] frequency rows (trip_leader's head_post_category): deputies
# in charge of foreign affairs or commerce travel "as work requires", so no frequency count holds them.
AS_WORK_REQUIRES = "deputy_foreign_commerce"
ONE_YEAR = timedelta(days=365)
TWO_YEARS = timedelta(days=730)
SIX_MONTHS = timedelta(days=183)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def person_checks(session: Session, case_id: int, values: dict[str, Any], today: date,
                  passport_return_days: int) -> dict[str, Any]:
    """The counts for trip_person_limits and `person_history` (one entry per member with their
    earlier trips and passport state) for the trip in `values` (members, itinerary, dates)."""
    departure, ret = _day(values["departure_date"]), _day(values["return_date"])
    countries = set(countries_of([s for s in values.get("itinerary") or [] if not s.get("transit")]))
    members = [m for m in values.get("members") or [] if isinstance(m, dict)]
    numbers = [id_card(m.get("id_card_no")) for m in members]
    prior = approved_trips(session, [n for n in numbers if n], except_case=case_id)
    by_person: dict[str, list[Trip]] = {}
    for trip in prior:
        by_person.setdefault(trip.id_card_no, []).append(trip)

    facts = {"person_trips_2y_prefectural": 0, "person_trips_2y_county": 0, "same_unit_leaders_max": 0,
             "same_country_6m_count": 0, "leaders_abroad_max": 0, "passport_overdue_persons": 0,
             "passport_overdue_days_max": 0, "members_without_id": 0, "head_trips_1y": 0,
             "retired_members": len([m for m in members if m.get("retired")]),
             "head_post_category": str(values.get("head_post_category") or "other")}
    history: list[dict[str, Any]] = []
    leaders_by_unit: dict[str, int] = {}
    for member, number in zip(members, numbers, strict=True):
        rank = str(member.get("rank") or "")
        trips = by_person.get(number, []) if number else []
        recent = [t for t in trips if departure - TWO_YEARS <= t.departure_date < departure]
        is_head = member.get("role_in_delegation") == "head"
        if is_head:
            facts["head_trips_1y"] = len([t for t in trips if departure - ONE_YEAR <= t.departure_date < departure])
        exempt = is_head and facts["head_post_category"] == AS_WORK_REQUIRES
        if rank in PREFECTURAL and not exempt:
            facts["person_trips_2y_prefectural"] = max(facts["person_trips_2y_prefectural"], len(recent))
        if rank in COUNTY:
            facts["person_trips_2y_county"] = max(facts["person_trips_2y_county"], len(recent))
        overdue = 0
        for trip in trips:
            due = trip.passport_due or trip.return_date + timedelta(days=passport_return_days)
            if trip.passport_returned_on is None and due < today:
                overdue = max(overdue, (today - due).days)
        if overdue:
            facts["passport_overdue_persons"] += 1
            facts["passport_overdue_days_max"] = max(facts["passport_overdue_days_max"], overdue)
        if not number:
            facts["members_without_id"] += 1
        if member.get("unit_leader"):
            unit = str(member.get("unit") or "").strip()
            leaders_by_unit[unit] = leaders_by_unit.get(unit, 0) + 1
        history.append({"name": str(member.get("name") or ""), "id_card_no": number, "rank": rank,
                        "passport_overdue_days": overdue, "recent_trips": len(recent),
                        "trips": [_shown(t, passport_return_days) for t in trips]})
    facts["same_unit_leaders_max"] = max(leaders_by_unit.values(), default=0)
    facts["same_country_6m_count"] = _same_country(session, case_id, leaders_by_unit, countries, departure)
    facts["leaders_abroad_max"] = _leaders_abroad(session, case_id, members, numbers, departure, ret)
    zh, en = _texts(history)
    return {**facts, "person_history": history, "person_history_text": zh, "person_history_text_en": en}


def _same_country(session: Session, case_id: int, leaders_by_unit: dict[str, int], countries: set[str],
                  departure: date) -> int:
    """Trips of a same-unit leader to one of this trip's countries (transit stops aside) that
    departed within six months of this one [S11][U]; only counted when this delegation has a unit leader."""
    found = 0
    for unit in leaders_by_unit:
        for trip in unit_leader_trips(session, unit, except_case=case_id):
            if set(trip.countries) & countries and abs((trip.departure_date - departure).days) <= SIX_MONTHS.days:
                found += 1
    return found


def _leaders_abroad(session: Session, case_id: int, members: list[dict[str, Any]], numbers: list[str],
                    departure: date, ret: date) -> int:
    """The largest number of municipal leaders abroad on one day of this trip, this delegation's
    own included [S13][U]; a person is counted once a day."""
    own = {n or f"#{k}" for k, (m, n) in enumerate(zip(members, numbers, strict=True))
           if str(m.get("rank") or "") in MUNICIPAL_LEADER}
    others = [t for t in trips_between(session, departure, ret, except_case=case_id) if t.rank in MUNICIPAL_LEADER]
    if not own:
        return 0
    worst, day = 0, departure
    while day <= ret:
        abroad = own | {t.id_card_no for t in others if t.departure_date <= day <= t.return_date}
        worst = max(worst, len(abroad))
        day += timedelta(days=1)
    return worst


def _shown(trip: Trip, passport_return_days: int) -> dict[str, Any]:
    due = trip.passport_due or trip.return_date + timedelta(days=passport_return_days)
    return {"case_id": trip.case_id, "process": trip.process, "countries": list(trip.countries),
            "departure_date": trip.departure_date.isoformat(), "return_date": trip.return_date.isoformat(),
            "rank": trip.rank, "passport_due": due.isoformat(),
            "passport_returned_on": trip.passport_returned_on.isoformat() if trip.passport_returned_on else None,
            "note": trip.note}


def _texts(history: list[dict[str, Any]]) -> tuple[str, str]:
    """The history as the plain text the review forms show (one line per member, then their trips)."""
    zh: list[str] = []
    en: list[str] = []
    for person in history:
        if not person["id_card_no"]:
            zh.append(f"{person['name']}：无有效身份证号，无法核对以往出访")
            en.append(f"{person['name']}: no valid ID-card number, earlier trips cannot be checked")
            continue
        if not person["trips"]:
            zh.append(f"{person['name']}：无以往出访记录")
            en.append(f"{person['name']}: no earlier trips on record")
            continue
        zh.append(f"{person['name']}：以往出访 {len(person['trips'])} 次（近两年 {person['recent_trips']} 次）")
        en.append(f"{person['name']}: {len(person['trips'])} earlier trip(s) "
                  f"({person['recent_trips']} in the last two years)")
        for t in person["trips"]:
            where = "、".join(places.name(c, "zh") for c in t["countries"]) or "—"
            case = f"案件 {t['case_id']}" if t["case_id"] else (t["note"] or "登记")
            case_en = f"case {t['case_id']}" if t["case_id"] else (t["note"] or "entered")
            back = t["passport_returned_on"]
            zh.append(f"  - {t['departure_date']}至{t['return_date']} {where}（{case}）护照"
                      + (f"已于{back}交回" if back else f"未交回，应于{t['passport_due']}前交回"))
            where_en = ", ".join(places.name(c, "en") for c in t["countries"]) or "—"
            en.append(f"  - {t['departure_date']} to {t['return_date']} {where_en} ({case_en}); passport "
                      + (f"returned {back}" if back else f"not returned, due {t['passport_due']}"))
        if person["passport_overdue_days"]:
            zh.append(f"  ！护照逾期未交回 {person['passport_overdue_days']} 天")
            en.append(f"  ! passport overdue by {person['passport_overdue_days']} days")
    return "\n".join(zh) or "无出访人员", "\n".join(en) or "no members"
