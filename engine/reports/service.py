"""The report's service layer: who may read it (fao_clerk, section_chief, fao_director,
leader_in_charge, auditor) and who may freeze it (the FAO's clerk, section chief and director —
never the read-only auditor), checked in the engine; figures, exports and frozen reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from engine.errors import Forbidden, InvalidInput
from engine.reports import figures as figures_mod
from engine.reports import freeze
from engine.reports.csv_export import render_csv
from engine.reports.docx_export import render_docx
from engine.reports.period import Period
from engine.reports.render import render_pdf
from engine.reports.xlsx_export import render_xlsx
from engine.runtime.actors import Actor, load_actor, load_reader
from engine.sandbox.helpers import CHINA_TZ
from engine.storage.db import Database

READERS = frozenset({"fao_clerk", "section_chief", "fao_director", "leader_in_charge", "auditor"})
FREEZERS = frozenset({"fao_clerk", "section_chief", "fao_director"})
FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}
Progress = Callable[[int, int, str], None]  # (done, total, what)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    mimetype: str


class ReportService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def today(self) -> date:
        return self.clock().astimezone(CHINA_TZ).date()

    def may_read(self, username: str) -> bool:
        with self.db.read() as session:
            return bool(load_reader(session, username).roles & READERS)

    def may_freeze(self, username: str) -> bool:
        with self.db.read() as session:
            return bool(load_reader(session, username).roles & FREEZERS)

    def figures(self, username: str, period: Period) -> dict[str, Any]:
        with self.db.read() as session:
            self._reader(session, username)
            return figures_mod.build(session, period, made_at=self.clock(), made_by=username)

    def export(self, username: str, period: Period, fmt: str, lang: str, *, table: str | None = None,
               progress: Progress | None = None) -> Export:
        return self.render(self.figures(username, period), fmt, lang, table=table, progress=progress)

    def render(self, figures: dict[str, Any], fmt: str, lang: str, *, table: str | None = None,
               progress: Progress | None = None, frozen: freeze.FrozenView | None = None) -> Export:
        if fmt not in FORMATS:
            raise InvalidInput(f"不支持的格式：{fmt}", f"Unknown format: {fmt}")
        total = len(figures["tables"]) + 1
        done = [0]

        def step(what: str) -> None:
            done[0] += 1
            if progress:
                progress(min(done[0], total - 1), total, what)

        stem = f"waishi-report-{figures['period']['start']}-{figures['period']['end']}"
        if frozen is not None:
            stem += f"-frozen-{frozen.id}"
        if fmt == "pdf":
            if progress:
                progress(1, 3, "render")
            content = (self._stored_pdf(frozen) if frozen is not None and lang == frozen.lang
                       else render_pdf(figures, lang, frozen.as_note() if frozen else None))
        elif fmt == "docx":
            content = render_docx(figures, lang, step)
        elif fmt == "xlsx":
            content = render_xlsx(figures, lang, step)
        else:
            tbl = figures_mod.table_of(figures, table or "")
            content = render_csv(figures, tbl, lang).encode("utf-8")
            stem += f"-{tbl['id']}"
        if progress:
            progress(total, total, "done")
        return Export(content, f"{stem}.{fmt}", FORMATS[fmt])

    # -- frozen reports ---------------------------------------------------------------------

    def freeze(self, username: str, period: Period, lang: str) -> freeze.FrozenView:
        if period.half is None or not period.finished(self.today()):
            raise InvalidInput("只有已结束的半年度报告可以定稿", "Only a finished half-year can be frozen")
        at = self.clock()
        with self.db.read() as session:
            actor = self._reader(session, username)
            if not actor.roles & FREEZERS:
                raise Forbidden("只有外办经办人、处长或外办主任可以定稿报告",
                                "Only the FAO clerk, section chief or director may freeze a report")
            figures = figures_mod.build(session, period, made_at=at, made_by=username)
        with self.db.transaction() as session:
            load_actor(session, username)  # refuses read-only accounts, like every command
            freeze.refuse_twice(session, period)  # before a number is drawn
            number = freeze.next_number(session, at)
            note = {"number": number, "frozen_at": at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
                    "frozen_by": username, "figures_sha256": freeze.sha256(freeze.canonical(figures))}
            pdf = render_pdf(figures, lang, note)
            row = freeze.store(session, period=period, figures=figures, pdf=pdf, lang=lang, actor=username, at=at,
                               number=number)
            return freeze.view(row)

    def frozen_list(self, username: str) -> list[dict[str, Any]]:
        with self.db.read() as session:
            self._reader(session, username)
            return freeze.listing(session)

    def frozen(self, username: str, frozen_id: int) -> freeze.FrozenView:
        with self.db.read() as session:
            self._reader(session, username)
            return freeze.view(freeze.load(session, frozen_id))

    def frozen_export(self, username: str, frozen_id: int, fmt: str, *, table: str | None = None,
                      progress: Progress | None = None) -> Export:
        frozen = self.frozen(username, frozen_id)
        return self.render(frozen.figures, fmt, frozen.lang, table=table, progress=progress, frozen=frozen)

    def _stored_pdf(self, frozen: freeze.FrozenView) -> bytes:
        with self.db.read() as session:
            return freeze.load(session, frozen.id).pdf

    @staticmethod
    def _reader(session, username: str) -> Actor:
        actor = load_reader(session, username)
        if not actor.roles & READERS:
            raise Forbidden("您没有查看统计报表的权限", "You may not see the reports")
        return actor
