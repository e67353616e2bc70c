"""Error pages (400 incl. a refused CSRF token, 403, 404, 405, 409, 413, 429, 500) in the user's
language. Engine errors (`WaishiError`) map to their `http_status` and show their own message.
Nothing internal reaches the page: no traceback, no SQL, no exception text."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.errors import WaishiError
from webapp.i18n import engine_text

log = logging.getLogger("waishi.web")

TITLES = {
    400: _l("The request could not be processed"),
    403: _l("Access denied"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    409: _l("Changed in the meantime"),
    413: _l("Too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}

MESSAGES = {
    400: _l("The request was incomplete or invalid."),
    403: _l("You do not have permission to see this page or do this."),
    404: _l("The page or record you asked for does not exist."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone else changed this in the meantime. Reload the page and try again."),
    429: _l("Too many attempts. Wait a moment, then try again."),
    500: _l("An error occurred on the server. It has been logged; please try again later."),
}


def render_error(status: int, message: str | None = None):
    title = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    if message is None:
        if status == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
            message = _("The data you sent is larger than the limit of %(mb)d MB.", mb=max(1, limit // 2**20))
        else:
            message = str(MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400]))
    try:
        return render_template("errors/error.html", status=status, title=title, message=message), status
    except Exception:  # the error page itself failed (e.g. no database): a bare page, still no details
        log.exception("the error page for %s could not be rendered", status)
        return f"<!doctype html><title>{status}</title><h1>{status}</h1>", status


def _http_error(error: HTTPException):
    return render_error(error.code or 500)


def _csrf_error(error: CSRFError):
    log.info("CSRF refused on %s %s: %s", request.method, request.path, error.description)
    return render_error(400, _("This form has expired or did not come from this site. "
                               "Go back, reload the page and send it again."))


def _engine_error(error: WaishiError):
    return render_error(error.http_status, engine_text(error))


def _internal_error(error: InternalServerError):
    # Flask has logged the original exception with its traceback; the page says nothing of it.
    return render_error(500)


def init_app(app: Flask) -> None:
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(WaishiError, _engine_error)
