"""Health page: is the database reachable and what is deployed."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text

from engine.storage.models import Case, DefinitionVersion

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    waishi = current_app.extensions["waishi"]
    try:
        with waishi.db.read() as session:
            session.execute(text("SELECT 1"))
            versions = session.scalar(select(func.count()).select_from(DefinitionVersion)) or 0
            cases = session.scalar(select(func.count()).select_from(Case)) or 0
    except Exception:  # the page reports the failure; details go to the log, not the client
        current_app.logger.exception("health check failed")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database=waishi.db.engine.dialect.name, versions=versions, cases=cases)
