"""The analyst's workspace (`/definitions`): processes and their versions, downloads, drafts
(open, edit, import, validate, test, deploy), comparison of two versions and the migration of
running cases. Views translate requests into `engine.authoring` calls; the engine checks the
analyst's role and records tests, deploys and migrations."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.authoring import catalog
from engine.authoring.drafts import DraftService
from engine.authoring.migrate import dry_run, migrate_case
from engine.authoring.testing import run_draft
from engine.errors import DefinitionInvalid, WaishiError
from engine.queries.diagram import element_names, version_bpmn
from webapp.auth import current_user, login_required
from webapp.case_sections import VIEWER_SCRIPT, has_vendor
from webapp.i18n import engine_text
from webapp.services import waishi

bp = Blueprint("authoring", __name__)

MODELER_SCRIPT = "vendor/modeler/waishi-modeler.js"
MAX_REASON = 1000


@bp.before_request
@login_required
def only_analysts():
    if not current_user().has_any("analyst"):
        abort(403)


def drafts() -> DraftService:
    return DraftService(waishi().db, waishi().specs)


@bp.get("/definitions")
def index():
    with waishi().db.read() as session:
        processes = catalog.versions(session)
    mine = {p: drafts().get(current_user().username, p) for p in processes}
    return render_template("authoring/index.html", processes=processes, drafts=mine)


@bp.get("/definitions/versions/<int:version_id>")
def version(version_id: int):
    with waishi().db.read() as session:
        row = catalog.version(session, version_id)
        files = catalog.files(session, version_id)
        names = element_names(version_bpmn(session, version_id))
        others = catalog.versions(session)[row.process_id]
        tables, forms = catalog.rule_tables(session, version_id), catalog.forms(session, version_id)
    return render_template("authoring/version.html", v=row, files=files, names=names, others=others,
                           tables=tables, forms=forms, has_viewer=has_vendor(VIEWER_SCRIPT))


@bp.get("/definitions/versions/<int:version_id>/diagram.bpmn")
def version_diagram(version_id: int):
    with waishi().db.read() as session:
        return Response(version_bpmn(session, version_id), mimetype="application/xml")


@bp.get("/definitions/versions/<int:version_id>/files/<kind>/<path:name>")
def version_file(version_id: int, kind: str, name: str):
    with waishi().db.read() as session:
        content = catalog.file_content(session, version_id, kind, name)
    return _download(content, "application/xml" if kind != "form" else "application/json", name)


@bp.get("/definitions/versions/<int:version_id>.zip")
def version_zip(version_id: int):
    with waishi().db.read() as session:
        row = catalog.version(session, version_id)
        data = catalog.version_zip(session, version_id)
    return _download(data, "application/zip", f"{row.process_id}-v{row.version}.zip")


# -- drafts -----------------------------------------------------------------------------------


@bp.post("/definitions/versions/<int:version_id>/draft")
def open_draft(version_id: int):
    try:
        draft = drafts().open(current_user().username, version_id, replace=request.form.get("replace") == "1")
    except WaishiError as err:
        flash(engine_text(err), "error")
        return redirect(url_for("authoring.index"), 303)
    return redirect(url_for("authoring.draft", process_id=draft.process_id), 303)


@bp.get("/drafts/<process_id>")
def draft(process_id: str):
    current = drafts().get(current_user().username, process_id)
    if current is None:
        abort(404)
    own = f"bpmn:{process_id}.bpmn"
    default = own if own in current.files else next(iter(sorted(k for k in current.files if k.startswith("bpmn:"))), "")
    selected = request.args.get("file") if request.args.get("file") in current.files else default
    return render_template("authoring/draft.html", draft=current, selected=selected,
                           content=current.files.get(selected, ""), has_modeler=has_vendor(MODELER_SCRIPT),
                           report=None, tests=None, impact=None)


@bp.post("/drafts/<process_id>/files")
def save_file(process_id: str):
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            name, content = upload.filename, upload.read().decode("utf-8", errors="strict")
        else:
            name, content = request.form.get("name", ""), request.form.get("content", "")
        drafts().save_file(current_user().username, process_id, name, content)
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text."), "error")
    except DefinitionInvalid as err:
        flash(_("The file was not kept: %(problems)s", problems="; ".join(_problem(p) for p in err.problems)),
              "error")
    except WaishiError as err:
        flash(engine_text(err), "error")
    else:
        flash(_("Saved in your draft."), "success")
    return redirect(url_for("authoring.draft", process_id=process_id, file=request.form.get("key") or None), 303)


@bp.post("/drafts/<process_id>/discard")
def discard(process_id: str):
    drafts().discard(current_user().username, process_id)
    flash(_("The draft was discarded."), "success")
    return redirect(url_for("authoring.index"), 303)


@bp.post("/drafts/<process_id>/validate")
def validate_draft(process_id: str):
    current = drafts().get(current_user().username, process_id) or abort(404)
    report = drafts().validate(current_user().username, process_id)
    return render_template("authoring/draft.html", draft=current, selected=request.form.get("key", ""),
                           content=current.files.get(request.form.get("key", ""), ""),
                           has_modeler=has_vendor(MODELER_SCRIPT), report=report, tests=None, impact=None)


@bp.post("/drafts/<process_id>/test")
def test_draft(process_id: str):
    user = current_user()
    current = drafts().get(user.username, process_id) or abort(404)
    tests = run_draft(current)
    drafts().record_test(user.username, process_id, tests.passed, tests.failed)
    own = f"bpmn:{process_id}.bpmn"  # the paths are drawn on the process's own diagram
    return render_template("authoring/draft.html", draft=current, selected=own, content=current.files.get(own, ""),
                           has_modeler=has_vendor(MODELER_SCRIPT), report=None, tests=tests, impact=None)


@bp.post("/drafts/<process_id>/deploy")
def deploy(process_id: str):
    user = current_user()
    current = drafts().get(user.username, process_id) or abort(404)
    reason = (request.form.get("reason") or "").strip()[:MAX_REASON]
    tests = run_draft(current)
    try:
        result = drafts().deploy(user.username, process_id, failed_scenarios=tests.failed, reason=reason)
    except DefinitionInvalid as err:
        flash(_("Not deployed: the draft does not validate (%(n)d problems).", n=len(err.problems)), "error")
        return redirect(url_for("authoring.draft", process_id=process_id), 303)
    except WaishiError as err:
        flash(engine_text(err), "error")
        return redirect(url_for("authoring.draft", process_id=process_id), 303)
    made = ", ".join(f"{d.process_id} v{d.version}" for d in result.deployed if d.created)
    flash(_("Deployed: %(versions)s. New cases start on it; running cases stay on theirs.",
            versions=made or _("nothing changed")), "success")
    return redirect(url_for("authoring.index"), 303)


@bp.get("/definitions/compare")
def compare():
    """Two versions side by side: the diagrams with what changed marked (the viewers' script),
    the changed properties, the DMN rows and the form fields, and the running cases touched."""
    from engine.authoring.compare import version_diff
    from engine.authoring.impact import cases_touched

    old, new = _int(request.args.get("a")), _int(request.args.get("b"))
    if old is None or new is None:
        abort(404)
    with waishi().db.read() as session:
        diff = version_diff(session, old, new)
        a, b = catalog.version(session, old), catalog.version(session, new)
        running, impacts = cases_touched(session, diff, old)
    return render_template("authoring/compare.html", diff=diff, a=a, b=b, impacts=impacts, running=running,
                           has_modeler=has_vendor(MODELER_SCRIPT))


@bp.post("/drafts/<process_id>/impact")
def draft_impact(process_id: str):
    """What the draft changes against its version: the running cases it touches and the
    scenarios that exercise each changed rule row (the scenarios run on both)."""
    from engine.authoring.impact import draft_impact as compute

    user = current_user()
    current = drafts().get(user.username, process_id) or abort(404)
    try:
        found = compute(drafts(), user.username, process_id)
    except WaishiError as err:
        flash(engine_text(err), "error")
        return redirect(url_for("authoring.draft", process_id=process_id), 303)
    own = f"bpmn:{process_id}.bpmn"
    return render_template("authoring/draft.html", draft=current, selected=own, content=current.files.get(own, ""),
                           has_modeler=has_vendor(MODELER_SCRIPT), report=None, tests=found.tests_after,
                           impact=found)


# -- migration --------------------------------------------------------------------------------


@bp.get("/definitions/versions/<int:version_id>/migrate")
def migrate_plan(version_id: int):
    target = _int(request.args.get("to"))
    with waishi().db.read() as session:
        row = catalog.version(session, version_id)
        others = [v for v in catalog.versions(session)[row.process_id] if v.id != version_id]
    target = target or (others[0].id if others else None)
    checks = dry_run(waishi().cases, current_user().username, version_id, target) if target else []
    return render_template("authoring/migrate.html", v=row, others=others, target=target, checks=checks)


@bp.post("/definitions/versions/<int:version_id>/migrate")
def migrate(version_id: int):
    target = _int(request.form.get("to"))
    chosen = [int(c) for c in request.form.getlist("case") if c.isdigit()]
    if target is None or not chosen:
        flash(_("Choose the cases to migrate."), "error")
        return redirect(url_for("authoring.migrate_plan", version_id=version_id, to=target), 303)
    moved, refused = [], []
    for case_id in chosen:
        try:
            migrate_case(waishi().cases, current_user().username, case_id, target)
            moved.append(case_id)
        except WaishiError as err:
            refused.append(f"#{case_id}: {engine_text(err)}")
    if moved:
        flash(_("Migrated: %(cases)s.", cases=", ".join(f"#{c}" for c in moved)), "success")
    for line in refused:
        flash(line, "error")
    return redirect(url_for("authoring.migrate_plan", version_id=version_id, to=target), 303)


@bp.app_template_filter("touch_reason")
def touch_reason(reason: str) -> str:
    """The engine's reason an element counts as touched (compare.py `_touched`), in the reader's
    language."""
    import re

    if reason in ("changed", "removed"):
        return {"changed": _("changed"), "removed": _("removed")}[reason]
    found = re.fullmatch(r"(decision|form|called process) (\S+) changed", reason)
    if not found:
        return reason
    kind, name = found.groups()
    return {"decision": _("decision %(id)s changed", id=name), "form": _("form %(id)s changed", id=name),
            "called process": _("called process %(id)s changed", id=name)}[kind]


def _problem(problem) -> str:
    from webapp.i18n import pick

    return pick(problem.zh, problem.en)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
