"""One read session per request: the signed-in user's load, the page's queries and the
navigation counts share one transaction (one connection check-out, one `BEGIN`, one consistent
snapshot) instead of one each.

GET pages keep it until the request ends. Requests that change something end it as soon as the
user is loaded (`end()`), so the command's own write transaction, and anything read after it, sees
the database as it is now, not a snapshot from before the command. A query that fails ends it too:
the next `read()` starts a fresh transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import Flask, g
from sqlalchemy.orm import Session

from webapp.services import waishi


@contextlib.contextmanager
def read() -> Iterator[Session]:
    """The request's read session (opened on first use; closed when the request ends)."""
    session = g.get("_read_session")
    if session is None:
        session = g._read_session = waishi().db.read_session()
    try:
        yield session
    except BaseException:
        end()
        raise


def end() -> None:
    """End the request's read transaction now (before a command, or when the request is done)."""
    session = g.pop("_read_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_request(lambda _exc: end())
