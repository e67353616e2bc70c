"""Languages: Chinese (zh_Hans_CN, the default) and English, with Flask-Babel.

The choice is remembered in a cookie set by the switch in the header (POST /lang). Catalogs live
in webapp/translations/<locale>/LC_MESSAGES/messages.po (the Chinese folder must be named
`zh_Hans_CN`: Babel resolves zh_CN to it); `make translations` compiles them. Engine messages
carry both languages already: pick one with `engine_text(err)`. Times are stored in UTC and shown
in Asia/Shanghai.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, current_app, g, has_request_context, redirect, request
from flask_babel import Babel, format_date, format_datetime, get_locale, get_translations

from webapp.urls import safe_next

LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}
DEFAULT = "zh"
COOKIE = "waishi_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    return LANGUAGES.get(request.cookies.get(COOKIE, DEFAULT), LANGUAGES[DEFAULT])


def _catalog():
    """The request's translations, looked up once per request (outside one: Flask-Babel's own)."""
    if not has_request_context():
        return get_translations()
    found = g.get("_catalog")
    if found is None:
        found = g._catalog = get_translations()
    return found


def lang() -> str:
    """The current language as the engine names it: "zh" or "en" (looked up once per request:
    pages ask for it for every label they show)."""
    if not has_request_context():
        return _lang()
    found = g.get("_lang")
    if found is None:
        found = g._lang = _lang()
    return found


def _lang() -> str:
    try:
        locale = get_locale()
    except RuntimeError:
        return DEFAULT
    return "en" if locale is not None and locale.language == "en" else "zh"


def html_lang() -> str:
    """BCP 47 for <html lang>: zh-Hans-CN or en."""
    return "en" if lang() == "en" else "zh-Hans-CN"


def engine_text(error: Any) -> str:
    """The message of an engine error or `Message` in the current language."""
    return error.text(lang())


def pick(zh: str | None, en: str | None) -> str:
    """A stored pair of texts (unit names, notifications) in the current language."""
    if lang() == "en":
        return en or zh or ""
    return zh or en or ""


DT_FORMAT = "yyyy-MM-dd HH:mm"
CHINA = ZoneInfo("Asia/Shanghai")


def dt(value: datetime | None, fmt: str = DT_FORMAT) -> str:
    """A stored UTC instant shown in Asia/Shanghai."""
    if value is None:
        return "—"
    if fmt == DT_FORMAT:  # digits only, the same in every locale: no need for Babel's formatter
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # stored naive = UTC
        return aware.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return format_datetime(value, fmt)


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy-MM-dd")
    return format_date(value, "yyyy-MM-dd")


@bp.post("/lang")
def switch():
    code = request.form.get("lang", "")
    if code not in LANGUAGES:
        abort(400)
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[DEFAULT])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    Babel(app, locale_selector=select_locale)
    # Flask-Babel's template callables look the request's locale and catalog up again for every
    # string (~40 per page, a quarter of a page's render time); the catalog of the request is
    # looked up once instead. (Nothing switches the locale within a request: no force_locale.)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalog().ugettext(s),
        ngettext=lambda s, p, n: _catalog().ungettext(s, p, n),
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.register_blueprint(bp)
    app.jinja_env.globals.update(current_lang=lang, html_lang=html_lang, pick=pick, engine_text=engine_text)
    app.jinja_env.filters.update(dt=dt, day=day)
