"""The `waishi audit` commands: verify the hash chains (one case or all, with a progress bar), the seal key, seals."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.cli.app import _db, main


@main.group()
def audit() -> None:
    """Audit log."""


@audit.command("verify")
@click.argument("case_id", type=int, required=False)
@click.option("--all", "all_cases", is_flag=True, help="Every case and the system chain.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def audit_verify(obj: dict, case_id: int | None, all_cases: bool, quiet: bool) -> None:
    """Recompute the hash chains, re-execute cases and check the seals; exit non-zero on any finding."""
    from engine.audit.verify import verify

    if case_id is None and not all_cases:
        raise click.UsageError("give a CASE id or --all")
    zh = obj["lang"] == "zh"
    database = _db(obj["db_url"])
    if all_cases and not quiet:
        with click.progressbar(length=_case_count(database), label="验证案件" if zh else "verifying cases",
                               show_pos=True, file=sys.stderr) as bar:
            report = verify(database, None, progress=lambda done, total: bar.update(done - bar.pos))
    else:
        report = verify(database, None if all_cases else case_id)
    for f in report.findings:
        click.echo(f"BROKEN {f.chain} seq={f.seq if f.seq is not None else '-'} [{f.kind}] "
                   f"{f.label(obj['lang'])}: {f.message}", err=True)
    rate = report.checked_cases / report.seconds if report.seconds else 0.0
    click.echo(f"checked {report.checked_cases} case(s), {report.checked_events} event(s) in {report.seconds:.1f} s "
               f"({rate:.0f} cases/s); seals {'checked' if report.sealed else 'not configured'}: "
               + ("OK" if report.ok else f"{len(report.findings)} finding(s)"))
    if not report.ok:
        by_kind = ", ".join(f"{kind} {n}" for kind, n in sorted(report.by_kind().items()))
        first = report.first_break()
        click.echo(f"by kind: {by_kind}; first break: {first.chain} seq={first.seq}", err=True)
    sys.exit(0 if report.ok else 1)


@audit.command("keygen")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the private key (default: WAISHI_SEAL_KEY_FILE or var/seal.key).")
@click.option("--force", is_flag=True, help="Replace an existing key file.")
def audit_keygen(path: Path | None, force: bool) -> None:
    """Create the Ed25519 key that signs the seals; print its id and public key for verifiers."""
    from engine.audit.keys import generate_key_file, key_file

    kid, public = generate_key_file(path, force=force)
    click.echo(f"key file: {path or key_file()} (keep it outside the database's reach)")
    click.echo(f"key id:   {kid}")
    click.echo(f"public:   {public}")


@audit.command("seal")
@click.pass_obj
def audit_seal(obj: dict) -> None:
    """Sign the head of every chain now (the worker does this every WAISHI_SEAL_INTERVAL seconds)."""
    from engine.audit.seal import seal

    made = seal(_db(obj["db_url"]))
    if made is None:
        click.echo("nothing changed since the last seal")
        return
    click.echo(f"seal {made.id}: {made.chain_count} chain(s), {made.event_count} event(s), key {made.key_id}, "
               f"digest {made.digest}")


@audit.command("seals")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.pass_obj
def audit_seals(obj: dict, as_json: bool) -> None:
    """List the seals."""
    from engine.audit.seal import seal_summary

    with _db(obj["db_url"]).read() as session:
        rows = seal_summary(session)
    if as_json:
        click.echo(json.dumps(rows, default=str, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']:>5}  {r['sealed_at']:%Y-%m-%d %H:%M:%S}  key {r['key_id']}  "
                   f"{r['chain_count']} chains  {r['event_count']} events  {r['digest'][:16]}…")


@audit.command("export-seal")
@click.argument("seal_id", type=int)
@click.pass_obj
def audit_export_seal(obj: dict, seal_id: int) -> None:
    """Print one seal, with every chain head it signed, as JSON (to keep outside the system)."""
    from engine.audit.seal import export_seal

    with _db(obj["db_url"]).read() as session:
        click.echo(json.dumps(export_seal(session, seal_id), ensure_ascii=False, indent=2))


def _case_count(database) -> int:
    from engine.runtime.service import count_cases

    with database.read() as session:
        return count_cases(session)
