"""Which decision-table rows a run of the engine matched — to tell the analyst which scenarios
exercise the rows a change touches.

SpiffWorkflow's `DMNEngine.decide` is the one place rows are matched and it offers no hook, so it
is wrapped once, here; the wrapper costs one ContextVar read when nobody records, which is every
command outside `recording()` (cases, replay, verification).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

_hits: ContextVar[list[str] | None] = ContextVar("waishi_rule_hits", default=None)
_original = DMNEngine.decide


def _decide(self: DMNEngine, task):  # noqa: ANN001 — SpiffWorkflow's own signature
    rules = _original(self, task)
    sink = _hits.get()
    if sink is not None:
        sink.extend(str(rule.id) for rule in rules if getattr(rule, "id", None))
    return rules


if getattr(DMNEngine.decide, "__name__", "") != "_decide":
    DMNEngine.decide = _decide


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """Collect the ids of the rules matched inside the block (in order, repeats kept)."""
    sink: list[str] = []
    token = _hits.set(sink)
    try:
        yield sink
    finally:
        _hits.reset(token)
