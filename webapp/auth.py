"""Signing in and out, the signed-in user of each request, and the access decorators.

Sessions are Flask's signed cookies holding the user id and a fingerprint of the password hash:
every request reloads the user, so a deactivated user or a reset password ends open sessions at
once. Failed sign-ins are logged (logger `waishi.auth`) and slowed down per username and address
(`webapp.throttle`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from engine.runtime.actors import Actor, require_may_change
from engine.storage.models import Unit, User, UserRole
from engine.users import authenticate
from webapp import request_db, request_log
from webapp.urls import safe_next

log = logging.getLogger("waishi.auth")

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    unit_code: str | None
    unit_name_zh: str | None
    unit_name_en: str | None
    roles: frozenset[str]

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.roles, self.unit_code)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(("waishi-session:" + password_hash).encode()).hexdigest()[:24]


def current_user() -> CurrentUser | None:
    return g.get("user")


@bp.before_app_request
def load_user() -> None:
    g.user = None
    uid = session.get("uid")
    if uid is None or request.endpoint in ("static", "health.health", "health.ready"):
        return
    # In the request's read session: a GET page goes on with the same transaction; a request that
    # may change something ends it here, before any command runs.
    with request_db.read() as s:
        rows = s.execute(_USER, {"uid": uid}).all()
    if request.method not in SAFE_METHODS:
        request_db.end()
    if not rows or not rows[0].active or session.get("pwf") != fingerprint(rows[0].password_hash):
        log.info("session of user id %s ended: %s", uid,
                 "no such user" if not rows else "deactivated" if not rows[0].active else "password changed")
        session.clear()
        return
    r = rows[0]
    g.user = CurrentUser(r.id, r.username, r.display_name, r.unit_code, r.name_zh, r.name_en,
                         frozenset(x.role for x in rows if x.role))
    request_log.mark_user(r.id)
    if request.method not in SAFE_METHODS and request.endpoint not in READ_ONLY_POSTS:
        # Read-only roles (auditors) change nothing: the engine refuses every command of theirs, and
        # every route that could lead to one is refused here too, before any form is read.
        require_may_change(g.user.actor)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Every request runs it: a prebuilt Core statement (building an ORM select costs more than the query).
_USERS, _ROLES, _UNITS = User.__table__, UserRole.__table__, Unit.__table__
_USER = (select(_USERS.c.id, _USERS.c.username, _USERS.c.display_name, _USERS.c.unit_code, _USERS.c.active,
                _USERS.c.password_hash, _ROLES.c.role, _UNITS.c.name_zh, _UNITS.c.name_en)
         .select_from(_USERS.outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id)
                      .outerjoin(_UNITS, _UNITS.c.code == _USERS.c.unit_code))
         .where(_USERS.c.id == bindparam("uid")))
# Posts that change nothing anyone shares: signing in and out, the language cookie, and the public
# check of an uploaded document.
READ_ONLY_POSTS = frozenset({"auth.login", "auth.logout", "i18n.switch", "documents.verify_lookup",
                             "documents.verify_upload"})


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed in and holding at least one of `roles`; otherwise 403."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not g.user.has_any(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _client_address() -> str:
    return request.remote_addr or "-"


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.values.get("next") or ""
    if g.get("user") is not None and request.method == "GET":
        return redirect(safe_next(next_url))
    if request.method == "GET":
        return render_template("auth/login.html", next=next_url, username="")

    username = (request.form.get("username") or "").strip().lower()[:64]
    password = request.form.get("password") or ""
    throttle = current_app.extensions["waishi_throttle"]
    address = _client_address()
    key = (username, address)
    wait = throttle.retry_after(key)
    if wait > 0:
        seconds = int(wait) + 1
        log.warning("sign-in for %r from %s refused: throttled for %d s", username, address, seconds)
        error = _("Too many failed sign-ins. Wait %(seconds)d seconds, then try again.", seconds=seconds)
        response = current_app.make_response(
            (render_template("auth/login.html", next=next_url, username=username, error=error), 429))
        response.headers["Retry-After"] = str(seconds)
        return response

    result = authenticate(current_app.extensions["waishi"].db, username, password)
    if result.status == "ok":
        throttle.success(key)
        session.clear()
        session.permanent = True
        session["uid"] = result.user_id
        session["pwf"] = fingerprint(result.password_hash)
        log.info("signed in: %s from %s", result.username, address)
        return redirect(safe_next(next_url))
    if result.status == "inactive":
        log.warning("sign-in refused for deactivated user %r from %s", username, address)
        error = _("This account has been deactivated. Ask an administrator.")
        return render_template("auth/login.html", next=next_url, username=username, error=error), 403
    failures = throttle.failure(key)
    log.warning("sign-in failed for %r from %s (%d in a row)", username, address, failures)
    error = _("Wrong username or password.")
    return render_template("auth/login.html", next=next_url, username=username, error=error), 401


@bp.post("/logout")
def logout():
    user = current_user()
    if user is not None:
        log.info("signed out: %s", user.username)
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
