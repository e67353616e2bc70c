"""A per-command CPU budget (and a memory-growth bound) for diagram code.

The web server runs commands on threads, so signals and `setrlimit` are not an option. Instead
the compiled code calls `tick()` at the top of every loop and function body and for every item it
iterates; `tick()` compares the thread's CPU time (`time.thread_time()`) with the budget held in a
ContextVar, and now and then the process's peak RSS with what it was when the budget started.
A refusal is sticky: once raised, every later `tick()` of the same budget raises it again, and the
environment re-raises it after the code returns, so `try: ... except Exception: pass` in a script
cannot swallow it.

The memory bound is coarse: the process's peak RSS is shared by all threads and read every few
milliseconds, so it stops growth across many steps; single huge allocations are refused earlier
by the size guards in `guards.py`. Neither can interrupt one long C call (see `guards.py`).
"""

from __future__ import annotations

import contextlib
import resource
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import NoReturn

from engine.errors import SandboxViolation

DEFAULT_SECONDS = 2.0
MAX_MEMORY_GROWTH = 512 * 1024 * 1024  # bytes of peak RSS a command may add
_CHECK_EVERY = 0.005  # wall seconds between clock/memory reads; CPU time cannot outrun wall time

# ru_maxrss is in KiB on Linux, bytes on macOS.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _RSS_UNIT


@dataclass
class Budget:
    deadline: float  # in time.thread_time() seconds
    seconds: float
    rss_base: int
    next_check: float = 0.0
    violation: SandboxViolation | None = None


_current: ContextVar[Budget | None] = ContextVar("waishi_sandbox_budget", default=None)


@contextlib.contextmanager
def cpu_budget(seconds: float | None = None) -> Iterator[Budget]:
    """Give the diagram code run inside this block at most `seconds` (default `DEFAULT_SECONDS`,
    2 s) of this thread's CPU time.

    Nested blocks never extend an outer budget. Intended to wrap one whole command
    (`do_engine_steps`); the environment opens one itself when code runs outside any.
    """
    if seconds is None:
        seconds = DEFAULT_SECONDS
    deadline = time.thread_time() + seconds
    outer = _current.get()
    if outer is not None:
        deadline = min(deadline, outer.deadline)
    budget = Budget(deadline=deadline, seconds=seconds, rss_base=_peak_rss())
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def current_budget() -> Budget | None:
    return _current.get()


def refuse(zh: str, en: str, **details: object) -> NoReturn:
    """Raise a SandboxViolation and remember it in the current budget (see module docstring)."""
    exc = SandboxViolation(zh, en, **details)
    budget = _current.get()
    if budget is not None and budget.violation is None:
        budget.violation = exc
    raise exc


def tick() -> None:
    budget = _current.get()
    if budget is None:
        return
    if budget.violation is not None:
        raise budget.violation
    now = time.perf_counter()
    if now < budget.next_check:
        return
    budget.next_check = now + _CHECK_EVERY
    if time.thread_time() > budget.deadline:
        refuse(
            f"脚本或表达式运行超时（超过 {budget.seconds:g} 秒 CPU 时间）",
            f"Diagram code ran too long (more than {budget.seconds:g} s of CPU time)",
        )
    if _peak_rss() - budget.rss_base > MAX_MEMORY_GROWTH:
        refuse(
            f"脚本或表达式占用内存过多（超过 {MAX_MEMORY_GROWTH // 2**20} MB）",
            f"Diagram code used too much memory (more than {MAX_MEMORY_GROWTH // 2**20} MB)",
        )


def ticking(iterable) -> Iterator:
    """Iterate with a tick per item: bounds C-level consumers (list(), sum(), ...) of lazy iterators."""
    for item in iterable:
        tick()
        yield item
