"""Cases: the list (`/cases`), the case page (`/cases/<id>`) and starting an application
(发起申请, `/start`). Unit roles see their own unit's cases only; a case someone may not read is
a 403 and never appears in their lists."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import WaishiError
from engine.queries import cases as case_queries
from engine.queries import inbox, processes
from engine.queries.admin import units as unit_list
from engine.queries.labels import field_labels
from engine.queries.timeline import timeline
from engine.runtime.authz import case_scope
from webapp.auth import current_user, login_required
from webapp.i18n import engine_text
from webapp.layout import CASE_LIST_ROLES
from webapp.services import waishi

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
        events = timeline(session, case_id)
        labels = field_labels(session, case.version_id, case.content_hash)
    return render_template("cases/detail.html", case=case, items=items, events=events, labels=labels)


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
