"""The report's time per step without a join to every work item: each work item carries its
case's process, its case's submission day (Asia/Shanghai, as report_facts.submitted_on) and, once
done, how long it took, in a partial index of the finished items, so the query reads the period's
items from the index alone.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("process_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("submitted_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("duration_s", sa.Integer, nullable=True))
    op.create_index("ix_work_items_report", "work_items",
                    ["submitted_on", "process_id", "spec_name", "name", "duration_s"],
                    sqlite_where=sa.text("duration_s IS NOT NULL"),
                    postgresql_where=sa.text("duration_s IS NOT NULL"))
    # Items of cases that already have facts take them from there; the rest get theirs when
    # `waishi reports backfill` writes their cases' facts.
    op.execute("UPDATE work_items SET process_id = (SELECT f.process_id FROM report_facts f "
               "WHERE f.case_id = work_items.case_id), submitted_on = (SELECT f.submitted_on "
               "FROM report_facts f WHERE f.case_id = work_items.case_id)")
    if op.get_bind().dialect.name == "sqlite":
        seconds = "CAST(round((julianday(completed_at) - julianday(created_at)) * 86400.0) AS INTEGER)"
    else:
        seconds = "CAST(round(EXTRACT(epoch FROM completed_at - created_at)) AS INTEGER)"
    op.execute(f"UPDATE work_items SET duration_s = {seconds} "
               "WHERE completed_by IS NOT NULL AND completed_at IS NOT NULL")


def downgrade() -> None:
    op.drop_index("ix_work_items_report", "work_items")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("duration_s")
        batch.drop_column("submitted_on")
        batch.drop_column("process_id")
