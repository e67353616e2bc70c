"""The Flask web app: an application factory and one blueprint per area. It calls engine/."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import Flask

from engine.definitions.cache import SpecCache
from engine.runtime.service import CaseService
from engine.storage.db import Database


@dataclass
class Waishi:
    """What the app shares between requests: the database and the engine's services."""

    db: Database
    specs: SpecCache
    cases: CaseService


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("WAISHI_SECRET_KEY", "dev-only-change-me"),
        DATABASE_URL=os.environ.get("DATABASE_URL"),
    )
    if config:
        app.config.update(config)
    db = Database(app.config["DATABASE_URL"])
    specs = SpecCache()
    app.extensions["waishi"] = Waishi(db=db, specs=specs, cases=CaseService(db, specs))

    from webapp.health import bp as health_bp

    app.register_blueprint(health_bp)
    return app
