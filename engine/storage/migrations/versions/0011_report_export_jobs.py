"""Report export jobs in the database, so that every web process answers for a job another one
runs (progress, then the file).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from engine.storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_export_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("fmt", sa.String(8), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("step", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("mimetype", sa.String(100), nullable=True),
        sa.Column("content", sa.LargeBinary, nullable=True),
        sa.Column("error_zh", sa.Text, nullable=True),
        sa.Column("error_en", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_report_export_jobs_created_at", "report_export_jobs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_report_export_jobs_created_at", "report_export_jobs")
    op.drop_table("report_export_jobs")
