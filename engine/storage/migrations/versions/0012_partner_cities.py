"""The partner-city register (友好城市 / 友好交流城市), filled by approved `sister_city` cases and
kept by the FAO clerks.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from engine.storage.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_cities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_foreign", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=False, index=True),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("agreement_on_file", sa.Boolean, nullable=False),
        sa.Column("agreement_ref", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=True, index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("country", "name_foreign", name="uq_partner_cities_city"),
    )


def downgrade() -> None:
    op.drop_table("partner_cities")
