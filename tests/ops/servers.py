"""Real processes for the serving tests: `waishi serve` / `waishi worker` as subprocesses on
127.0.0.1, each in a process group of its own, with bounded waits; and a scratch PostgreSQL
database for the tests that need PostgreSQL's row locks whatever DATABASE_URL says."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("DATABASE_URL") if (os.environ.get("DATABASE_URL") or "").startswith("postgresql") \
    else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def waishi(db_url: str, *args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """A `waishi` command in a new process group (so a signal can reach all its processes)."""
    return subprocess.Popen([sys.executable, "-c", "from engine.cli import entry; entry()", "--db", db_url, *args],
                            cwd=REPO, env={**os.environ, **(env or {})}, start_new_session=True, **kwargs)


def wait_for(url: str, status: int = 200, limit: float = 60.0) -> None:
    """Poll `url` until it answers `status` (bounded: fails after `limit` seconds)."""
    deadline = time.monotonic() + limit
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == status:
                    return
                last = r.status
        except urllib.error.HTTPError as exc:
            last = exc.code
            if exc.code == status:
                return
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status} within {limit} s (last: {last})")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, limit: float = 60.0) -> int:
    """Signal the process group and wait for the leader; kill the group if it hangs."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        return proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError(f"process {proc.args} did not stop within {limit} s") from None


@contextlib.contextmanager
def scratch_pg(prefix: str = "waishi_serve") -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise AssertionError(f"these tests need PostgreSQL at {PG_SERVER} (start it, or set DATABASE_URL): {exc}") \
            from None
    try:
        yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
