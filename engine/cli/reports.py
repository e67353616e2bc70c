"""`waishi reports`: maintenance of the biannual report's facts."""

from __future__ import annotations

import click

from engine.cli.app import _db, main


@main.group()
def reports() -> None:
    """The biannual report (docs/reports.md)."""


@reports.command("backfill")
@click.pass_obj
def reports_backfill(obj: dict) -> None:
    """Write the report's facts of every case that has none yet (cases from before migration 0008)."""
    from engine.reports.backfill import backfill

    done = backfill(_db(obj["db_url"]), progress=lambda n: click.echo(f"… {n}"))
    click.echo(f"{done} case(s)" if obj["lang"] == "en" else f"已补写 {done} 个案件")
