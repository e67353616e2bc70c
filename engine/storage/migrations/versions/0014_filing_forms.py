"""备案表 per member: documents get a `subject` (which member a per-person document is about), so one
case may hold one document of a kind per subject; the person register keeps each trip's task for
the 备案表's "last official trip".

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot drop a constraint in place; it copies the table.
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("subject", sa.String(32), nullable=False, server_default=""))
        batch.drop_constraint("uq_documents_case_kind", type_="unique")
        batch.create_unique_constraint("uq_documents_case_kind_subject", ["case_id", "kind", "subject"])
    with op.batch_alter_table("person_trips") as batch:
        batch.add_column(sa.Column("task", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("person_trips") as batch:
        batch.drop_column("task")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_case_kind_subject", type_="unique")
        batch.create_unique_constraint("uq_documents_case_kind", ["case_id", "kind"])
        batch.drop_column("subject")
