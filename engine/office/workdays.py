"""Working days on the official Chinese calendar, with its make-up workdays (调休).

The `chinesecalendar` package carries the State Council's announced holidays for the years it
knows. For other years (the next year before its announcement, or years the installed version
predates) we use a fallback: weekends plus whatever the deployment registers with
`set_fallback_holidays`. Which one decided a given year is never hidden: `calendar_source(year)`
says it, and the first use of the fallback for a year is logged as a warning.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Literal

import chinese_calendar

log = logging.getLogger(__name__)

OFFICIAL_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
MAX_SPAN_DAYS = 36_600  # a century: bounds the day-by-day loops below

_fallback: dict[date, bool] = {}  # True = holiday, False = make-up workday
_warned_years: set[int] = set()


def set_fallback_holidays(holidays: dict[date, bool]) -> None:
    """Replace the fallback registry: date -> True (a holiday) or False (a make-up workday)."""
    checked: dict[date, bool] = {}
    for day, is_holiday in holidays.items():
        if not isinstance(day, date) or isinstance(day, datetime) or not isinstance(is_holiday, bool):
            raise TypeError(f"expected date -> bool, got {day!r} -> {is_holiday!r}")
        checked[day] = is_holiday
    global _fallback
    _fallback = checked
    _warned_years.clear()


def fallback_holidays() -> dict[date, bool]:
    return dict(_fallback)


def calendar_source(year: int) -> Literal["official", "fallback"]:
    return "official" if year in OFFICIAL_YEARS else "fallback"


def is_working_day(day: date) -> bool:
    if isinstance(day, datetime):
        day = day.date()
    if day.year in OFFICIAL_YEARS:
        return chinese_calendar.is_workday(day)
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        log.warning("no official holiday data for %s: using weekends plus the fallback registry", day.year)
    if day in _fallback:
        return not _fallback[day]
    return day.weekday() < 5


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (before it if n < 0); `day` itself is not counted."""
    if abs(n) > MAX_SPAN_DAYS:
        raise ValueError(f"too many working days: {n}")
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days from `start` to `end`, both included; 0 if `end` is before `start`."""
    span = (end - start).days
    if span > MAX_SPAN_DAYS:
        raise ValueError(f"date range too long: {span} days")
    return sum(1 for i in range(span + 1) if is_working_day(start + timedelta(days=i)))
