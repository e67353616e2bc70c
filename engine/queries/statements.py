"""Read-model statements built once and reused.

Building a SQLAlchemy select (coercing every clause) and computing its cache key cost more than
running a small indexed query; a statement object kept and executed again skips both (its cache
key is memoized on the object). Statements whose shape depends on the viewer (their roles, unit
and username go into the WHERE clause) are kept per viewer; values that change per call (the
time, a case id) are bound parameters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class StatementCache:
    """A bounded LRU of built statements by key (e.g. ("summary", actor))."""

    def __init__(self, capacity: int = 1024) -> None:
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit  # type: ignore[return-value]
        built = build()
        with self._lock:
            self._items[key] = built
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return built


statements = StatementCache()
