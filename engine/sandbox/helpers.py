"""Date helpers every condition and script can call.

Time comes only from `engine.determinism.now()` (the current command's instant), so a replayed
command sees the same "today" as the original. Dates are local to China (UTC+8, no DST since
1991; a fixed offset keeps stored values identical across machines with or without tzdata).
Every helper accepts ISO strings as well as dates, because case data arrives from forms as text.
Bad input raises `InvalidInput` with a Chinese and an English message.
"""

from __future__ import annotations

import datetime as dt
import reprlib
from collections.abc import Callable
from typing import Any

from engine import determinism, side_effects
from engine.budget import budget_check, budget_standard_rows
from engine.errors import InvalidInput
from engine.office import workdays

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

DateLike = dt.date | str


def _show(value: Any) -> str:
    return reprlib.repr(value)  # values from diagram code may be huge; messages stay short


def now() -> dt.datetime:
    """The command's instant as an aware datetime in China time."""
    return determinism.now().astimezone(CHINA_TZ)


def today() -> dt.date:
    return now().date()


def date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except (TypeError, ValueError) as exc:
        shown = _show((year, month, day))
        raise InvalidInput(f"无效的日期：{shown}", f"Invalid date: {shown}") from exc


def parse_date(value: DateLike) -> dt.date:
    """'YYYY-MM-DD' (or a full ISO timestamp, or a date/datetime) -> date, in China time."""
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            try:
                return parse_date(dt.datetime.fromisoformat(text))
            except ValueError:
                pass
    shown = _show(value)
    raise InvalidInput(
        f"无法识别的日期：{shown}（应为 YYYY-MM-DD）", f"Not a date: {shown} (expected YYYY-MM-DD)"
    )


def _ordered(a: DateLike, b: DateLike) -> tuple[dt.date, dt.date]:
    start, end = parse_date(a), parse_date(b)
    if end < start:
        raise InvalidInput(
            f"结束日期 {end} 早于开始日期 {start}", f"End date {end} is before start date {start}"
        )
    if (end - start).days > workdays.MAX_SPAN_DAYS:
        raise InvalidInput(f"日期范围过长：{start} 至 {end}", f"Date range too long: {start} to {end}")
    return start, end


def _count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or abs(n) > workdays.MAX_SPAN_DAYS:
        raise InvalidInput(f"天数无效：{_show(n)}", f"Invalid number of days: {_show(n)}")
    return n


def days_between(a: DateLike, b: DateLike) -> int:
    """Calendar days from a to b counting both ends, as the FAO counts days abroad (same day = 1)."""
    start, end = _ordered(a, b)
    return (end - start).days + 1


def add_days(d: DateLike, n: int) -> dt.date:
    return parse_date(d) + dt.timedelta(days=_count(n))


def _via_fallback(*days: dt.date) -> bool:
    """Inside a command, a year the official calendar does not know is decided by the admins'
    holiday table, which can change later: such answers are recorded so replay sees them again."""
    return side_effects.active() and any(workdays.calendar_source(d.year) == "fallback" for d in days)


def is_working_day(d: DateLike) -> bool:
    """On the official Chinese calendar incl. make-up workdays; see `calendar_source`."""
    day = parse_date(d)
    if _via_fallback(day):
        return side_effects.call("calendar", fn="is_working_day", a=day.isoformat(), b=None)
    return workdays.is_working_day(day)


def add_working_days(d: DateLike, n: int) -> dt.date:
    """The n-th working day after d (before it if n < 0); d itself is not counted."""
    day, count = parse_date(d), _count(n)
    if _via_fallback(day, day + dt.timedelta(days=2 * abs(count) + 30)):
        iso = side_effects.call("calendar", fn="add_working_days", a=day.isoformat(), b=count)
        return dt.date.fromisoformat(iso)
    return workdays.add_working_days(day, count)


def working_days_between(a: DateLike, b: DateLike) -> int:
    """Working days from a to b, both included."""
    start, end = _ordered(a, b)
    if _via_fallback(start, end):
        return side_effects.call("calendar", fn="working_days_between", a=start.isoformat(), b=end.isoformat())
    return workdays.working_days_between(start, end)


