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

from engine import determinism, workdays
from engine.errors import InvalidInput

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


def is_working_day(d: DateLike) -> bool:
    """On the official Chinese calendar incl. make-up workdays; see `calendar_source`."""
    return workdays.is_working_day(parse_date(d))


def add_working_days(d: DateLike, n: int) -> dt.date:
    """The n-th working day after d (before it if n < 0); d itself is not counted."""
    return workdays.add_working_days(parse_date(d), _count(n))


def working_days_between(a: DateLike, b: DateLike) -> int:
    """Working days from a to b, both included."""
    start, end = _ordered(a, b)
    return workdays.working_days_between(start, end)


def calendar_source(d: DateLike | int) -> str:
    """'official' or 'fallback': which holiday calendar decides the year of d (or year d)."""
    year = d if isinstance(d, int) and not isinstance(d, bool) else parse_date(d).year
    return workdays.calendar_source(year)


HELPERS: dict[str, Callable[..., Any]] = {
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
