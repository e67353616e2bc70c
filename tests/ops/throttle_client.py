"""A separate process for tests/ops/test_shared_throttle.py: its own web app on the given
database, sending sign-ins or /verify look-ups through Flask's test client (so each process has
its own memory, and only the database is shared). Prints the status codes as JSON.

    python -m tests.ops.throttle_client URL login USERNAME PASSWORD COUNT
    python -m tests.ops.throttle_client URL verify COUNT
    python -m tests.ops.throttle_client URL fail COUNT        (throttle.failure directly)
"""

from __future__ import annotations

import json
import re
import sys

from webapp import create_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def main(argv: list[str]) -> None:
    url, action, *rest = argv
    # Long delays, so that how long a process takes to start never lets an attempt through.
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test-secret-key",
                      "LOGIN_BASE_DELAY": 600.0, "VERIFY_BASE_DELAY": 600.0})
    client = app.test_client()
    codes: list[int] = []
    if action == "login":
        username, password, count = rest[0], rest[1], int(rest[2])
        for _ in range(count):
            token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
            codes.append(client.post("/login", data={"username": username, "password": password,
                                                     "csrf_token": token}).status_code)
    elif action == "verify":
        for _ in range(int(rest[0])):
            token = CSRF_RE.search(client.get("/verify").get_data(as_text=True)).group(1)
            codes.append(client.post("/verify", data={"number": "X-1", "code": "ZZZZZZZZZZ",
                                                      "csrf_token": token}).status_code)
    elif action == "fail":
        throttle = app.extensions["waishi_throttle"]
        codes = [throttle.failure(("racer", "127.0.0.9")) for _ in range(int(rest[0]))]
    app.extensions["waishi"].db.dispose()
    print(json.dumps(codes))


if __name__ == "__main__":
    main(sys.argv[1:])
