"""Sign-in and /verify throttles are counted in the database: two processes, each with its own
web app, share one count per user and address (per address for /verify), with the same back-off."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from engine.demo import DEMO_PASSWORD
from tests.web.conftest import Web
from webapp.throttle import LoginThrottle

REPO = Path(__file__).resolve().parents[2]


def other_process(db_url: str, *args: str) -> list[int]:
    done = subprocess.run([sys.executable, "-m", "tests.ops.throttle_client", db_url, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sign_in_failures_in_one_process_throttle_the_other(app, db_url):
    app.extensions["waishi_throttle"].base_delay = 600.0  # as in the other processes
    # Process 1 guesses three times (the free attempts)...
    assert other_process(db_url, "login", "clerk_commerce", "bad-guess-1", "3") == [401, 401, 401]
    # ...so process 2 refuses the fourth attempt, even with the right password...
    assert other_process(db_url, "login", "clerk_commerce", DEMO_PASSWORD, "1") == [429]
    # ...and so does this test's own app, a third process's view of the same count.
    refused = Web(app).login("clerk_commerce")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # Per user and address: another user from the same address is not held back.
    assert other_process(db_url, "login", "fao_clerk", DEMO_PASSWORD, "1") == [302]


def test_back_off_is_the_same_when_counted_in_the_database(app):
    throttle = app.extensions["waishi_throttle"]
    clock = [1_000_000.0]
    throttle.clock = lambda: clock[0]
    key = ("someone", "192.0.2.1")
    assert [throttle.failure(key) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert throttle.retry_after(key) == 5.0 * 2 ** 2  # doubling after the free attempts
    clock[0] += 19
    assert throttle.retry_after(key) == 1.0
    clock[0] += 3600  # a quiet hour forgets the count
    assert throttle.retry_after(key) == 0.0
    assert throttle.failure(key) == 1
    throttle.success(key)
    assert throttle.retry_after(key) == 0.0 and throttle.failure(key) == 1
    assert LoginThrottle(throttle.db, "login", max_delay=900.0).delay_after(30) == 900.0


def test_concurrent_failures_in_two_processes_all_count(app, db_url):
    procs = [subprocess.Popen([sys.executable, "-m", "tests.ops.throttle_client", db_url, "fail", "25"], cwd=REPO,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    seen = []
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        seen += json.loads(out.strip().splitlines()[-1])
    # Every failure got its own number: none was lost to a race between the processes.
    assert sorted(seen) == list(range(1, 51))
    assert app.extensions["waishi_throttle"].retry_after(("racer", "127.0.0.9")) > 0


def test_verify_misses_are_shared_between_processes(app, db_url):
    app.extensions["waishi_verify_throttle"].base_delay = 600.0
    free = app.config["VERIFY_FREE_MISSES"]
    assert other_process(db_url, "verify", str(free)) == [404] * free
    assert other_process(db_url, "verify", "1") == [429]
    public = Web(app)
    response = public.post("/verify", {"number": "x", "code": "ZZZZZZZZZZ"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
