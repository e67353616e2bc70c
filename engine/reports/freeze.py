"""Frozen reports: what was submitted, kept exactly. Freezing a finished half-year stores the
figures (canonical JSON — everything the page, Word, Excel and CSV files are rendered from) and
the PDF, hashes both (SHA-256), draws a number from the gapless number series and records the
freeze on the system audit chain, all in one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.errors import Conflict, NotFound
from engine.reports.period import Period
from engine.sandbox.helpers import CHINA_TZ
from engine.storage.models import NumberSeries
from engine.storage.report_models import FrozenReport

SERIES = "biannual_report"
NUMBER_FORMAT = "兰外报〔{year}〕{n}号"


def canonical(figures: dict[str, Any]) -> str:
    return json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def seal_of(number: str, figures_sha256: str, pdf_sha256: str) -> str:
    return sha256(f"{number}\n{figures_sha256}\n{pdf_sha256}")


@dataclass(frozen=True)
class FrozenView:
    id: int
    number: str
    label: str
    period: Period
    lang: str
    figures: dict[str, Any]
    figures_sha256: str
    pdf_sha256: str
    sha256: str
    frozen_by: str
    frozen_at: datetime
    intact: bool  # the stored figures and PDF still hash to what was recorded

    def as_note(self) -> dict[str, Any]:
        return {"number": self.number, "frozen_at": self.frozen_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
                "frozen_by": self.frozen_by, "figures_sha256": self.figures_sha256}


def next_number(session: Session, at: datetime) -> str:
    year = at.astimezone(CHINA_TZ).year
    postgres = session.get_bind().dialect.name == "postgresql"
    ins = (pg_insert if postgres else sqlite_insert)(NumberSeries).values(kind=SERIES, year=year, last=1)
    stmt = ins.on_conflict_do_update(index_elements=["kind", "year"], set_={"last": NumberSeries.last + 1})
    n = session.execute(stmt.returning(NumberSeries.last)).scalar_one()
    return NUMBER_FORMAT.replace("{year}", str(year)).replace("{n}", str(n))


def existing(session: Session, period: Period) -> FrozenReport | None:
    return session.scalars(select(FrozenReport).where(FrozenReport.period_start == period.start,
                                                      FrozenReport.period_end == period.end)).first()


def refuse_twice(session: Session, period: Period) -> None:
    if existing(session, period) is not None:
        raise Conflict(f"{period.label('zh')}的报告已定稿，不能再次定稿",
                       f"The report for {period.label('en')} is already frozen")


def store(session: Session, *, period: Period, figures: dict[str, Any], pdf: bytes, lang: str, actor: str,
          at: datetime, number: str) -> FrozenReport:
    refuse_twice(session, period)
    text = canonical(figures)
    figures_hash, pdf_hash = sha256(text), sha256(pdf)
    row = FrozenReport(number=number, period_start=period.start, period_end=period.end, label=period.label(lang),
                       lang=lang, figures=text, figures_sha256=figures_hash, pdf=pdf, pdf_sha256=pdf_hash,
                       sha256=seal_of(number, figures_hash, pdf_hash), frozen_by=actor, frozen_at=at)
    session.add(row)
    session.flush()
    chain.append_system(session, at=at, actor=actor, command="report_freeze",
                        payload={"frozen_report_id": row.id, "number": number, **period.as_record(), "lang": lang,
                                 "figures_sha256": figures_hash, "pdf_sha256": pdf_hash, "sha256": row.sha256})
    return row


def view(row: FrozenReport) -> FrozenView:
    intact = (sha256(row.figures) == row.figures_sha256 and sha256(row.pdf) == row.pdf_sha256
              and seal_of(row.number, row.figures_sha256, row.pdf_sha256) == row.sha256)
    return FrozenView(row.id, row.number, row.label, Period(row.period_start, row.period_end), row.lang,
                      json.loads(row.figures), row.figures_sha256, row.pdf_sha256, row.sha256, row.frozen_by,
                      row.frozen_at, intact)


def load(session: Session, frozen_id: int) -> FrozenReport:
    row = session.get(FrozenReport, frozen_id)
    if row is None:
        raise NotFound(f"定稿报告 {frozen_id} 不存在", f"Frozen report {frozen_id} does not exist")
    return row


def listing(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(FrozenReport.id, FrozenReport.number, FrozenReport.label, FrozenReport.period_start,
                                  FrozenReport.period_end, FrozenReport.sha256, FrozenReport.frozen_by,
                                  FrozenReport.frozen_at).order_by(FrozenReport.id.desc())).all()
    return [dict(r._mapping) for r in rows]
