"""Official documents (任务批件, 签证通知函): the case page's list, the PDF download, the FAO clerk's
"issue" button, and the public verification pages.

- `GET  /cases/<id>/documents/<doc>.pdf` — the PDF, for whoever may read the case (else 403).
- `POST /cases/<id>/documents/issue` — an FAO clerk issues a due document by hand.
- `GET  /verify` and `POST /verify` — public: look a document up by number and code.
- `GET  /verify/<code>` — public: what the document is (the QR code on the PDF leads here).
- `POST /verify/<code>` — public: upload a PDF; its sha256 is compared with the issued one.

Issuing happens by itself: after any successful POST about a case (completing a task, recording
a reply…), documents whose number the process has just drawn are issued by the system, before
the response is sent, so the page the person lands on already lists them. Commands run outside
the web app (CLI, scenario files, the timer worker) do not trigger it: for those the case page
shows the FAO clerk a button for each document that is due.

The public pages show what identifies a document and nothing personal: kind, number, issue date,
case number, the document's title line (the delegation's name, or the mission a visa notice is
addressed to) and the sha256. Unknown codes get a plain 404; repeated misses from one address
are slowed down like failed sign-ins (the codes have 50 random bits anyway).
"""

from __future__ import annotations

import io
import logging

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from engine.documents import KINDS, DocumentService
from engine.documents.codes import grouped
from engine.errors import WaishiError
from webapp.auth import current_user, login_required
from webapp.i18n import engine_text, lang
from webapp.throttle import LoginThrottle

log = logging.getLogger("waishi.documents")

bp = Blueprint("documents", __name__)

DEFAULT_VERIFY_MAX_MB = 10
PUBLIC_ENDPOINTS = frozenset({"documents.verify", "documents.verify_lookup", "documents.verify_code",
                              "documents.verify_upload"})


def documents() -> DocumentService:
    return current_app.extensions["waishi_documents"]


def _throttle() -> LoginThrottle:
    return current_app.extensions["waishi_verify_throttle"]


@bp.record_once
def _setup(state) -> None:
    app: Flask = state.app
    app.config.setdefault("WAISHI_PUBLIC_URL", None)
    app.config.setdefault("VERIFY_MAX_BYTES", DEFAULT_VERIFY_MAX_MB * 2**20)
    app.config.setdefault("VERIFY_FREE_MISSES", 10)
    app.config.setdefault("VERIFY_BASE_DELAY", 2.0)
    app.extensions["waishi_documents"] = DocumentService(
        app.extensions["waishi"].db, data_dir=app.config.get("WAISHI_DATA_DIR"),
        public_url=app.config.get("WAISHI_PUBLIC_URL"))
    app.extensions["waishi_verify_throttle"] = LoginThrottle(
        app.extensions["waishi"].db, "verify", free_attempts=app.config["VERIFY_FREE_MISSES"],
        base_delay=app.config["VERIFY_BASE_DELAY"], max_delay=600.0)


# -- the case page --------------------------------------------------------------------------------

def case_documents(case) -> dict:
    """For the case page's documents block: the issued documents and the kinds that are due."""
    user = current_user()
    try:
        issued = documents().for_case(user.actor, case.id)
        due = documents().due(case.id)
    except WaishiError:
        return {"issued": [], "due": [], "may_issue": False}
    return {"issued": issued, "due": [KINDS[k] for k in due],
            "may_issue": bool(user and user.has_any("fao_clerk"))}


@bp.app_context_processor
def _template_helpers():
    return {"case_documents": case_documents, "document_kind": document_kind, "grouped_code": grouped}


def document_kind(code: str) -> str:
    spec = KINDS.get(code)
    if spec is None:
        return code
    return spec.name_en if lang() == "en" else spec.name_zh


@bp.get("/cases/<int:case_id>/documents/<int:document_id>.pdf")
@login_required
def download(case_id: int, document_id: int):
    view, data = documents().pdf(current_user().actor, case_id, document_id)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=view.filename, etag=view.sha256, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/cases/<int:case_id>/documents/issue")
