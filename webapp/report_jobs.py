"""Exports that take a while (the PDF and Word files of a long report) run in a thread of the web
process; the page asks for the job's progress and fetches the file when it is done. Jobs live in
memory for a few minutes, belong to the user who started them, and write nothing to the database."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.errors import WaishiError
from engine.reports.service import Export

KEEP_S = 600
MAX_JOBS = 50


@dataclass
class Job:
    id: str
    owner: str
    fmt: str
    started: float
    done: int = 0
    total: int = 1
    step: str = ""
    result: Export | None = None
    error: WaishiError | None = None
    failed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(self, done: int, total: int, what: str) -> None:
        with self.lock:
            self.done, self.total, self.step = done, total, what

    def state(self) -> str:
        if self.error is not None or self.failed:
            return "failed"
        return "done" if self.result is not None else "running"


class ExportJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, fmt: str, work: Callable[[Callable[[int, int, str], None]], Export]) -> Job:
        job = Job(secrets.token_urlsafe(12), owner, fmt, time.monotonic())
        with self._lock:
            self._expire()
            if sum(1 for j in self._jobs.values() if j.state() == "running") >= MAX_JOBS:
                from engine.errors import Conflict

                raise Conflict("导出任务过多，请稍后再试", "Too many exports are running; try again shortly")
            self._jobs[job.id] = job

        def run() -> None:
            try:
                job.result = work(job.progress)
            except WaishiError as exc:
                job.error = exc
            except Exception:  # noqa: BLE001 — the page says it failed; the log has the traceback
                import logging

                logging.getLogger(__name__).exception("report export %s failed", job.id)
                job.failed = True

        threading.Thread(target=run, name=f"report-export-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, j in self._jobs.items() if now - j.started > KEEP_S]:
            del self._jobs[key]
