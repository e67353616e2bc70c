"""Exports that take a while (the PDF and Word files of a long report) run in a thread of the web
process that was asked; their progress and file are kept in the database (engine/reports/jobs.py),
so the page's next question may reach any web process. Jobs belong to the user who started them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from engine.errors import WaishiError
from engine.reports.jobs import ExportJobStore
from engine.reports.service import Export

Work = Callable[[Callable[[int, int, str], None]], Export]


def start(store: ExportJobStore, owner: str, fmt: str, work: Work) -> str:
    job_id = store.create(owner, fmt)

    def run() -> None:
        try:
            store.finish(job_id, work(lambda done, total, step: store.progress(job_id, done, total, step)))
        except WaishiError as exc:
            store.fail(job_id, exc.message)
        except Exception:  # noqa: BLE001 — the page says it failed; the log has the traceback
            logging.getLogger(__name__).exception("report export %s failed", job_id)
            store.fail(job_id, None)

    threading.Thread(target=run, name=f"report-export-{job_id}", daemon=True).start()
    return job_id
