"""The `waishi` command line: a thin entry point that turns arguments into engine calls."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

import click

from engine.errors import DefinitionInvalid, WaishiError


def _db(url: str | None, *, upgrading: bool = False):
    """The database of the command, checked first: reachable, migrated and not of a newer schema
    (for `db upgrade`: reachable and not newer). Otherwise `DatabaseNotReady`, shown in one line."""
    from engine.storage.db import Database
    from engine.storage.schema import require_current, require_upgradable

    database = Database(url)
    try:
        return require_upgradable(database) if upgrading else require_current(database)
    except Exception:
        database.dispose()
        raise


class _Main(click.Group):
    """Shows a database that is not ready, or lost mid-command, in one line with exit code 2, and
    logs one structured line per command (`waishi.cli`: command words, duration, exit code)."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import OperationalError

        from engine.ops.logs import emit
        from engine.storage.schema import DatabaseNotReady

        words = self._command_words(ctx)
        started, pid = time.perf_counter(), os.getpid()
        code: int | str = 0
        try:
            return super().invoke(ctx)
        except DatabaseNotReady as exc:
            click.echo(exc.text(_lang(ctx)), err=True)
            code = exc.exit_code
            ctx.exit(code)
        except WaishiError as exc:
            click.echo(exc.text(_lang(ctx)), err=True)
            code = 1
            ctx.exit(code)
        except OperationalError as exc:
            reason = str(exc.orig or exc).strip().splitlines()[0][:200]
            click.echo(f"database error: {reason}: check that the database is reachable and run "
                       "`waishi db upgrade`" if _lang(ctx) == "en" else
                       f"数据库错误：{reason}：请检查数据库是否可连接，并运行 `waishi db upgrade`。", err=True)
            code = 2
            ctx.exit(code)
        except SystemExit as exc:
            code = exc.code if exc.code is not None else 0
            raise
        except click.exceptions.Exit as exc:
            code = exc.exit_code
            raise
        except BaseException as exc:
            code = "error:" + type(exc).__name__
            raise
        finally:
            if words and os.getpid() == pid:  # not in gunicorn's forked web processes
                emit(logging.getLogger("waishi.cli"), command=" ".join(words),
                     duration_ms=round((time.perf_counter() - started) * 1000, 2),
                     outcome="ok" if code == 0 else f"exit {code}" if isinstance(code, int) else code)

    def _command_words(self, ctx: click.Context) -> list[str]:
        """The command's names (`audit verify`), without its arguments."""
        args = list(getattr(ctx, "_protected_args", [])) + list(ctx.args)
        words: list[str] = []
        command: click.Command | None = self
        while isinstance(command, click.Group) and args:
            command = command.get_command(ctx, args[0])
            if command is None:
                break
            words.append(args.pop(0))
        return words


def _lang(ctx: click.Context) -> str:
    return (ctx.obj or {}).get("lang", "zh")


@click.group(cls=_Main)
@click.option("--db", "db_url", envvar="DATABASE_URL", default=None,
              help="Database URL (default: SQLite file var/waishi.db).")
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]), help="Language of messages.")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, lang: str) -> None:
    """Waishi (外事) — BPMN approvals for a Foreign Affairs Office."""
    ctx.obj = {"db_url": db_url, "lang": lang}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)
    # The one line per command (waishi.cli) is for operators' logs: shown with WAISHI_CLI_LOG=1, so
    # a person at the terminal reads only the command's own output.
    shown = os.environ.get("WAISHI_CLI_LOG", "") in ("1", "true", "yes")
    logging.getLogger("waishi.cli").setLevel(logging.INFO if shown else logging.WARNING)


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


def _print_problems(problems, lang: str) -> None:
    errors = [p for p in problems if p.severity == "error"]
    click.echo(f"{len(errors)} problem(s):" if lang == "en" else f"共 {len(errors)} 个问题：", err=True)
    for p in problems:
        click.echo(f"  [{p.severity}] {p.text(lang)}", err=True)


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


@main.command()
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.pass_obj
def worker(obj: dict, interval: float, once: bool) -> None:
    """Fire due timers (run as many workers as you like)."""
    from engine.runtime.service import CaseService
    from engine.timers import run_worker, worker_pass

    service = CaseService(_db(obj["db_url"]))
    if once:
        click.echo(f"fired: {worker_pass(service)}")
        return
    stop = threading.Event()
    _stop_on_signals(stop)
    run_worker(service, interval, stop)


@main.command()
@click.option("--bind", envvar="WAISHI_BIND", default="127.0.0.1:5000", show_default=True,
              help="Address(es) to listen on, comma-separated (env WAISHI_BIND).")
