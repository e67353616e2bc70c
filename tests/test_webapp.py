"""The web app's factory and health page against the test database."""

from __future__ import annotations

from webapp import create_app


def test_health_reports_database_and_counts(deployed, db_url):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    response = app.test_client().get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["versions"] == 1 and body["cases"] == 0
    assert body["database"] in ("sqlite", "postgresql")


def test_health_reports_unreachable_database_without_leaking(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "TESTING": True})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
