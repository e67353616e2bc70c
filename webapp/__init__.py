"""The Flask web app: an application factory and one blueprint per area. It calls engine/.

Configuration (environment):
- `WAISHI_SECRET_KEY` signs the session cookies and CSRF tokens. Set it to a long random value,
  the same in every web process; without it a fixed development key is used (fine for
  `make run` on your own machine, never for a server).
- `DATABASE_URL` (default: the SQLite file var/waishi.db).
- `WAISHI_SECURE_COOKIES=1` when served over HTTPS; `WAISHI_TRUST_PROXY=1` behind one reverse
  proxy (client address for sign-in throttling from X-Forwarded-For).
- `WAISHI_MAX_UPLOAD_MB` (default 10): the largest request, so the largest attachment; larger
  requests get the 413 page.
- `WAISHI_DATA_DIR` (default var/): attachments are stored under `<dir>/attachments/`, outside
  the web root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect

from engine.attachments import AttachmentStore
from engine.audit.service import AuditService
from engine.definitions.cache import SpecCache
from engine.runtime.service import CaseService
from engine.storage.db import Database
from webapp.throttle import LoginThrottle

DEV_SECRET_KEY = "dev-only-change-me"

# Pages may load only their own scripts, styles and images (vendor bundles are served from
# /static). Inline styles are allowed for the diagram viewer; inline scripts are not.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; object-src 'none'; "
                           "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


@dataclass
class Waishi:
    """What the app shares between requests: the database and the engine's services."""

    db: Database
    specs: SpecCache
    cases: CaseService
    audit: AuditService


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes", "on")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("WAISHI_SECRET_KEY", DEV_SECRET_KEY),
        DATABASE_URL=os.environ.get("DATABASE_URL"),
        SESSION_COOKIE_NAME="waishi_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_env_flag("WAISHI_SECURE_COOKIES"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # A token lives as long as the session: long task forms must not expire mid-way.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=int(os.environ.get("WAISHI_MAX_UPLOAD_MB", "10")) * 2**20,
        WAISHI_DATA_DIR=os.environ.get("WAISHI_DATA_DIR") or "var",
        CONTENT_SECURITY_POLICY=CONTENT_SECURITY_POLICY,
        LOGIN_FREE_ATTEMPTS=3,
        LOGIN_BASE_DELAY=5.0,
    )
    if config:
        app.config.update(config)
    if _env_flag("WAISHI_TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    if app.config["SECRET_KEY"] == DEV_SECRET_KEY and not (app.debug or app.testing):
        app.logger.warning("WAISHI_SECRET_KEY is not set: using the development key (never do this on a server)")

    db = Database(app.config["DATABASE_URL"])
    specs = SpecCache()
    files = AttachmentStore(Path(app.config["WAISHI_DATA_DIR"]) / "attachments")
    cases = CaseService(db, specs, files=files, max_upload_bytes=app.config["MAX_CONTENT_LENGTH"])
    app.extensions["waishi"] = Waishi(db=db, specs=specs, cases=cases, audit=AuditService(db, specs))
    app.extensions["waishi_throttle"] = LoginThrottle(db, "login", free_attempts=app.config["LOGIN_FREE_ATTEMPTS"],
                                                      base_delay=app.config["LOGIN_BASE_DELAY"])
    CSRFProtect(app)

    from webapp import errors, i18n, labels, layout, request_db, request_log

    request_log.init_app(app)  # first, so every request (sign-in included) is timed and logged
    request_db.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    errors.init_app(app)
    layout.init_app(app)

    from webapp.admin import bp as admin_bp
    from webapp.attachments import bp as attachments_bp
    from webapp.audit import bp as audit_bp
    from webapp.auth import bp as auth_bp
    from webapp.authoring import bp as authoring_bp
    from webapp.cases import bp as cases_bp
    from webapp.documents import bp as documents_bp
    from webapp.health import bp as health_bp
    from webapp.notifications import bp as notifications_bp
    from webapp.partners import bp as partners_bp
    from webapp.reports import bp as reports_bp
    from webapp.tasks import bp as tasks_bp

    for blueprint in (auth_bp, tasks_bp, cases_bp, documents_bp, attachments_bp, notifications_bp, admin_bp, audit_bp,
                      authoring_bp, reports_bp, partners_bp, health_bp):
        app.register_blueprint(blueprint)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("CONTENT_SECURITY_POLICY"):
            response.headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        if g.get("user") is not None:
            # Pages of a signed-in person are not kept by shared browsers or proxies.
            response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("Cookie")
        return response

    return app
