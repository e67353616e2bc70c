"""One structured line per request on logger `waishi.request` (engine/ops/logs.py): request id
(the client's `X-Request-Id` when it is a plain token, else a new one; echoed in the response),
user id, method, endpoint, path without the query string, case id, status, duration, outcome.
Commands run during the request log the same request and user ids."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

from engine.ops import logs

log = logging.getLogger("waishi.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_reset)


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    g.log_tokens = (logs.request_id.set(g.request_id), logs.user_id.set(None))


def mark_user(user_id: int | None) -> None:
    """Called once the signed-in user is known, so commands log it too."""
    logs.user_id.set(user_id)


def _finish(response):
    started = g.get("request_started")
    if started is None:
        return response
    user = g.get("user")
    status = response.status_code
    logs.emit(log, request_id=g.request_id, user_id=user.id if user is not None else None, method=request.method,
              endpoint=request.endpoint, path=request.path, case=(request.view_args or {}).get("case_id"),
              status=status, duration_ms=round((time.perf_counter() - started) * 1000, 2),
              outcome="ok" if status < 400 else "refused" if status < 500 else "error")
    response.headers["X-Request-Id"] = g.request_id
    return response


def _reset(_exc) -> None:
    tokens = g.pop("log_tokens", None)
    if tokens:
        logs.request_id.reset(tokens[0])
        logs.user_id.reset(tokens[1])
