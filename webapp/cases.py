"""Cases: the list (`/cases`), the case page (`/cases/<id>`), starting an application
(发起申请, `/start`), and what the case page offers: its diagram's BPMN (`/cases/<id>/diagram.bpmn`,
for the viewer), comments (`POST /cases/<id>/comments`) and cancelling (`POST /cases/<id>/cancel`).
Unit roles see their own unit's cases only; a case someone may not read is a 403 and never
appears in their lists. Attachments are in webapp/attachments.py."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Forbidden, InvalidInput, WaishiError
from engine.queries import cases as case_queries
from engine.queries import inbox, processes
from engine.queries.admin import units as unit_list
from engine.queries.diagram import case_bpmn
from engine.queries.labels import field_labels
from engine.runtime.authz import case_scope
from webapp import case_sections
from webapp.auth import current_user, login_required
from webapp.i18n import engine_text
from webapp.layout import CASE_LIST_ROLES
from webapp.services import waishi
from webapp.urls import safe_next

MAX_REASON = 1000

bp = Blueprint("cases", __name__)


@bp.get("/cases")
@login_required
def index():
    user = current_user()
    if not user.has_any(*CASE_LIST_ROLES):
        abort(403)
    args = request.args
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    status = args.get("status") or None
    scope = case_scope(user.actor)
    flt = case_queries.CaseFilter(
        process_id=args.get("process") or None,
        status=status if status in case_queries.STATUSES else None,
        unit_code=(args.get("unit") or None) if scope.all_units else None,
        text=(args.get("q") or "")[:100] or None,
        page=page,
    )
    with waishi().db.read() as session:
        result = case_queries.case_list(session, user.actor, flt)
        process_options = inbox.process_choices(session)
        units = unit_list(session) if scope.all_units else []
    filters = {"process": flt.process_id or "", "status": flt.status or "", "unit": flt.unit_code or "",
               "q": flt.text or ""}
    return render_template("cases/list.html", result=result, processes=process_options, units=units,
                           filters=filters, statuses=case_queries.STATUSES)


@bp.get("/cases/<int:case_id>")
@login_required
def detail(case_id: int):
    user = current_user()
    with waishi().db.read() as session:
        case = case_queries.case_header(session, user.actor, case_id)
        items = case_queries.work_items(session, case_id)
        labels = field_labels(session, case.version_id, case.content_hash)
        sections = case_sections.load(session, user.actor, case, items)
    if user.has_any("auditor"):
        waishi().audit.record(user.username, "case", {"case_id": case_id})  # every look an auditor takes
    return render_template("cases/detail.html", case=case, items=items, labels=labels,
                           **case_sections.as_context(sections))


@bp.get("/cases/<int:case_id>/diagram.bpmn")
@login_required
def diagram(case_id: int):
    """The BPMN of the case's pinned version, for the diagram viewer; only for those who may read
    the case."""
    user = current_user()
    with waishi().db.read() as session:
        case_queries.case_header(session, user.actor, case_id)
        content = case_bpmn(session, case_id)
    return Response(content, mimetype="application/xml")


@bp.post("/cases/<int:case_id>/comments")
@login_required
def comment(case_id: int):
    user = current_user()
    back = _back(case_id, "comments")
    task_id = request.form.get("task_id") or None
    try:
        waishi().cases.comment(user.username, case_id, request.form.get("text", ""), task_id=task_id)
    except Forbidden:
        raise
    except WaishiError as err:
        flash(engine_text(err), "error")
        return redirect(back, 303)
    flash(_("Your comment was added."), "success")
    return redirect(back, 303)


@bp.post("/cases/<int:case_id>/cancel")
@login_required
def cancel(case_id: int):
    user = current_user()
    back = url_for("cases.detail", case_id=case_id)
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(_("Give the reason for cancelling the case."), "error")
        return redirect(back + "#cancel", 303)
    if len(reason) > MAX_REASON:
        flash(_("The reason may have at most %(n)d characters.", n=MAX_REASON), "error")
        return redirect(back + "#cancel", 303)
    try:
        waishi().cases.cancel_case(user.username, case_id, reason)
    except InvalidInput as err:
        flash(engine_text(err), "error")
        return redirect(back, 303)
    flash(_("Case %(id)d was cancelled.", id=case_id), "success")
    return redirect(back, 303)


def _back(case_id: int, anchor: str) -> str:
    """Where a case action returns to: the page it came from (`next`), or the case page."""
    target = request.form.get("next")
    default = url_for("cases.detail", case_id=case_id)
    back = target if target and safe_next(target) == target else default
    return back if "#" in back else f"{back}#{anchor}"


@bp.get("/start")
@login_required
def start():
    user = current_user()
    with waishi().db.read() as session:
        options = processes.startable(session, waishi().specs, user.actor)
    return render_template("cases/start.html", options=options)


@bp.post("/start")
@login_required
def start_post():
    user = current_user()
    process_id = (request.form.get("process_id") or "").strip()
    with waishi().db.read() as session:
        options = {o.process_id: o for o in processes.startable(session, waishi().specs, user.actor)}
    if process_id not in options:
        flash(_("You cannot start this process."), "error")
        return redirect(url_for("cases.start"), 303)
    try:
        case_id = waishi().cases.start_case(user.username, process_id)
    except WaishiError as err:
        flash(engine_text(err), "error")
        return redirect(url_for("cases.start"), 303)
    with waishi().db.read() as session:
        task_id = case_queries.first_open_task(session, user.actor, case_id)
    flash(_("Application %(id)d started.", id=case_id), "success")
    if task_id is not None:
        return redirect(url_for("tasks.task", case_id=case_id, task_id=task_id), 303)
    return redirect(url_for("cases.detail", case_id=case_id), 303)
