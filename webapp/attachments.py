"""Attachments of a case: upload (`POST /cases/<id>/attachments`, multipart, from the case page
and the task page) and download (`GET /cases/<id>/attachments/<n>`).

Uploads larger than `MAX_CONTENT_LENGTH` (`WAISHI_MAX_UPLOAD_MB`) never reach this code: Flask
refuses them with the 413 page. The type is decided by content in the engine
(`engine.attachments`), which also records the audited `attach` command. Downloads are served only
to those who may read the case, always as a download (`Content-Disposition: attachment`), with
`nosniff` and a sandboxing CSP, so no uploaded file is ever rendered as a page of this site.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _

from engine.errors import Forbidden, WaishiError
from engine.queries.attachments import attachment
from webapp.auth import current_user, login_required
from webapp.i18n import engine_text
from webapp.services import waishi
from webapp.urls import safe_next

bp = Blueprint("attachments", __name__)


@bp.post("/cases/<int:case_id>/attachments")
@login_required
def upload(case_id: int):
    user = current_user()
    target = request.form.get("next")
    back = target if target and safe_next(target) == target else url_for("cases.detail", case_id=case_id)
    back = back if "#" in back else f"{back}#documents"
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(back, 303)
    data = upload.read()
    try:
        waishi().cases.attach(user.username, case_id, upload.filename, data,
                              task_id=request.form.get("task_id") or None)
    except Forbidden:
        raise
    except WaishiError as err:
        flash(engine_text(err), "error")
        return redirect(back, 303)
    flash(_("The file was attached to the case."), "success")
    return redirect(back, 303)


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def download(case_id: int, attachment_id: int):
    user = current_user()
    with waishi().db.read() as session:
        found = attachment(session, user.actor, case_id, attachment_id)
    path = waishi().cases.files.open(case_id, found.sha256)
    response = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.filename,
                         conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
