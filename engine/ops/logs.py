"""Structured log lines: one per web request (webapp/request_log.py), per engine command and per
`waishi` command, each a JSON object on logger `waishi.request`, `waishi.command` or `waishi.cli`.

They carry ids only — request id, user id, case id, command name, duration, outcome — never
names, form data or search terms. The request id and user id of the request being served are
context variables (per thread), so a command run on behalf of a request logs the same ids.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from engine.errors import WaishiError

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("waishi_request_id", default=None)
user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("waishi_user_id", default=None)

command_log = logging.getLogger("waishi.command")

F = TypeVar("F", bound=Callable[..., Any])


def emit(logger: logging.Logger, **fields: Any) -> None:
    """One line: the fields as a JSON object (keys in a fixed order), at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str))


def outcome_of(exc: BaseException | None) -> str:
    if exc is None:
        return "ok"
    if isinstance(exc, WaishiError):
        return exc.code
    return "error:" + type(exc).__name__


def logged_command(name: str) -> Callable[[F], F]:
    """Log one line per call of a service command: its name, case, duration and outcome (the
    error's code when it was refused, `error:<class>` when it failed). The case is the `case_id`
    argument, or the command's result when it returns the new case's id (start)."""

    def decorator(method: F) -> F:
        signature = inspect.signature(method)
        takes_case = "case_id" in signature.parameters

        @functools.wraps(method)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            case = None
            if takes_case:
                case = signature.bind_partial(*args, **kwargs).arguments.get("case_id")
            failure: BaseException | None = None
            result = None
            try:
                result = method(*args, **kwargs)
                return result
            except BaseException as exc:
                failure = exc
                raise
            finally:
                if case is None and isinstance(result, int) and not isinstance(result, bool):
                    case = result
                emit(command_log, request_id=request_id.get(), user_id=user_id.get(), command=name, case=case,
                     duration_ms=round((time.perf_counter() - started) * 1000, 2), outcome=outcome_of(failure))

        return wrapped  # type: ignore[return-value]

    return decorator
