"""The person register as engine calls. Trips are written by an approved trip case inside that
case's own command (`record_case_trips`, reached from the diagram's `register_trips()`), passport
dates by post_trip (`record_passports`); reading is for the office's staff and auditors only.

A person is the ID-card number (公民身份号码): names repeat, ID numbers do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.errors import Forbidden, InvalidInput, Message
from engine.runtime.actors import SYSTEM, load_reader
from engine.storage.db import Database
from engine.storage.person_models import PersonTrip

READ_ROLES = frozenset({"fao_clerk", "section_chief", "fao_director", "leader_in_charge", "auditor"})
ID_CARD = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class Trip:
    id_card_no: str
    name: str
    unit: str
    rank: str
    unit_leader: bool
    case_id: int | None
    process: str
    countries: tuple[str, ...]
    departure_date: date
    return_date: date
    passport_due: date | None
    passport_returned_on: date | None
    note: str
    task: str = ""

    @classmethod
    def of(cls, row: PersonTrip) -> Trip:
        return cls(row.id_card_no, row.name, row.unit, row.rank, row.unit_leader, row.case_id, row.process,
                   tuple(c for c in row.countries.split(",") if c), row.departure_date, row.return_date,
                   row.passport_due, row.passport_returned_on, row.note, row.task or "")


def id_card(value: Any) -> str:
    """The normalised ID-card number, or '' when it is not a well-formed 18-character number."""
    text = str(value or "").strip().upper()
    return text if ID_CARD.match(text) else ""


def countries_of(itinerary: list[dict[str, Any]] | None) -> list[str]:
    seen: list[str] = []
    for stop in itinerary or []:
        code = str(stop.get("country") or "").strip().upper()
        if code and code not in seen:
            seen.append(code)
    return seen


def _day(value: Any, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"无法登入人员出访记录：{field} 不是有效日期（{value}）",
                           f"Cannot enter the trip in the person register: {field} is not a valid date ({value})",
                           field_errors={field: Message("不是有效日期", "not a valid date")}) from exc


# -- writing ------------------------------------------------------------------------------------


def record_case_trips(session: Session, case_id: int, process: str, unit_code: str | None,
                      values: dict[str, Any], at: datetime) -> int:
    """One row per member of an approved case, in the case's own transaction. The case's event
    records the call. Rows of an earlier approval of the same case are replaced, so the register
    always shows the trip as last approved. Members without a well-formed ID number cannot be
    tracked across cases and are not entered (the checks name them to the reviewer)."""
    departure = _day(values.get("departure_date"), "departure_date")
    ret = _day(values.get("return_date"), "return_date")
    countries = ",".join(countries_of(values.get("itinerary")))
    session.execute(delete(PersonTrip).where(PersonTrip.case_id == case_id))
    count = 0
    seen: set[str] = set()
    for member in values.get("members") or []:
        number = id_card(member.get("id_card_no"))
        if not number or number in seen:
            continue
        seen.add(number)
        session.add(PersonTrip(
            id_card_no=number, name=str(member.get("name") or ""), unit=str(member.get("unit") or "").strip(),
            unit_code=unit_code, post=str(member.get("post") or ""), rank=str(member.get("rank") or ""),
            unit_leader=bool(member.get("unit_leader")), case_id=case_id, process=process, countries=countries,
            departure_date=departure, return_date=ret, state="approved", note="",
            task=str(values.get("trip_purpose") or ""), created_at=at, updated_at=at))
        count += 1
    session.flush()
    return count


def cancel_case_trips(session: Session, case_id: int, at: datetime) -> int:
    """The approved trip did not take place: its rows stay (the record of the approval) but no
    longer count for any rule."""
    result = session.execute(update(PersonTrip).where(PersonTrip.case_id == case_id)
                             .values(state="cancelled", updated_at=at))
    return result.rowcount


def record_passports(session: Session, case_id: int, due: Any, returned: dict[str, Any] | Any,
                     at: datetime) -> int:
    """Passport due date and return date of each member of the case. `returned` is one date for the
    whole delegation, or a mapping ID number -> date (or None: not yet returned), so that each
    person's passport is tracked on its own."""
    due_day = _day(due, "passport_due_date") if due else None
    rows = session.scalars(select(PersonTrip).where(PersonTrip.case_id == case_id)).all()
    for row in rows:
        value = returned.get(row.id_card_no) if isinstance(returned, dict) else returned
        row.passport_due = due_day
        row.passport_returned_on = _day(value, "passports_returned_date") if value else None
        row.updated_at = at
    session.flush()
    return len(rows)


