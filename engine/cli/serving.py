"""`waishi worker`, `waishi serve` and `waishi run`: the timer worker and the web server."""

from __future__ import annotations

import threading

import click

from engine.cli.app import _db, _stop_on_signals, main


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
