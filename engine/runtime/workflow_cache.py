"""Live workflow objects kept between commands, so a command usually skips the load.

An entry is only used when its state hash equals the case row's (read under the case lock), so
a change made by another process, or a rolled-back command, simply misses. A command takes the
object out while it works on it and puts it back only after its transaction commits."""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow


class WorkflowCache:
    def __init__(self, capacity: int = 512) -> None:
        self._items: OrderedDict[int, tuple[str, BpmnWorkflow]] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def take(self, case_id: int, state_hash: str) -> BpmnWorkflow | None:
        with self._lock:
            entry = self._items.pop(case_id, None)
        if entry is None or entry[0] != state_hash:
            return None
        return entry[1]

    def put(self, case_id: int, state_hash: str, wf: BpmnWorkflow) -> None:
        with self._lock:
            self._items[case_id] = (state_hash, wf)
            self._items.move_to_end(case_id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
