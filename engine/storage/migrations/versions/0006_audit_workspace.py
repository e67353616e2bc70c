"""The auditor's workspace: the path each command took (heatmap), search terms from case data,
signed seals over the chains' heads, and an index on event actors.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from engine.storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_path",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("definition_versions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("element_id", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_case_path_version", "case_path", ["version_id", "kind", "element_id"])
    op.create_table(
        "path_index",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_event_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "case_terms",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("term", sa.String(200), primary_key=True),
    )
    op.create_index("ix_case_terms_term", "case_terms", ["kind", "term"])
    op.create_table(
        "audit_seals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sealed_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("public_key", sa.String(100), nullable=False),
        sa.Column("chain_count", sa.Integer, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("heads", sa.JSON, nullable=False),
        sa.Column("prev_digest", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
    )
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"])
    op.create_index("ix_cases_started_at", "cases", ["started_at"])
    op.create_index("ix_cases_version", "cases", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_version", "cases")
    op.drop_index("ix_cases_started_at", "cases")
    op.drop_index("ix_audit_events_actor", "audit_events")
    op.drop_table("audit_seals")
    op.drop_table("case_terms")
    op.drop_table("path_index")
    op.drop_table("case_path")
