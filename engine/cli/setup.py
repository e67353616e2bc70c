"""`waishi db upgrade`, `demo`, `deploy` and `validate`: the schema, the demo users and the definitions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.app import _db, _print_problems, main
from engine.errors import DefinitionInvalid


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: dict) -> None:
    """Create or migrate the schema to the newest revision."""
    from engine.storage.migrate import upgrade

    database = _db(obj["db_url"], upgrading=True)
    upgrade(database)
    click.echo(f"database ready: {database.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.pass_obj
def demo(obj: dict) -> None:
    """Load demo units and users (one per role code)."""
    from engine.demo import DEMO_PASSWORD, USERS, load_demo
    from engine.partners.demo import load_demo_partners

    database = _db(obj["db_url"])
    created = load_demo(database)
    for username, name, unit, roles in USERS:
        mark = "+" if username in created else " "
        click.echo(f"{mark} {username:16} {','.join(roles):18} {unit or '-':10} {name}")
    click.echo(f"password of every demo user: {DEMO_PASSWORD}")
    for name in load_demo_partners(database):
        click.echo(f"+ partner city {name}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--actor", default="system", help="Who deploys (recorded in the system audit chain).")
@click.pass_obj
def deploy(obj: dict, paths: tuple[str, ...], actor: str) -> None:
    """Validate and deploy BPMN, DMN and form files (files or folders)."""
    from engine.definitions.bundle import DefinitionBundle
    from engine.definitions.deploy import deploy_bundle

    bundle = DefinitionBundle.from_paths([Path(p) for p in paths])
    if not bundle.bpmn:
        click.echo("nothing to deploy: no BPMN files in " + " ".join(paths))
        return
    try:
        result = deploy_bundle(_db(obj["db_url"]), bundle, actor)
    except DefinitionInvalid as exc:
        _print_problems(exc.problems, obj["lang"])
        sys.exit(1)
    for w in result.warnings:
        click.echo("warning: " + w.text(obj["lang"]))
    for d in result.deployed:
        state = "new" if d.created else "unchanged"
        click.echo(f"{d.process_id} v{d.version} {d.content_hash[:12]} ({state})")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.pass_obj
def validate(obj: dict, files: tuple[str, ...]) -> None:
    """Validate definition files together; exit 0 when valid, 1 with the problems listed."""
    from engine.definitions.bundle import DefinitionBundle
    from engine.definitions.validation import validate as run_validation

    try:
        report = run_validation(DefinitionBundle.from_paths([Path(f) for f in files]))
    except DefinitionInvalid as exc:
        _print_problems(exc.problems, obj["lang"])
        sys.exit(1)
    for w in report.warnings:
        click.echo("warning: " + w.text(obj["lang"]))
    if not report.ok:
        _print_problems(report.problems, obj["lang"])
        sys.exit(1)
    click.echo(("valid: " if obj["lang"] == "en" else "校验通过：") + ", ".join(sorted(report.process_ids)))