@login_required
def issue(case_id: int):
    user = current_user()
    kind = request.form.get("kind", "")
    back = url_for("cases.detail", case_id=case_id) + "#documents"
    if kind not in KINDS:
        flash(_("Unknown kind of document."), "error")
        return redirect(back, 303)
    # A per-member kind (备案表) issues every member's document that is due with one click.
    subjects = [subject for k, subject in documents().due_documents(case_id) if k == kind]
    if not subjects:
        subjects = ["1" if KINDS[kind].per_member is not None else ""]
    try:
        results = [documents().issue(case_id, kind, subject=subject, username=user.username,
                                     base_url=request.url_root) for subject in subjects]
    except WaishiError as err:
        if err.http_status == 403:
            raise
        flash(engine_text(err), "error")
        return redirect(back, 303)
    for result in results:
        if result.created:
            flash(_("%(kind)s %(number)s was issued.", kind=document_kind(kind), number=result.document.number),
                  "success")
        else:
            flash(_("%(kind)s %(number)s had already been issued.", kind=document_kind(kind),
                    number=result.document.number), "info")
    return redirect(back, 303)


@bp.after_app_request
def _issue_due_documents(response: Response) -> Response:
    """After a successful POST about a case, issue the documents whose number now exists."""
    if request.method != "POST" or response.status_code >= 400 or g.get("user") is None:
        return response
    case_id = (request.view_args or {}).get("case_id")
    if not isinstance(case_id, int) or request.endpoint == "documents.issue":
        return response
    try:
        known = g.get("case_data_after")  # (case id, data) from the command, when it returned them
        data = known[1] if known is not None and known[0] == case_id else None
        if documents().due(case_id, data):
            for result in documents().issue_due(case_id, base_url=request.url_root):
                doc = result.document
                log.info("case %s: %s %s issued automatically", case_id, doc.kind, doc.number)
                if result.created and 300 <= response.status_code < 400:  # shown on the page redirected to
                    flash(_("%(kind)s %(number)s was issued.", kind=document_kind(doc.kind), number=doc.number),
                          "success")
    except Exception:  # the command itself succeeded; the clerk can still issue by hand
        log.exception("case %s: issuing its documents failed", case_id)
    return response


# -- public verification ---------------------------------------------------------------------------

@bp.url_value_preprocessor
def _limit_uploads(endpoint: str | None, values) -> None:
    # Runs before the CSRF check reads the form, so the smaller limit applies to the upload itself.
    if endpoint in PUBLIC_ENDPOINTS and request.method == "POST":
        request.max_content_length = current_app.config["VERIFY_MAX_BYTES"]


def _client() -> tuple[str]:
    return (request.remote_addr or "-",)


def _throttled():
    wait = _throttle().retry_after(_client())
    if wait <= 0:
        return None
    seconds = int(wait) + 1
    response = current_app.make_response((render_template(
        "documents/verify_missing.html", status=429,
        message=_("Too many unknown codes from your address. Wait %(seconds)d seconds, then try again.",
                  seconds=seconds)), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


def _missing():
    _throttle().failure(_client())
    return render_template("documents/verify_missing.html", status=404,
                           message=_("No document with this verification code exists. Check the code "
                                     "printed on the document.")), 404


@bp.get("/verify")
def verify():
    return render_template("documents/verify_lookup.html", number="", code="", error=None)


@bp.post("/verify")
def verify_lookup():
    throttled = _throttled()
    if throttled is not None:
        return throttled
    number = (request.form.get("number") or "").strip()[:100]
    code = (request.form.get("code") or "").strip()[:40]
    if not number or not code:
        return render_template("documents/verify_lookup.html", number=number, code=code,
                               error=_("Enter both the document number and the verification code.")), 400
    found = documents().lookup(number, code)
    if found is None:
        _throttle().failure(_client())
        return render_template("documents/verify_lookup.html", number=number, code=code,
                               error=_("No document matches this number and verification code.")), 404
    return redirect(url_for("documents.verify_code", code=found.code), 303)


@bp.get("/verify/<code>")
def verify_code(code: str):
    throttled = _throttled()
    if throttled is not None:
        return throttled
    found = documents().public(code)
    if found is None:
        return _missing()
    return _public_page(found)


@bp.post("/verify/<code>")
def verify_upload(code: str):
    throttled = _throttled()
    if throttled is not None:
        return throttled
    found = documents().public(code)
    if found is None:
        return _missing()
    upload = request.files.get("pdf")
    if upload is None or not upload.filename:
        return _public_page(found, error=_("Choose the PDF file to check.")), 400
    data = upload.read(current_app.config["VERIFY_MAX_BYTES"] + 1)
    if len(data) > current_app.config["VERIFY_MAX_BYTES"]:
        raise RequestEntityTooLarge()
    verdict = documents().check(found.code, data)
    return _public_page(found, verdict=verdict)


def _public_page(found, *, verdict=None, error: str | None = None):
    return render_template("documents/verify.html", doc=found, verdict=verdict, error=error,
                           limit_mb=max(1, current_app.config["VERIFY_MAX_BYTES"] // 2**20))

