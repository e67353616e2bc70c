"""The timer worker: find cases whose next timer is due and fire them, one command each.

Several workers may run against one database. On PostgreSQL each fire command takes the case
row with `FOR UPDATE SKIP LOCKED`, so a worker passes over a case another worker holds instead of
queueing behind it; on SQLite the write lock serialises them. Either way the fire command
re-checks `next_timer_at` under the lock, so a timer never fires twice.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from engine.errors import WaishiError
from engine.runtime.service import CaseService

log = logging.getLogger("waishi.timers")


def fire_due(service: CaseService, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Fire every due case once. Returns the ids of the cases whose timers fired here."""
    now = now or service.clock()
    fired = []
    for case_id in service.due_cases(now, limit):
        try:
            if service.fire_timers(case_id, at=now, skip_locked=True):
                fired.append(case_id)
        except WaishiError as exc:
            # A broken diagram must not stop the other cases' timers; the case stays due and
            # the failure is logged on every pass until an analyst fixes the definition.
            log.error("timer of case %s failed: %s", case_id, exc)
    return fired


def run_worker(service: CaseService, interval: float = 5.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    log.info("timer worker started (every %.1f s)", interval)
    while not stop.is_set():
        try:
            fired = fire_due(service)
            if fired:
                log.info("fired timers of cases %s", fired)
        except Exception:  # the worker must survive a lost connection and retry on the next pass
            log.exception("timer pass failed")
        stop.wait(interval)
