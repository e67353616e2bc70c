"""The admin-maintained holiday table: loaded into the working-day calendar's fallback for the
years the official calendar package does not know yet (it says so; never silently)."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import select

from engine.office import workdays
from engine.storage.db import Database
from engine.storage.models import Holiday


def load(db: Database) -> dict[date, bool]:
    """Read the table and install it as the fallback calendar. Returns what was installed."""
    with db.read() as session:
        table = {h.day: h.is_holiday for h in session.scalars(select(Holiday))}
    workdays.set_fallback_holidays(table)
    _loaded_at[db.url] = time.monotonic()
    return table


_loaded_at: dict[str, float] = {}
REFRESH_SECONDS = 60.0


def refresh(db: Database) -> None:
    """Load the table if this process has not, or not for a minute (other processes may edit it)."""
    now = time.monotonic()
    if now - _loaded_at.get(db.url, -REFRESH_SECONDS) >= REFRESH_SECONDS:
        load(db)
        _loaded_at[db.url] = now


def put(db: Database, day: date, is_holiday: bool, note: str = "") -> None:
    with db.transaction() as session:
        row = session.get(Holiday, day)
        if row is None:
            session.add(Holiday(day=day, is_holiday=is_holiday, note=note))
        else:
            row.is_holiday, row.note = is_holiday, note
    load(db)
