"""`waishi serve`: the web app under gunicorn (the default), optionally with the timer worker as
a process of its own; the development server only behind `--dev`.

Stopping is graceful on SIGTERM and on Ctrl-C (SIGINT) alike: gunicorn stops accepting, each web
process finishes the requests it is serving (up to the graceful timeout), and the timer worker
finishes its pass. A command is one database transaction, so one cut short anyway (a second
Ctrl-C, or the graceful timeout) rolls back whole: never half.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

log = logging.getLogger("waishi.server")


@dataclass(frozen=True)
class ServeOptions:
    bind: str = "127.0.0.1:5000"
    workers: int = 2
    threads: int = 4
    timeout: int = 60
    graceful_timeout: int = 30
    db_url: str | None = None
    timer_worker: bool = False
    worker_interval: float = 5.0


class _GracefulArbiter(Arbiter):
    """Ctrl-C stops gracefully, like SIGTERM (gunicorn's own SIGINT is a quick shutdown)."""

    def handle_int(self) -> None:
        raise StopIteration


def _graceful_worker_int(worker) -> None:
    # The terminal sends Ctrl-C to every process of the group, web processes included: let each
    # finish what it serves instead of exiting mid-request.
    signal.signal(signal.SIGINT, worker.handle_exit)


class WaishiServer(BaseApplication):
    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.timer: subprocess.Popen | None = None
        super().__init__()

    def load_config(self) -> None:
        o = self.options
        settings: dict[str, Any] = {
            "bind": [b.strip() for b in o.bind.split(",") if b.strip()],
            "workers": o.workers, "threads": o.threads, "worker_class": "gthread",
            "timeout": o.timeout, "graceful_timeout": o.graceful_timeout,
            "accesslog": None, "errorlog": "-", "control_socket_disable": True, "loglevel": "info",
            "proc_name": "waishi",
            "post_worker_init": _graceful_worker_int, "when_ready": self._when_ready, "on_exit": self._on_exit,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        from webapp import create_app

        return create_app({"DATABASE_URL": self.options.db_url} if self.options.db_url else None)

    def run(self) -> None:
        try:
            _GracefulArbiter(self).run()
        except RuntimeError as exc:
            print(f"\nError: {exc}\n", file=sys.stderr)
            sys.exit(1)

    def _when_ready(self, _arbiter) -> None:
        if self.options.timer_worker:
            self.timer = start_timer_worker(self.options.db_url, self.options.worker_interval)
            log.info("timer worker started as process %s", self.timer.pid)

    def _on_exit(self, _arbiter) -> None:
        if self.timer is not None and self.timer.poll() is None:
            self.timer.send_signal(signal.SIGTERM)  # finishes its pass, then exits
            try:
                self.timer.wait(timeout=self.options.graceful_timeout)
            except subprocess.TimeoutExpired:
                self.timer.kill()
            log.info("timer worker stopped")


def start_timer_worker(db_url: str | None, interval: float) -> subprocess.Popen:
    args = [sys.executable, "-c", "from engine.cli import entry; entry()"]
    if db_url:
        args += ["--db", db_url]
    return subprocess.Popen([*args, "worker", "--interval", str(interval)], env=os.environ.copy())


def serve(options: ServeOptions) -> None:
    WaishiServer(options).run()
