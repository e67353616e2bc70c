"""The database handle: one SQLAlchemy engine per URL, sessions, and the one place that commits.

SQLite: WAL journal, a busy timeout, and `BEGIN IMMEDIATE` for write transactions so that the
case row "lock" is the database write lock taken up front (no deadlocking upgrade from a read
lock). PostgreSQL: ordinary transactions; commands lock the case row with `SELECT … FOR UPDATE`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE = "var/waishi.db"


def default_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    path = Path(os.environ.get("WAISHI_DB_PATH", DEFAULT_SQLITE)).resolve()
    return f"sqlite:///{path}"


class Database:
    """Owns the engine and hands out transactions. Commit happens only in `transaction()`."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = _make_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._write_bind = self.engine.execution_options(waishi_write=True)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self._write_bind, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: everything in the block lands, or none of it does.

        Callables appended to `session.info["after_commit"]` run once the commit succeeded (for
        in-process caches that must never see uncommitted state)."""
        with self._writer() as session:
            with session.begin():
                yield session
            for callback in session.info.pop("after_commit", []):
                callback()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session for queries (pages, lists, verification)."""
        # Closing (not rolling back) ends the transaction and leaves loaded objects usable, detached.
        with self._reader() as session:
            yield session

    def read_session(self) -> Session:
        """A read-only session the caller closes (a web request keeps one for all its queries)."""
        return self._reader()

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    synchronous = os.environ.get("WAISHI_SQLITE_SYNCHRONOUS", "NORMAL").upper()
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"WAISHI_SQLITE_SYNCHRONOUS must be OFF/NORMAL/FULL/EXTRA, not {synchronous}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        write = conn.get_execution_options().get("waishi_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
