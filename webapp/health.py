"""`/health` (liveness: the process answers; no database) and `/ready` (the database is reachable,
its schema is current, a timer worker was seen recently): 200 or 503 with the checks as JSON.
Failures name what is wrong, never a driver's message."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from engine.ops.readiness import readiness

bp = Blueprint("health", __name__)

PUBLIC_ENDPOINTS = frozenset({"health.health", "health.ready"})


@bp.get("/health")
def health():
    return jsonify(status="ok")


@bp.get("/ready")
def ready():
    db = current_app.extensions["waishi"].db
    result = readiness(db)
    if not result.ok:
        current_app.logger.warning("not ready: %s", result.checks)
    return jsonify(status="ok" if result.ok else "not ready", dialect=db.engine.dialect.name,
                   **result.checks), (200 if result.ok else 503)
