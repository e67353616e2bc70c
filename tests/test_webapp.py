"""The web app's factory, `/health` (liveness) and `/ready` (readiness) against the test database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import text

from engine.cli import main
from engine.ops import heartbeat
from webapp import create_app


def test_health_answers_without_the_database(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "TESTING": True})
    response = app.test_client().get("/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_ready_needs_a_recent_timer_worker(deployed, db_url):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    client = app.test_client()
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok" and body["schema"] == "current" and body["timer_worker"] == "never seen"
    # One pass of a real worker records its heartbeat.
    assert CliRunner().invoke(main, ["--db", db_url, "worker", "--once"]).exit_code == 0
    response = client.get("/ready")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["timer_worker"] == "ok"
    # A worker not seen for longer than WAISHI_WORKER_STALE_SECONDS does not count.
    db = app.extensions["waishi"].db
    with db.transaction() as s:
        s.execute(text("DELETE FROM worker_heartbeats"))
    old = datetime.now(UTC) - timedelta(minutes=10)
    heartbeat.beat(db, "elsewhere:1", old, now=old)
    response = client.get("/ready")
    assert response.status_code == 503 and response.get_json()["timer_worker"].startswith("last seen")


def test_ready_reports_schema_behind_and_unreachable(deployed, db_url):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    db = app.extensions["waishi"].db
    with db.transaction() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    response = app.test_client().get("/ready")
    assert response.status_code == 503 and response.get_json()["schema"] == "behind"
    lost = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "TESTING": True})
    response = lost.test_client().get("/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "unreachable" and "nobody" not in response.get_data(as_text=True)
