"""Number series, settings, holidays, notifications, escalated work items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from engine.storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("escalated_role", sa.String(32), nullable=True))
        batch.create_index("ix_work_items_escalated_role", ["escalated_role"])
    op.create_table(
        "number_series",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )
    op.create_table(
        "holidays",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("is_holiday", sa.Boolean, nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=True, index=True),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("unit_code", sa.String(64), nullable=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text_zh", sa.Text, nullable=False),
        sa.Column("text_en", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_notifications_role", "notifications", ["role", "unit_code"])
    op.create_table(
        "notification_reads",
        sa.Column("notification_id", sa.Integer, sa.ForeignKey("notifications.id"), primary_key=True),
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("read_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("notification_reads", "notifications", "holidays", "settings", "number_series"):
        op.drop_table(table)
    with op.batch_alter_table("work_items") as batch:
        batch.drop_index("ix_work_items_escalated_role")
        batch.drop_column("escalated_role")
