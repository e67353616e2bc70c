"""The inbox (我的待办, `/`), the task page and the claim / release buttons.

The task page (`/cases/<id>/tasks/<task_id>`) shows the case summary and the task; its form goes
into templates/tasks/_form.html (a placeholder today), submitted to a route of this blueprint
that calls `CaseService.complete_task` with the `expected_version` the page was rendered with.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _

from engine.errors import WaishiError
from engine.queries import cases as case_queries
from engine.queries import inbox
from engine.queries.labels import field_labels
from webapp.auth import current_user, login_required
from webapp.i18n import engine_text
from webapp.services import waishi
from webapp.urls import safe_next

bp = Blueprint("tasks", __name__)


def _filters() -> tuple[inbox.InboxFilter, dict[str, str]]:
    """The inbox filter from the query string; unusable values are dropped (and said so)."""
    args = request.args
    raw = {k: (args.get(k) or "").strip() for k in ("process", "due", "due_before", "sort")}
    due_before = None
    if raw["due_before"]:
        try:
            due_before = date.fromisoformat(raw["due_before"])
        except ValueError:
            flash(_("The due date filter must be a date such as 2026-03-31; it was ignored."), "error")
            raw["due_before"] = ""
    flt = inbox.InboxFilter(
        process_id=raw["process"] or None,
        due=raw["due"] if raw["due"] in inbox.DUE_STATES else None,
        due_before=due_before,
        sort=raw["sort"] if raw["sort"] in inbox.SORTS else "due",
    )
    return flt, raw


@bp.get("/", endpoint="inbox")
@login_required
def inbox_page():
    user = current_user()
    flt, raw = _filters()
    now = datetime.now(UTC)
    with waishi().db.read() as session:
        counts = inbox.counts(session, user.actor, now)
        tab = request.args.get("tab")
        if tab not in inbox.TABS:
            tab = "claimable" if counts.mine == 0 and counts.claimable > 0 else "mine"
        rows = inbox.rows(session, user.actor, tab, flt, now)
        processes = inbox.process_choices(session)
    return render_template("tasks/inbox.html", tab=tab, rows=rows, counts=counts, processes=processes,
                           filters=raw, limit=flt.limit)


@bp.get("/cases/<int:case_id>/tasks/<task_id>")
@login_required
def task(case_id: int, task_id: str):
    user = current_user()
    with waishi().db.read() as session:
        view = case_queries.task(session, user.actor, case_id, task_id)
        labels = field_labels(session, view.header.version_id, view.header.content_hash)
    return render_template("tasks/task.html", case=view.header, item=view.item, may_act=view.may_act,
                           labels=labels)


@bp.post("/cases/<int:case_id>/tasks/<task_id>/claim")
@login_required
def claim(case_id: int, task_id: str):
    return _assign(case_id, task_id, claim=True)


@bp.post("/cases/<int:case_id>/tasks/<task_id>/release")
@login_required
def release(case_id: int, task_id: str):
    return _assign(case_id, task_id, claim=False)


def _assign(case_id: int, task_id: str, *, claim: bool):
    user = current_user()
    back = safe_next(request.form.get("next"), "tasks.inbox")
    try:
        expected = int(request.form.get("expected_version", ""))
    except ValueError:
        expected = None
    if expected is None:
        flash(_("The page was out of date. Reload it and try again."), "error")
        return redirect(back, 303)
    service = waishi().cases
    try:
        if claim:
            service.claim(user.username, case_id, task_id, expected_version=expected)
        else:
            service.release(user.username, case_id, task_id, expected_version=expected)
    except WaishiError as err:
        flash(engine_text(err), "error")
        return redirect(back, 303)
    if claim:
        flash(_("The task is now yours: it is in “Assigned to me”."), "success")
    else:
        flash(_("The task was released: others with the role can claim it now."), "success")
    return redirect(back, 303)