@click.option("--workers", envvar="WAISHI_WORKERS", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Web processes (env WAISHI_WORKERS).")
@click.option("--threads", envvar="WAISHI_THREADS", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per web process (env WAISHI_THREADS).")
@click.option("--timeout", envvar="WAISHI_TIMEOUT", default=60, show_default=True, type=click.IntRange(1),
              help="Seconds a request may take before its process is restarted (env WAISHI_TIMEOUT).")
@click.option("--graceful-timeout", envvar="WAISHI_GRACEFUL_TIMEOUT", default=30, show_default=True,
              type=click.IntRange(1),
              help="Seconds requests in flight get to finish on stop (env WAISHI_GRACEFUL_TIMEOUT).")
@click.option("--timer-worker/--no-timer-worker", default=False, show_default=True,
              help="Also run `waishi worker` as a process of its own, stopped with the server.")
@click.option("--dev", is_flag=True, help="Flask's development server (one process, timer worker in a thread).")
@click.pass_obj
def serve(obj: dict, bind: str, workers: int, threads: int, timeout: int, graceful_timeout: int,
          timer_worker: bool, dev: bool) -> None:
    """Serve the web app with gunicorn (Ctrl-C or SIGTERM stop it gracefully)."""
    _db(obj["db_url"]).dispose()
    if dev:
        host, _, port = bind.split(",")[0].rpartition(":")
        _serve_dev(obj, host or "127.0.0.1", int(port or 5000), timer_worker)
        return
    from webapp.server import ServeOptions
    from webapp.server import serve as serve_gunicorn

    click.echo(f"Waishi on http://{bind.split(',')[0]} ({workers} web process(es) × {threads} threads"
               + (", timer worker" if timer_worker else "") + ")")
    serve_gunicorn(ServeOptions(bind=bind, workers=workers, threads=threads, timeout=timeout,
                                graceful_timeout=graceful_timeout, db_url=obj["db_url"], timer_worker=timer_worker))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--worker/--no-worker", "with_worker", default=True, help="Run the timer worker too.")
@click.option("--dev", is_flag=True, help="Flask's development server, timer worker in a thread.")
@click.pass_context
def run(ctx: click.Context, host: str, port: int, with_worker: bool, dev: bool) -> None:
    """`waishi serve` on HOST:PORT with the timer worker (as its own process)."""
    ctx.invoke(serve, bind=f"{host}:{port}", timer_worker=with_worker, dev=dev)


def _serve_dev(obj: dict, host: str, port: int, with_worker: bool) -> None:
    # The web app is imported here only: the engine itself never depends on Flask.
    from webapp import create_app

    app = create_app({"DATABASE_URL": obj["db_url"]} if obj["db_url"] else None)
    if with_worker:
        from engine.timers import run_worker

        service = app.extensions["waishi"].cases
        threading.Thread(target=run_worker, args=(service,), daemon=True, name="timer-worker").start()
    click.echo(f"Waishi (development server) on http://{host}:{port}")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="WAISHI_DATA_DIR",
              default="var", show_default=True, help="Where the attachments and documents are (env WAISHI_DATA_DIR).")
@click.pass_obj
def backup(obj: dict, path: Path, data_dir: Path) -> None:
    """Back up the database and the files into the new folder PATH (docs/deploy.md)."""
    from engine.ops.backup import backup as run_backup

    result = run_backup(_db(obj["db_url"]), path, data_dir)
    rows = sum(result.tables.values())
    click.echo(f"backup {result.path}: {rows} rows in {len(result.tables)} tables, {result.files} files"
               if obj["lang"] == "en" else
               f"已备份到 {result.path}：{len(result.tables)} 张表共 {rows} 行，{result.files} 个文件")


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="WAISHI_DATA_DIR",
              default="var", show_default=True, help="Where to put the attachments and documents.")
@click.pass_obj
def restore(obj: dict, path: Path, data_dir: Path) -> None:
    """Restore the backup PATH into a new, empty database (--db) and data folder; checks it."""
    from engine.ops.backup import restore as run_restore
    from engine.storage.db import Database

    result = run_restore(path, Database(obj["db_url"]), data_dir)
    rows = sum(result.tables.values())
    click.echo(f"restored {rows} rows and {result.files} files, all as in the backup's manifest; "
               "now run `waishi audit verify --all`" if obj["lang"] == "en" else
               f"已恢复 {rows} 行、{result.files} 个文件，与备份清单一致；请再运行 `waishi audit verify --all`")


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT (Ctrl-C) end the worker after the pass in progress, never inside a command."""
    import signal

    def handler(signum, _frame) -> None:
        logging.getLogger("waishi.timers").info("signal %s: stopping after this pass", signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)


def entry() -> None:
    try:
        main()
    except WaishiError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


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
