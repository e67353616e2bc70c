"""One structured line per request, per engine command and per `waishi` command, ids only."""

from __future__ import annotations

import json
import logging

from click.testing import CliRunner

from engine.cli import main
from tests.helpers import open_item


def lines(caplog, logger: str) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == logger]


def test_a_request_and_its_command_log_the_same_ids(service, db, make_web, caplog):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    clerk = make_web("clerk_commerce")
    caplog.clear()
    caplog.set_level(logging.INFO)
    response = clerk.client.post(f"/cases/{case_id}/tasks/{item.task_id}/claim",
                                 data={"expected_version": item.version, "csrf_token": clerk.token()},
                                 headers={"X-Request-Id": "req-claim-1"})
    assert response.status_code in (302, 303) and response.headers["X-Request-Id"] == "req-claim-1"
    (request,) = [r for r in lines(caplog, "waishi.request") if r["request_id"] == "req-claim-1"]
    (command,) = lines(caplog, "waishi.command")
    with db.read() as s:
        from engine.storage.models import User

        uid = s.query(User.id).filter(User.username == "clerk_commerce").scalar()
    assert request["user_id"] == uid and request["case"] == case_id and request["method"] == "POST"
    assert request["status"] == response.status_code and request["outcome"] == "ok"
    assert isinstance(request["duration_ms"], float) and "?" not in request["path"]
    assert command == {"request_id": "req-claim-1", "user_id": uid, "command": "claim", "case": case_id,
                       "duration_ms": command["duration_ms"], "outcome": "ok"}
    # A refused command logs its error code; no name, password or form value appears anywhere.
    caplog.clear()
    clerk.client.post(f"/cases/{case_id}/tasks/{item.task_id}/claim",
                      data={"expected_version": item.version, "csrf_token": clerk.token()})
    assert lines(caplog, "waishi.command")[-1]["outcome"] == "conflict"
    caplog.clear()
    anon = make_web()
    anon.login("clerk_commerce", "a-secret-guess")
    anon.client.get("/login?next=/cases/1&q=张三")
    logged = " ".join(r.getMessage() for r in caplog.records if r.name in ("waishi.request", "waishi.command"))
    assert "clerk_commerce" not in logged and "a-secret-guess" not in logged and "张三" not in logged
    statuses = [r["status"] for r in lines(caplog, "waishi.request")]
    assert 401 in statuses and all(r["user_id"] is None for r in lines(caplog, "waishi.request"))


def test_a_request_id_that_is_not_a_plain_token_is_replaced(app, caplog):
    caplog.set_level(logging.INFO)
    response = app.test_client().get("/health", headers={"X-Request-Id": "bad id; with <spaces>"})
    given = response.headers["X-Request-Id"]
    assert given != "bad id; with <spaces>" and len(given) == 32
    assert lines(caplog, "waishi.request")[-1]["request_id"] == given


def test_each_cli_command_logs_one_line(deployed, db_url, caplog, monkeypatch):
    monkeypatch.setenv("WAISHI_CLI_LOG", "1")
    caplog.set_level(logging.INFO)
    assert CliRunner().invoke(main, ["--db", db_url, "audit", "verify", "--all", "--quiet"]).exit_code == 0
    assert CliRunner().invoke(main, ["--db", db_url, "case", "424242"]).exit_code == 1
    got = lines(caplog, "waishi.cli")
    assert [(g["command"], g["outcome"]) for g in got] == [("audit verify", "ok"), ("case", "exit 1")]
