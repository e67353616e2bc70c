"""Make SpiffWorkflow deterministic per command, so that replay reproduces the stored state.

SpiffWorkflow draws task ids from `uuid4()` and reads the wall clock (`time.time()` for state-change
stamps, `datetime.now(timezone.utc)` for timer due times) through module-level names. We replace
those names once, at import, with shims that read a context variable set by the command being
executed. Outside a command they fall back to the real sources, so the library behaves as usual.
Context variables are per thread (and per asyncio task), so concurrent web requests do not mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import time as _time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

import SpiffWorkflow.task as _spiff_task
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer


@dataclass
class CommandContext:
    """The clock and id source of one command: a fixed instant and a seeded generator."""

    at: datetime  # timezone-aware UTC
    rng: random.Random
    actor: str = ""  # who runs the command (recorded in its event, so replay sees the same)

    def new_uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


_current: ContextVar[CommandContext | None] = ContextVar("waishi_command_context", default=None)


def seed_for(case_key: str, seq: int) -> int:
    digest = hashlib.sha256(f"{case_key}:{seq}".encode()).digest()
    return int.from_bytes(digest[:16], "big")


@contextlib.contextmanager
def command_context(case_key: str, seq: int, at: datetime, actor: str = "") -> Iterator[CommandContext]:
    """Run a block as command number `seq` of a case, at instant `at` (UTC), by `actor`."""
    if at.tzinfo is None:
        raise ValueError("command time must be timezone-aware")
    ctx = CommandContext(at=at.astimezone(UTC), rng=random.Random(seed_for(case_key, seq)), actor=actor)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current() -> CommandContext | None:
    return _current.get()


def now() -> datetime:
    """The command's instant when inside a command, else the wall clock (UTC)."""
    ctx = _current.get()
    return ctx.at if ctx is not None else datetime.now(UTC)


def actor() -> str:
    """The username running the current command ('' outside a command)."""
    ctx = _current.get()
    return ctx.actor if ctx is not None else ""


def _uuid4() -> uuid.UUID:
    ctx = _current.get()
    return ctx.new_uuid() if ctx is not None else uuid.uuid4()


class _TimeShim:
    """Stands in for the `time` module inside SpiffWorkflow.task: only `time()` is redirected."""

    def __getattr__(self, name: str):
        return getattr(_time, name)

    @staticmethod
    def time() -> float:
        ctx = _current.get()
        return ctx.at.timestamp() if ctx is not None else _time.time()


class _DatetimeShim(datetime):
    """Stands in for `datetime` inside SpiffWorkflow's timer module: `now()` reads the command."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        ctx = _current.get()
        if ctx is None:
            return datetime.now(tz)
        return ctx.at if tz is None or tz is UTC else ctx.at.astimezone(tz)


def _install() -> None:
    _spiff_task.uuid4 = _uuid4
    _spiff_task.time = _TimeShim()
    _spiff_timer.datetime = _DatetimeShim


_install()
