"""Calls from diagram code that reach outside the workflow: issuing document numbers, holding a
unit, notifying people, escalating a task, reading a setting.

In a live command each call runs at once, inside the command's transaction (so a number is only
consumed if the command commits — the series stays gapless), and is recorded with its result in
the command's audit event. During replay the recorded results are handed back in order and
nothing outside the workflow is touched; a call that differs from the record is a finding.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from engine.errors import SandboxViolation

Handler = Callable[[str, dict[str, Any]], Any]


class ReplayMismatch(Exception):
    """Replay asked for an outside call the original command did not make (or in another order)."""


@dataclass
class EffectLog:
    handler: Handler | None = None
    replaying: list[dict[str, Any]] | None = None
    recorded: list[dict[str, Any]] = field(default_factory=list)

    def call(self, op: str, args: dict[str, Any]) -> Any:
        args = json.loads(json.dumps(args, ensure_ascii=False, default=str))
        if self.replaying is not None:
            if not self.replaying:
                raise ReplayMismatch(f"unrecorded call {op}({args})")
            record = self.replaying.pop(0)
            if record.get("op") != op or record.get("args") != args:
                raise ReplayMismatch(f"call {op}({args}) differs from the recorded {record}")
            self.recorded.append(record)
            return record.get("value")
        if self.handler is None:
            raise SandboxViolation("此处不能调用外部操作", f"'{op}' is not available here")
        value = self.handler(op, args)
        self.recorded.append({"op": op, "args": args, "value": value})
        return value


_current: ContextVar[EffectLog | None] = ContextVar("waishi_effects", default=None)


@contextlib.contextmanager
def effect_log(handler: Handler | None = None, replay: list[dict[str, Any]] | None = None) -> Iterator[EffectLog]:
    log = EffectLog(handler=handler, replaying=list(replay) if replay is not None else None)
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def active() -> bool:
    return _current.get() is not None


def call(op: str, **args: Any) -> Any:
    log = _current.get()
    if log is None:
        raise SandboxViolation(f"“{op}”只能在案件办理过程中调用", f"'{op}' can only run inside a case command")
    return log.call(op, args)
