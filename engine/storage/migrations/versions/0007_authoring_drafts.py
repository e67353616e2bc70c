"""The analyst's drafts of processes (diagram, rules, forms, scenarios as text).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from engine.storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authoring_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("process_id", sa.String(128), nullable=False),
        sa.Column("analyst", sa.String(64), nullable=False, index=True),
        sa.Column("base_version_id", sa.Integer, sa.ForeignKey("definition_versions.id"), nullable=True),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("process_id", "analyst"),
    )


def downgrade() -> None:
    op.drop_table("authoring_drafts")
