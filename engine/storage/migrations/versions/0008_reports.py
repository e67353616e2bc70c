"""The biannual report: per-case facts (report_facts, report_fact_items) and frozen reports.

Existing cases are filled by `waishi reports backfill` (engine/reports/backfill.py), which reads
their data and events; new commands keep the rows current in their own transaction.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from engine.storage.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_facts",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("process_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("submitted_month", sa.String(7), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("returned", sa.Boolean, nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("to_approval_s", sa.Integer, nullable=True),
        sa.Column("document_number", sa.String(64), nullable=True),
        sa.Column("purpose", sa.String(64), nullable=True),
        sa.Column("rank", sa.String(32), nullable=True),
        sa.Column("persons", sa.Integer, nullable=False),
        sa.Column("days", sa.Integer, nullable=True),
        sa.Column("country_count", sa.Integer, nullable=True),
        sa.Column("over_limit", sa.Boolean, nullable=False),
        sa.Column("over_days", sa.Boolean, nullable=False),
        sa.Column("over_size", sa.Boolean, nullable=False),
        sa.Column("in_plan", sa.Boolean, nullable=True),
        sa.Column("budget_fen", sa.BigInteger, nullable=True),
        sa.Column("notice_on_time", sa.Boolean, nullable=True),
        sa.Column("passport_on_time", sa.Boolean, nullable=True),
        sa.Column("passport_overdue", sa.Boolean, nullable=False),
        sa.Column("report_on_time", sa.Boolean, nullable=True),
        sa.Column("unit_held", sa.Boolean, nullable=False),
        sa.Column("visa_notice", sa.Boolean, nullable=False),
        sa.Column("checkout_on_time", sa.Boolean, nullable=True),
    )
    op.create_index("ix_report_facts_period", "report_facts", ["kind", "submitted_on"])
    op.create_index("ix_report_facts_unit", "report_facts", ["kind", "unit_code", "submitted_on"])
    op.create_table(
        "report_fact_items",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("report_facts.case_id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("continent", sa.String(4), nullable=False),
        sa.Column("persons", sa.Integer, nullable=False),
    )
    op.create_table(
        "frozen_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(64), nullable=False, unique=True),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("figures", sa.Text, nullable=False),
        sa.Column("figures_sha256", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("frozen_by", sa.String(64), nullable=False),
        sa.Column("frozen_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("frozen_reports")
    op.drop_table("report_fact_items")
    op.drop_table("report_facts")
