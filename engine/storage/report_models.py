"""The biannual report's tables (docs/reports.md): the per-case facts every command writes in its
unit of work (report_facts, report_fact_items), export jobs any web process can answer for, and
the frozen, hashed reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.models import Base


class ReportFact(Base):
    """One row per case with what the biannual report counts (engine/reports/facts.py), taken from
    the case data by every command in its own transaction, so every figure is one SQL query on
    these indexed columns and never a workflow load."""

    __tablename__ = "report_facts"
    __table_args__ = (Index("ix_report_facts_period", "kind", "submitted_on"),
                      Index("ix_report_facts_unit", "kind", "unit_code", "submitted_on"))

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # outbound | inbound | other
    unit_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime]
    submitted_on: Mapped[date] = mapped_column(Date)  # Asia/Shanghai
    submitted_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, Asia/Shanghai
    outcome: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected | withdrawn | other
    returned: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    to_approval_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    document_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rank: Mapped[str | None] = mapped_column(String(32), nullable=True)  # head_rank or guest_rank
    persons: Mapped[int] = mapped_column(Integer, default=0)
    days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    country_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    over_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    over_days: Mapped[bool] = mapped_column(Boolean, default=False)
    over_size: Mapped[bool] = mapped_column(Boolean, default=False)
    in_plan: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    notice_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    passport_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    passport_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    report_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    unit_held: Mapped[bool] = mapped_column(Boolean, default=False)
    visa_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    checkout_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class ReportFactItem(Base):
    """Child rows of a case's facts: each destination country (with its continent), each
    invitee nationality (with how many invitees hold it). The queries reach them from the facts of
    the period through the primary key (case_id, kind, …); an index led by kind would make the
    planners scan every case's rows instead."""

    __tablename__ = "report_fact_items"

    case_id: Mapped[int] = mapped_column(ForeignKey("report_facts.case_id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # country | nationality
    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO 3166-1 alpha-2, upper case
    continent: Mapped[str] = mapped_column(String(4))  # UN M49 code as CLDR names it (142, 150, ...)
    persons: Mapped[int] = mapped_column(Integer, default=0)


class ReportExportJob(Base):
    """A report export running in the background (engine/reports/jobs.py): its progress, then its
    file, readable from every web process; kept ten minutes."""

    __tablename__ = "report_export_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    fmt: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(8))  # running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=1)
    step: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    mimetype: Mapped[str | None] = mapped_column(String(100), nullable=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    error_zh: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class FrozenReport(Base):
    """A report as submitted: its number, period, the figures as JSON (everything a page, Word,
    Excel or CSV file is rendered from) and the PDF, each with its SHA-256."""

    __tablename__ = "frozen_reports"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    figures: Mapped[str] = mapped_column(Text)  # canonical JSON
    figures_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))  # over both hashes and the number
    frozen_by: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[datetime]
