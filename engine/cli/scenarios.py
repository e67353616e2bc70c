"""`waishi scenario run`: scenario files against the real engine (docs/scenarios.md)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from engine.cli.app import _db, _print_problems, main
from engine.errors import DefinitionInvalid


@main.group()
def scenario() -> None:
    """Scenario files: drive one case from start to end and check it (docs/scenarios.md)."""


@scenario.command("run")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--db", "scenario_db", default=None,
              help="Run in this database as it is (default: a fresh temporary SQLite file per scenario).")
@click.option("--definitions", multiple=True, type=click.Path(exists=True),
              help="BPMN, DMN and form files or folders to deploy; repeat for several "
                   "(default: processes/ and forms/ of the repository).")
@click.pass_context
def scenario_run(ctx: click.Context, files: tuple[str, ...], scenario_db: str | None,
                 definitions: tuple[str, ...]) -> None:
    """Run scenario files (or folders of them); exit 0 when all pass, 1 otherwise."""
    import traceback

    from click.core import ParameterSource

    logging.getLogger("alembic").setLevel(logging.WARNING)  # a migration per run is no news here
    from engine.scenarios import run_files

    lang = ctx.obj["lang"]
    # DATABASE_URL (set in CI for the PostgreSQL runs) must not send scenarios into a shared
    # database: only a --db typed on this command line, here or before `scenario`, is used.
    url = scenario_db
    if url is None and ctx.find_root().get_parameter_source("db_url") == ParameterSource.COMMANDLINE:
        url = ctx.obj["db_url"]
    if url is not None:
        _db(url).dispose()  # a database given here must be ready, as for every other command
    # The engine's line per command is for operators' logs; here it would interleave with the
    # path the scenario prints (shown with WAISHI_CLI_LOG=1).
    commands_log = logging.getLogger("waishi.command")
    level = commands_log.level
    if os.environ.get("WAISHI_CLI_LOG", "") not in ("1", "true", "yes"):
        commands_log.setLevel(logging.WARNING)
    try:
        results = run_files(files, definitions=[Path(d) for d in definitions] or None, url=url,
                            echo=click.echo, lang=lang)
    except DefinitionInvalid as exc:
        _print_problems(exc.problems, lang)
        sys.exit(1)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        commands_log.setLevel(level)
    failed = [r for r in results if not r.ok]
    for r in failed:
        if r.exception is not None:
            click.echo(f"{r.label}:\n" + "".join(traceback.format_exception(r.exception)), err=True)
    passed = len(results) - len(failed)
    click.echo(f"{passed} passed, {len(failed)} failed" if lang == "en" else f"通过 {passed} 个，失败 {len(failed)} 个")
    for r in failed:
        click.echo(("FAILED: " if lang == "en" else "失败：") + r.label)
    sys.exit(1 if failed else 0)
