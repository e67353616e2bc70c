"""Slowing down password guessing: after a few failed sign-ins for the same username from the
same address, each further attempt must wait, twice as long after every failure (capped).

Kept in the memory of one web process; with several processes each counts on its own, so the
effective number of free attempts is multiplied by the process count (the delays still grow).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Entry:
    failures: int
    last: float


class LoginThrottle:
    def __init__(self, free_attempts: int = 3, base_delay: float = 5.0, max_delay: float = 900.0,
                 forget_after: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.clock = clock
        self._entries: dict[tuple[str, ...], _Entry] = {}
        self._lock = threading.Lock()

    def delay_after(self, failures: int) -> float:
        """Seconds an attempt must wait after `failures` failures in a row."""
        if failures < self.free_attempts:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** (failures - self.free_attempts))

    def retry_after(self, key: tuple[str, ...]) -> float:
        """Seconds until the next attempt for `key` is accepted (0: now)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return 0.0
            waited = self.clock() - entry.last
            if waited >= self.forget_after:
                del self._entries[key]
                return 0.0
            return max(0.0, self.delay_after(entry.failures) - waited)

    def failure(self, key: tuple[str, ...]) -> int:
        """Record a failure; returns the number of failures in a row."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or now - entry.last >= self.forget_after:
                entry = self._entries[key] = _Entry(0, now)
            entry.failures += 1
            entry.last = now
            if len(self._entries) > 10_000:
                self._prune(now)
            return entry.failures

    def success(self, key: tuple[str, ...]) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if now - e.last >= self.forget_after]:
            del self._entries[key]