def add_prior_trip(session: Session, values: dict[str, Any], at: datetime, note: str) -> None:
    """A trip approved before the register existed (or in a scenario's `given_prior_trips`):
    entered without a case. Refused with a clear message when the person or the dates are unusable."""
    number = id_card(values.get("id_card_no"))
    if not number:
        given = values.get("id_card_no")
        raise InvalidInput(f"身份证号无效：{given}", f"Invalid ID-card number: {given}",
                           field_errors={"id_card_no": Message("须为18位身份证号", "18 characters needed")})
    departure = _day(values.get("departure_date"), "departure_date")
    ret = _day(values.get("return_date"), "return_date")
    if ret < departure:
        raise InvalidInput("入境日期早于出境日期", "The return date is before the departure date",
                           field_errors={"return_date": Message("早于出境日期", "before the departure date")})
    countries = values.get("countries") or []
    countries = ",".join(str(c).strip().upper() for c in (countries if isinstance(countries, list) else [countries]))
    returned = values.get("passport_returned_on")
    session.add(PersonTrip(
        id_card_no=number, name=str(values.get("name") or ""), unit=str(values.get("unit") or "").strip(),
        unit_code=values.get("unit_code"), post=str(values.get("post") or ""), rank=str(values.get("rank") or ""),
        unit_leader=bool(values.get("unit_leader")), case_id=None, process=str(values.get("process") or "prior"),
        countries=countries, departure_date=departure, return_date=ret, state="approved",
        passport_due=_day(values["passport_due"], "passport_due") if values.get("passport_due") else None,
        passport_returned_on=_day(returned, "passport_returned_on") if returned else None,
        note=note, task=str(values.get("task") or ""), created_at=at, updated_at=at))
    session.flush()


# -- reading ------------------------------------------------------------------------------------


def approved_trips(session: Session, numbers: list[str], *, except_case: int | None = None) -> list[Trip]:
    """Approved (not cancelled) trips of these persons, oldest first, without the given case's."""
    if not numbers:
        return []
    stmt = select(PersonTrip).where(PersonTrip.id_card_no.in_(numbers), PersonTrip.state == "approved")
    if except_case is not None:
        stmt = stmt.where((PersonTrip.case_id.is_(None)) | (PersonTrip.case_id != except_case))
    return [Trip.of(r) for r in session.scalars(stmt.order_by(PersonTrip.departure_date, PersonTrip.id))]


def last_trips(session: Session, members: list[dict[str, Any]], *, before: date,
               except_case: int | None = None) -> list[dict[str, Any] | None]:
    """Each member's last approved official trip that departed before `before` (the 备案表's
    最近一次因公出国时间、国家、任务), aligned with `members`; None for a member without one or
    without a well-formed ID number."""
    numbers = [id_card(m.get("id_card_no")) for m in members]
    latest: dict[str, Trip] = {}
    for trip in approved_trips(session, [n for n in numbers if n], except_case=except_case):
        if trip.departure_date < before:
            latest[trip.id_card_no] = trip  # oldest first: the last one wins
    out: list[dict[str, Any] | None] = []
    for number in numbers:
        trip = latest.get(number) if number else None
        out.append(None if trip is None else {
            "departure_date": trip.departure_date.isoformat(), "return_date": trip.return_date.isoformat(),
            "countries": list(trip.countries), "task": trip.task or trip.note})
    return out


def trips_between(session: Session, first: date, last: date, *, except_case: int | None = None) -> list[Trip]:
    """Approved trips of anyone abroad on some day of [first, last] (for leaders abroad at once)."""
    stmt = select(PersonTrip).where(PersonTrip.state == "approved", PersonTrip.departure_date <= last,
                                    PersonTrip.return_date >= first)
    if except_case is not None:
        stmt = stmt.where((PersonTrip.case_id.is_(None)) | (PersonTrip.case_id != except_case))
    return [Trip.of(r) for r in session.scalars(stmt)]


def unit_leader_trips(session: Session, unit: str, *, except_case: int | None = None) -> list[Trip]:
    stmt = select(PersonTrip).where(PersonTrip.state == "approved", PersonTrip.unit_leader.is_(True),
                                    PersonTrip.unit == unit.strip())
    if except_case is not None:
        stmt = stmt.where((PersonTrip.case_id.is_(None)) | (PersonTrip.case_id != except_case))
    return [Trip.of(r) for r in session.scalars(stmt)]


def trips_of_person(db: Database, username: str, id_card_no: str) -> list[Trip]:
    """Every recorded trip of one person (cancelled ones included), for the office's staff."""
    with db.read() as session:
        if username != SYSTEM and not load_reader(session, username).roles & READ_ROLES:
            raise Forbidden("只有外办工作人员可以查看人员出访记录",
                            "Only the Foreign Affairs Office's staff may view the person register")
        number = id_card(id_card_no)
        if not number:
            raise InvalidInput(f"身份证号无效：{id_card_no}", f"Invalid ID-card number: {id_card_no}")
        rows = session.scalars(select(PersonTrip).where(PersonTrip.id_card_no == number)
                               .order_by(PersonTrip.departure_date, PersonTrip.id))
        return [Trip.of(r) for r in rows]
