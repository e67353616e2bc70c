"""The person register: each member's approved trips and passport return, across cases.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from engine.storage.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_trips",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("id_card_no", sa.String(18), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=True),
        sa.Column("post", sa.String(200), nullable=False),
        sa.Column("rank", sa.String(32), nullable=False),
        sa.Column("unit_leader", sa.Boolean, nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=True, index=True),
        sa.Column("process", sa.String(64), nullable=False),
        sa.Column("countries", sa.String(200), nullable=False),
        sa.Column("departure_date", sa.Date, nullable=False),
        sa.Column("return_date", sa.Date, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("passport_due", sa.Date, nullable=True),
        sa.Column("passport_returned_on", sa.Date, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("case_id", "id_card_no", name="uq_person_trips_case_person"),
    )


def downgrade() -> None:
    op.drop_table("person_trips")
