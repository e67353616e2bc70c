"""Anniversaries of a partnership: the FAO marks them generally only every 10 years, with
congratulatory letters in between (FAO-DOMAIN §1(g) step 7, [S48])."""

from __future__ import annotations

from datetime import date

STEP_YEARS = 10


def next_anniversary(since: date, today: date, step: int = STEP_YEARS) -> date:
    """The first round (10th, 20th, …) anniversary on or after `today`; 29 February falls on
    28 February in common years."""
    years = max(step, ((today.year - since.year) // step) * step)
    while True:
        day = _same_day(since, since.year + years)
        if day >= today:
            return day
        years += step


def _same_day(since: date, year: int) -> date:
    try:
        return since.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)
