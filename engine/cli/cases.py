"""`waishi cases` and `waishi case`: the cases and one case's state, as JSON for scripts."""

from __future__ import annotations

import json
import sys

import click

from engine.cli.app import _db, main


@main.command()
@click.option("--status", default=None, help="running, completed or cancelled")
@click.pass_obj
def cases(obj: dict, status: str | None) -> None:
    """List cases."""
    from sqlalchemy import select

    from engine.storage.models import Case

    with _db(obj["db_url"]).read() as session:
        query = select(Case).order_by(Case.id)
        if status:
            query = query.where(Case.status == status)
        for c in session.scalars(query):
            click.echo(f"{c.id:6} {c.process_id:22} v{c.version.version:<3} {c.status:10} "
                       f"{c.unit_code or '-':10} events={c.seq:<4} {c.title}")


@main.command()
@click.argument("case_id", type=int)
@click.pass_obj
def case(obj: dict, case_id: int) -> None:
    """Show a case: status, work items and events."""
    from sqlalchemy import select

    from engine.storage.models import AuditEvent, Case, WorkItem

    with _db(obj["db_url"]).read() as session:
        c = session.get(Case, case_id)
        if c is None:
            click.echo(f"no case {case_id}", err=True)
            sys.exit(1)
        click.echo(f"case {c.id}: {c.process_id} v{c.version.version} {c.status} unit={c.unit_code} "
                   f"next_timer_at={c.next_timer_at} state_hash={c.state_hash[:12]}")
        click.echo("work items:")
        for w in session.scalars(select(WorkItem).where(WorkItem.case_id == case_id).order_by(WorkItem.id)):
            click.echo(f"  {w.state:9} {w.spec_name:20} role={w.role:16} assignee={w.assignee or '-':14} "
                       f"task={w.task_id} v{w.version}")
        click.echo("events:")
        for e in session.scalars(select(AuditEvent).where(AuditEvent.chain == f"case:{case_id}")
                                 .order_by(AuditEvent.seq)):
            data = json.dumps(e.payload, ensure_ascii=False)
            click.echo(f"  {e.seq:4} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:14} {e.command:15} "
                       f"{e.task_spec or '':18} {data[:80]}")
