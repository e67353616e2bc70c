"""`waishi serve`: gunicorn web processes and the timer worker as its own process, stopped
gracefully by Ctrl-C — a request in flight finishes and its command commits whole."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

from sqlalchemy import create_engine, select, text

from engine.definitions.deploy import deploy_paths
from engine.demo import DEMO_PASSWORD, load_demo
from engine.runtime.service import CaseService
from engine.storage.db import Database
from engine.storage.migrate import upgrade
from engine.storage.models import WorkItem
from engine.storage.ops_models import WorkerHeartbeat
from tests.conftest import TEST_PROCESSES
from tests.helpers import open_item
from tests.ops.http_user import HttpUser
from tests.ops.servers import free_port, scratch_pg, stop, waishi, wait_for


def test_serve_with_timer_worker_stops_cleanly_on_ctrl_c(deployed, db_url):
    port = free_port()
    server = waishi(db_url, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timer-worker")
    try:
        wait_for(f"http://127.0.0.1:{port}/health")
        wait_for(f"http://127.0.0.1:{port}/ready")  # the timer worker process has beaten
        user = HttpUser(port)
        user.sign_in("clerk_commerce", DEMO_PASSWORD)
        assert user.get("/").status == 200
        user.close()
    finally:
        code = stop(server, signal.SIGINT)  # Ctrl-C reaches every process of the group
    assert code == 0
    with deployed.read() as s:  # the timer worker stopped cleanly: its heartbeat is gone
        assert s.scalars(select(WorkerHeartbeat)).all() == []


def _pg_waiting_on_a_lock(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return bool(c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND wait_event_type = 'Lock'")).scalar())
    finally:
        engine.dispose()


class _Lines:
    """Collects a process's stderr lines (gunicorn's log) in a thread."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def count(self, words: str) -> int:
        return sum(words in line for line in list(self.lines))


def _until(check, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, f"not within {limit} s: {what}"
        time.sleep(0.1)


def test_a_request_in_flight_finishes_and_commits_during_shutdown():
    """On PostgreSQL, whose row locks let the test hold a command mid-way: the claim waits for
    the case row this test has locked; Ctrl-C reaches the server's processes; then the lock is released
    and the claim completes, commits and answers before the server exits."""
    with scratch_pg() as url:
        db = Database(url)
        upgrade(db)
        load_demo(db)
        deploy_paths(db, [TEST_PROCESSES])
        service = CaseService(db)
        case_id = service.start_case("clerk_commerce", "test_approval")
        item = open_item(db, case_id, "ut_apply")
        port = free_port()
        server = waishi(url, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                        stderr=subprocess.PIPE, text=True)
        log = _Lines(server.stderr)
        answer: dict = {}
        try:
            wait_for(f"http://127.0.0.1:{port}/health")
            clerk = HttpUser(port)
            clerk.sign_in("clerk_commerce", DEMO_PASSWORD)
            token = clerk.get("/").csrf()
            holder = create_engine(url)
            with holder.connect() as lock:
                lock.execute(text("SELECT id FROM cases WHERE id = :c FOR UPDATE"), {"c": case_id})

                def claim() -> None:
                    answer["response"] = clerk.post(f"/cases/{case_id}/tasks/{item.task_id}/claim",
                                                    {"expected_version": str(item.version), "csrf_token": token})

                client = threading.Thread(target=claim)
                client.start()
                _until(lambda: _pg_waiting_on_a_lock(url), "the claim waits for the case row")
                os.killpg(server.pid, signal.SIGINT)  # Ctrl-C
                # The group got the signal: the master says so, and the idle web process exits.
                _until(lambda: log.count("Handling signal: int") and log.count("Worker exiting"),
                       "the server begins its graceful stop")
                assert not answer  # still in flight
                lock.rollback()  # release the row: the claim goes on
            holder.dispose()
            client.join(timeout=60)
            assert not client.is_alive()
        finally:
            code = stop(server, signal.SIGTERM)
        assert code == 0
        assert answer["response"].status in (302, 303)
        with db.read() as s:
            assert s.scalar(select(WorkItem.assignee).where(WorkItem.id == item.id)) == "clerk_commerce"
        from engine.audit.verify import verify

        assert verify(db, case_id).ok
        db.dispose()
