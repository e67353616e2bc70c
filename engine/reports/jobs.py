"""Export jobs kept in the database (`report_export_jobs`), so that any web process — there are
several behind gunicorn — answers for a job another one runs: its progress, then its file. The
process that started a job writes its progress as it goes; a job whose process went away (a
restart, a crash) stops being touched and is reported as interrupted instead of running forever."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from engine.errors import Conflict, Message
from engine.reports.service import Export, utcnow
from engine.storage.db import Database
from engine.storage.report_models import ReportExportJob

KEEP = timedelta(minutes=10)
STALE = timedelta(minutes=2)  # a running job untouched this long lost its process
MAX_RUNNING = 50
INTERRUPTED = Message("导出被中断（服务已重启），请重新导出",
                      "The export was interrupted (the server restarted); export again")


@dataclass(frozen=True)
class JobView:
    id: str
    fmt: str
    state: str  # running | done | failed
    done: int
    total: int
    step: str
    error: Message | None


class ExportJobStore:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def create(self, owner: str, fmt: str) -> str:
        now = self.clock()
        with self.db.transaction() as session:
            session.execute(delete(ReportExportJob).where(ReportExportJob.created_at < now - KEEP))
            running = session.scalar(select(func.count()).select_from(ReportExportJob).where(
                ReportExportJob.state == "running", ReportExportJob.updated_at >= now - STALE))
            if running >= MAX_RUNNING:
                raise Conflict("导出任务过多，请稍后再试", "Too many exports are running; try again shortly")
            job_id = secrets.token_urlsafe(12)
            session.add(ReportExportJob(id=job_id, owner=owner, fmt=fmt, state="running", done=0, total=1, step="",
                                        created_at=now, updated_at=now))
        return job_id

    def progress(self, job_id: str, done: int, total: int, step: str) -> None:
        self._set(job_id, done=done, total=total, step=step[:200])

    def finish(self, job_id: str, result: Export) -> None:
        self._set(job_id, state="done", content=result.content, filename=result.filename[:200],
                  mimetype=result.mimetype[:100])

    def fail(self, job_id: str, error: Message | None) -> None:
        self._set(job_id, state="failed", error_zh=error.zh if error else None, error_en=error.en if error else None)

    def get(self, job_id: str, owner: str) -> JobView | None:
        """The job, for its owner only (anyone else is told there is none)."""
        with self.db.read() as session:
            job = session.execute(select(
                ReportExportJob.id, ReportExportJob.fmt, ReportExportJob.state, ReportExportJob.done,
                ReportExportJob.total, ReportExportJob.step, ReportExportJob.error_zh, ReportExportJob.error_en,
                ReportExportJob.updated_at).where(ReportExportJob.id == job_id, ReportExportJob.owner == owner)).first()
        if job is None:
            return None
        state, error = job.state, Message(job.error_zh, job.error_en or job.error_zh) if job.error_zh else None
        if state == "running" and job.updated_at < self.clock() - STALE:
            state, error = "failed", INTERRUPTED
        return JobView(job.id, job.fmt, state, job.done, job.total, job.step, error)

    def file(self, job_id: str, owner: str) -> Export | None:
        with self.db.read() as session:
            row = session.execute(select(ReportExportJob.content, ReportExportJob.filename, ReportExportJob.mimetype)
                                  .where(ReportExportJob.id == job_id, ReportExportJob.owner == owner,
                                         ReportExportJob.state == "done")).first()
        return None if row is None or row.content is None else Export(row.content, row.filename, row.mimetype)

    def _set(self, job_id: str, **values) -> None:
        with self.db.transaction() as session:
            session.execute(update(ReportExportJob).where(ReportExportJob.id == job_id)
                            .values(updated_at=self.clock(), **values))
