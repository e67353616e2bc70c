"""The `waishi` group: the database check every command makes, the one-line errors and the log line
per command; the commands themselves live in the sibling modules, one area each."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

import click

from engine.errors import WaishiError


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



def _print_problems(problems, lang: str) -> None:
    errors = [p for p in problems if p.severity == "error"]
    click.echo(f"{len(errors)} problem(s):" if lang == "en" else f"共 {len(errors)} 个问题：", err=True)
    for p in problems:
        click.echo(f"  [{p.severity}] {p.text(lang)}", err=True)


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
