"""The timer worker: find cases whose next timer is due and fire them, one command each.

Several workers may run against one database. On PostgreSQL each fire command takes the case
row with `FOR UPDATE SKIP LOCKED`, so a worker passes over a case another worker holds instead of
queueing behind it; on SQLite the write lock serialises them. Either way the fire command
re-checks `next_timer_at` under the lock, so a timer never fires twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime

from engine.errors import WaishiError
from engine.ops import heartbeat
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


class Sealer:
    """Seals the audit chains every `WAISHI_SEAL_INTERVAL` seconds (default 3600; 0: never) when
    a signing key is configured (docs/audit.md). A failure is logged, never fatal to the worker."""

    def __init__(self, service: CaseService, interval: float | None = None) -> None:
        self.service = service
        self.interval = float(os.environ.get("WAISHI_SEAL_INTERVAL", "3600")) if interval is None else interval
        self._next = 0.0

    def tick(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self.interval <= 0 or now < self._next:
            return
        self._next = now + self.interval
        from engine.audit import keys, seal

        try:
            key = keys.load_signing_key()
            if key is None:
                return
            made = seal.seal(self.service.db, key=key)
            if made is not None:
                log.info("sealed %d chain(s), %d event(s): seal %d", made.chain_count, made.event_count, made.id)
        except Exception:
            log.exception("sealing the audit chains failed")


def run_worker(service: CaseService, interval: float = 5.0, stop: threading.Event | None = None) -> None:
    """Pass after pass until `stop` is set. A pass in progress always finishes (each fire command
    commits or rolls back whole); the worker's heartbeat row is removed on the way out."""
    stop = stop or threading.Event()
    sealer = Sealer(service)
    name, started = heartbeat.worker_name(), service.clock()
    log.info("timer worker %s started (every %.1f s)", name, interval)
    while not stop.is_set():
        worker_pass(service, name, started)
        sealer.tick()
        _index_paths(service)
        stop.wait(interval)
    try:
        heartbeat.stopped(service.db, name)
    except Exception:
        log.exception("removing the heartbeat of %s failed", name)
    log.info("timer worker %s stopped", name)


def worker_pass(service: CaseService, name: str | None = None, started: datetime | None = None) -> list[int]:
    """One pass: record the heartbeat (read by /ready), then fire what is due."""
    name = name or heartbeat.worker_name()
    fired: list[int] = []
    try:
        heartbeat.beat(service.db, name, started or service.clock())
        fired = fire_due(service)
        if fired:
            log.info("fired timers of cases %s", fired)
    except Exception:  # the worker must survive a lost connection and retry on the next pass
        log.exception("timer pass failed")
    return fired


def _index_paths(service: CaseService) -> None:
    from engine.audit import pathindex

    try:
        pathindex.catch_up(service.db)
    except Exception:
        log.exception("indexing the cases' paths failed")