def calendar_source(d: DateLike | int) -> str:
    """'official' or 'fallback': which holiday calendar decides the year of d (or year d)."""
    year = d if isinstance(d, int) and not isinstance(d, bool) else parse_date(d).year
    return workdays.calendar_source(year)


def current_user() -> str:
    """The username of whoever runs the current command ('system' for timers), as recorded in
    its audit event — e.g. to note who approved after an escalation."""
    return determinism.actor()


def issue_number(kind: str) -> str:
    """The next number of a document series (`trip_batch`, `visa_notice`, `invitation_letter`),
    formatted by the office's setting, gapless per year."""
    return side_effects.call("issue_number", kind=kind)


def setting(name: str) -> Any:
    """An office setting (deadline, delay, format), recorded so that replay sees the same value."""
    return side_effects.call("setting", name=name)


def hold_unit(reason: str) -> None:
    """Hold the case's unit: its new applications are refused until released."""
    side_effects.call("hold_unit", reason=reason)


def release_unit() -> None:
    side_effects.call("release_unit")


def notify(role: str, zh: str, en: str, kind: str = "info") -> None:
    """Notify every holder of `role` (within the case's unit for unit roles)."""
    side_effects.call("notify", role=role, zh=zh, en=en, kind=kind)


def notify_applicant(zh: str, en: str, kind: str = "info") -> None:
    side_effects.call("notify_applicant", zh=zh, en=en, kind=kind)


def register_partner(values: dict) -> int:
    """Enter (or update) the case's partner city in the register (`engine.partners.register`), in
    the case's own transaction; returns the register row's id."""
    return side_effects.call("register_partner", values=values)


def person_checks(values: dict) -> dict:
    """Counts of the person register for the DMN table trip_person_limits and each member's earlier
    trips (`engine.persons.checks`); `values` holds members, itinerary, departure_date, return_date."""
    return side_effects.call("person_checks", values=values)


def register_trips(values: dict) -> int:
    """Enter each member's approved trip in the person register, in the case's own transaction."""
    return side_effects.call("register_trips", values=values)


def person_last_trips(members: list, before: str) -> list:
    """Each member's last approved official trip departing before `before` (date, countries, task),
    or None, aligned with `members` — the 备案表's 最近一次因公出国 (`engine.persons.register`)."""
    return side_effects.call("person_last_trips", members=members, before=before)


def cancel_trips() -> int:
    """The case's approved trip did not take place: its register rows stop counting."""
    return side_effects.call("cancel_trips")


def person_passports(due: str, returned: Any) -> int:
    """Each member's passport due date and return date (one date, or ID number -> date)."""
    return side_effects.call("person_passports", due=due, returned=returned)


def escalate(task: str, role: str) -> int:
    """Let holders of `role` act on the open task `task` (a user task id) as well."""
    return side_effects.call("escalate", task=task, role=role)


HELPERS: dict[str, Callable[..., Any]] = {
    "current_user": current_user,
    "issue_number": issue_number,
    "setting": setting,
    "hold_unit": hold_unit,
    "release_unit": release_unit,
    "notify": notify,
    "notify_applicant": notify_applicant,
    "escalate": escalate,
    "register_partner": register_partner,
    "person_checks": person_checks,
    # pure list logic of the budget check (engine/budget): no outside call, replay recomputes it
    "budget_standard_rows": budget_standard_rows,
    "budget_check": budget_check,
    "register_trips": register_trips,
    "cancel_trips": cancel_trips,
    "person_last_trips": person_last_trips,
    "person_passports": person_passports,
    "today": today,
    "now": now,
    "date": date,
    "parse_date": parse_date,
    "days_between": days_between,
    "add_days": add_days,
    "is_working_day": is_working_day,
    "add_working_days": add_working_days,
    "working_days_between": working_days_between,
    "calendar_source": calendar_source,
}
