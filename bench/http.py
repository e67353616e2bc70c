"""The HTTP path measured: the approval workload of bench/engine.py driven through the web app as
people use it — each role signed in once, then per task: GET the task page, POST its form with
the CSRF token and the version it was rendered with, follow the redirect to the inbox.

  (a) in process, Flask's test client, SQLite file; in alternating rounds with the engine doing
      the same instances directly (CaseService, bench/engine.py's `engine_instance`), so
      `ratio_http_vs_engine` compares two measurements of the same minute;
  (b) real gunicorn over loopback on PostgreSQL (a scratch database `waishi_serve_bench_*`),
      4 concurrent clients, 1 then 2 web processes (`waishi serve --workers N`).

Cases are started by the engine (a start is not a task completion); only completions are timed.
SQL statements are counted on the web app's own engine: the task page, the POST and the landing
inbox; SQLite's explicit `BEGIN`s are transaction control and counted apart, as
transactions. Prints a table, then one JSON line. `--profile` prints where the in-process time goes.
Usage: python bench/http.py [--instances N] [--rounds R] [--pg-instances M] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file is named like the standard library's `http`: take bench/ off the path before anything
# imports http.client.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import importlib.util  # noqa: E402

from sqlalchemy import event  # noqa: E402

from engine.demo import DEMO_PASSWORD  # noqa: E402
from engine.runtime.service import CaseService  # noqa: E402
from engine.storage.db import Database  # noqa: E402
from tests.ops.http_user import CSRF_RE, PATH, USERS, HttpUser, Response, complete_task  # noqa: E402
from tests.ops.servers import free_port, scratch_pg, stop, waishi, wait_for  # noqa: E402

# bench/engine.py (named like the engine package, so loaded by path): the same database set-up and
# the engine's own instance of the workload.
_spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "bench" / "engine.py")
bench_engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_engine)
engine_db, engine_instance, open_task = bench_engine.engine_db, bench_engine.engine_instance, bench_engine.open_task



class FlaskUser:
    """HttpUser's interface over Flask's test client (same driver, no sockets)."""

    def __init__(self, app) -> None:
        self.client = app.test_client()

    def _wrap(self, r) -> Response:
        return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.get_data(as_text=True))

    def get(self, path: str) -> Response:
        return self._wrap(self.client.get(path))

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self._wrap(self.client.post(path, data=form))

    def follow(self, response: Response) -> Response:
        return self.get(response.location)

    def sign_in(self, username: str, password: str) -> None:
        token = CSRF_RE.search(self.get("/login").body).group(1)
        r = self.post("/login", {"username": username, "password": password, "csrf_token": token})
        assert r.status == 302, r.status


def http_instance(starter: CaseService, lookup: Database, people: dict, latencies: list[float] | None) -> None:
    case_id = starter.start_case("clerk_commerce", "test_approval", {})
    for spec, data in PATH:
        item = open_task(lookup, case_id, spec)
        t = time.perf_counter()
        r = complete_task(people[item.role], case_id, item.task_id, data)
        if latencies is not None:
            latencies.append((time.perf_counter() - t) * 1000)
        assert r.status == 303, f"{spec}: {r.status}"


def in_process(args, tmp: Path) -> dict:
    from webapp import create_app

    db = engine_db(None, tmp)
    url = db.url
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "WAISHI_DATA_DIR": str(tmp / "data")})
    app.logger.setLevel("ERROR")
    statements, transactions = [0], [0]

    def count(_conn, _cursor, statement, *_args) -> None:
        # SQLite's explicit BEGIN / BEGIN IMMEDIATE (db.py) is transaction control, not a query:
        # counted as a transaction, as PostgreSQL's driver-issued BEGIN would be.
        if statement.startswith("BEGIN"):
            transactions[0] += 1
        else:
            statements[0] += 1

    event.listen(app.extensions["waishi"].db.engine, "before_cursor_execute", count)
    people = {}
    for role, username in USERS.items():
        people[role] = FlaskUser(app)
        people[role].sign_in(username, DEMO_PASSWORD)
    starter, lookup = CaseService(Database(url)), Database(url)
    engine_service = CaseService(db)
    latencies: list[float] = []
    for _ in range(3):  # warm-up: caches, first compilations
        http_instance(starter, lookup, people, None)
        engine_instance(engine_service)
    http_rates, engine_rates, per_completion, tx_per_completion = [], [], [], []
    for _ in range(args.rounds):
        before, tx_before, t = statements[0], transactions[0], time.perf_counter()
        for _ in range(args.instances):
            http_instance(starter, lookup, people, latencies)
        http_rates.append(args.instances * len(PATH) / (time.perf_counter() - t))
        per_completion.append((statements[0] - before) / (args.instances * len(PATH)))
        tx_per_completion.append((transactions[0] - tx_before) / (args.instances * len(PATH)))
        t = time.perf_counter()
        for _ in range(args.instances):
            engine_instance(engine_service)
        engine_rates.append(args.instances * len(PATH) / (time.perf_counter() - t))
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.instances):
            http_instance(starter, lookup, people, None)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("BENCH_TOP", "35")))
    latencies.sort()
    return {"http": statistics.median(http_rates), "engine": statistics.median(engine_rates),
            "p50": latencies[len(latencies) // 2], "p95": latencies[int(len(latencies) * 0.95)],
            "sql": statistics.median(per_completion), "transactions": statistics.median(tx_per_completion)}


def gunicorn_pg(args, web_processes: int) -> float:
    from engine.definitions.deploy import deploy_paths
    from engine.demo import load_demo
    from engine.storage.migrate import upgrade

    with scratch_pg("waishi_serve_bench") as url:
        db = Database(url)
        upgrade(db)
        load_demo(db)
        deploy_paths(db, [ROOT / "tests" / "processes"])
        port = free_port()
        server = waishi(url, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(web_processes),
                        "--threads", "4", env={"WAISHI_SECRET_KEY": "bench-secret"},
                        stderr=open(os.devnull, "w"))
        try:
            wait_for(f"http://127.0.0.1:{port}/health")
            clients = []
            for _ in range(4):
                people = {role: HttpUser(port) for role in USERS}
                for role, user in people.items():
                    user.sign_in(USERS[role], DEMO_PASSWORD)
                clients.append(people)
            starter = CaseService(db)
            for people in clients:  # warm every web process's caches
                http_instance(starter, db, people, None)
            errors: list[BaseException] = []

            def drive(people) -> None:
                try:
                    for _ in range(args.pg_instances):
                        http_instance(starter, db, people, None)
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=drive, args=(p,)) for p in clients]
            t = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            elapsed = time.perf_counter() - t
            if errors:
                raise errors[0]
            for people in clients:
                for user in people.values():
                    user.close()
        finally:
            stop(server)
            db.dispose()
    return 4 * args.pg_instances * len(PATH) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=10, help="instances per mode per round (in process)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pg-instances", type=int, default=8, help="instances per client (gunicorn, PostgreSQL)")
    ap.add_argument("--pg-rounds", type=int, default=3, help="alternating w1/w2 rounds (median)")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        a = in_process(args, Path(tmp))
    w1s, w2s = [], []
    for _ in range(args.pg_rounds):
        w1s.append(gunicorn_pg(args, 1))
        w2s.append(gunicorn_pg(args, 2))
    w1, w2 = statistics.median(w1s), statistics.median(w2s)
    print(f"{'mode':44} {'completions/s':>14}")
    print(f"{'engine (CaseService, SQLite)':44} {a['engine']:14.1f}")
    print(f"{'HTTP in process (test client, SQLite)':44} {a['http']:14.1f}   "
          f"p50 {a['p50']:.1f} ms, p95 {a['p95']:.1f} ms")
    print(f"{'HTTP gunicorn 1 process, PostgreSQL, 4 clients':44} {w1:14.1f}   rounds {[round(x, 1) for x in w1s]}")
    print(f"{'HTTP gunicorn 2 processes, PostgreSQL, 4 clients':44} {w2:14.1f}   rounds {[round(x, 1) for x in w2s]}")
    print(f"SQL statements per HTTP completion (task page + POST + inbox): {a['sql']:.1f}, "
          f"in {a['transactions']:.1f} transactions")
    print(json.dumps({
        "http_completions_per_s": round(a["http"], 1), "http_p50_ms": round(a["p50"], 2),
        "http_p95_ms": round(a["p95"], 2), "engine_completions_per_s": round(a["engine"], 1),
        "ratio_http_vs_engine": round(a["http"] / a["engine"], 3),
        "sql_statements_per_http_completion": round(a["sql"], 1),
        "sql_transactions_per_http_completion": round(a["transactions"], 1),
        "gunicorn_pg_completions_per_s_w1": round(w1, 1), "gunicorn_pg_completions_per_s_w2": round(w2, 1),
        "ratio_w2_vs_w1": round(w2 / w1, 3),
    }))


if __name__ == "__main__":
    main()
