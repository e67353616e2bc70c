"""The inbox (我的待办, `/`), the task page and the claim / release buttons.

The task page (`/cases/<id>/tasks/<task_id>`) shows the task's form, rendered on the server from
the version's Camunda Form (webapp/task_form.py, templates/tasks/_form.html), then the case: its
summary and key data, diagram, history, comments and attachments. The form posts back to the same
address with one of these `_action`s:

- `submit` (also what Enter does): `CaseService.complete_task` with the `expected_version` the page
  was rendered with. Success: flash and redirect to the inbox. Field errors: the page again, with
  the values as sent and each message under its field (422). A stale or double submit: the 409
  page saying who completed the task and when; the values typed are kept as a draft when the task
  is still open.
- `draft` / `discard`: save or drop the person's draft (engine/drafts.py), then back to the page.
- `add:<list>` / `remove:<list>[i]`: add or remove a row of a dynamic list and show the form
  again with every value kept (so lists work without JavaScript). Nothing is stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine import drafts
from engine.errors import Conflict, InvalidInput, WaishiError
from engine.forms import initial_values
from engine.partners.options import form_context
from engine.queries import cases as case_queries
from engine.queries import inbox
from engine.queries.labels import field_labels
from engine.roles import TASK_ROLES
from engine.storage.models import User
from webapp import case_sections, layout, request_db, task_form
from webapp.auth import current_user, login_required
from webapp.i18n import dt, engine_text, lang
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
    if user.has_any("auditor") and not user.has_any(*TASK_ROLES):
        # An auditor has no tasks: their home is the audit workspace.
        return redirect(url_for("audit.index"))
    flt, raw = _filters()
    now = datetime.now(UTC)
    with request_db.read() as session:
        summary = layout.prime_nav_counts(session, inbox.summary(session, user.actor, now))
        counts = summary.counts
        tab = request.args.get("tab")
        if tab not in inbox.TABS:
            tab = "claimable" if counts.mine == 0 and counts.claimable > 0 else "mine"
        rows = inbox.rows(session, user.actor, tab, flt, now)
        processes = inbox.process_choices(session, summary.definitions)
    return render_template("tasks/inbox.html", tab=tab, rows=rows, counts=counts, processes=processes,
                           filters=raw, limit=flt.limit)


@bp.get("/cases/<int:case_id>/tasks/<task_id>")
@login_required
def task(case_id: int, task_id: str):
    return _task_page(case_id, task_id)


@bp.post("/cases/<int:case_id>/tasks/<task_id>")
@login_required
def task_post(case_id: int, task_id: str):
    user = current_user()
    action = request.form.get("_action") or "submit"
    values = task_form.submitted(request.form)
    expected = _version(request.form.get("expected_version"))
    here = url_for("tasks.task", case_id=case_id, task_id=task_id)
    if action in ("draft", "discard"):
        with waishi().db.read() as session:
            view = case_queries.task(session, user.actor, case_id, task_id)
            form = _form_of(session, view)
        if not (view.may_act and view.item.state == "open"):
            flash(_("This task is not open for you, so no draft can be kept."), "error")
            return redirect(here, 303)
        if action == "draft":
            drafts.save(waishi().db, case_id, task_id, user.username,
                        drafts.prune(form, values) if form is not None else {})
            flash(_("Your draft was saved. Only you can see it; the task is not completed yet."), "success")
        else:
            drafts.discard(waishi().db, case_id, task_id, user.username)
            flash(_("Your draft was discarded."), "success")
        return redirect(here + "#task-form", 303)
    if action.startswith(("add:", "remove:")):
        with waishi().db.read() as session:
            form = _form_of(session, case_queries.task(session, user.actor, case_id, task_id))
        focus = task_form.row_action(form, values, action) if form is not None else None
        return _task_page(case_id, task_id, values=values, expected=expected, focus=focus)
    if expected is None:
        return _conflict(case_id, task_id, _("The page was out of date. Reload it and try again."))
    try:
        data = waishi().cases.complete_task(user.username, case_id, task_id, values, expected_version=expected)
    except InvalidInput as err:
        errors = {name: message.text(lang()) for name, message in err.field_errors.items()}
        return _task_page(case_id, task_id, values=values, expected=expected, errors=errors,
                          summary=engine_text(err), status=422)
    except Conflict as err:
        return _conflict(case_id, task_id, _conflict_text(err), values=values)
    g.case_data_after = (case_id, data)  # for the documents due now (webapp/documents.py)
    flash(_("The task was completed."), "success")  # the task's drafts went with the command
    return redirect(url_for("tasks.inbox"), 303)


def _task_page(case_id: int, task_id: str, *, values: dict[str, Any] | None = None, expected: int | None = None,
               errors: dict[str, str] | None = None, summary: str | None = None, focus: str | None = None,
               status: int = 200):
    """The task page; `values` given: the form as submitted (after an error or a row action)."""
    user = current_user()
    with request_db.read() as session:
        page = case_queries.task_page(session, user.actor, case_id, task_id)
        view = page.view
        case, item = view.header, view.item
        labels = field_labels(session, case.version_id, case.content_hash)
        sections = case_sections.load(session, user.actor, case, page.items)
        form = _form_of(session, view)
        editable = view.may_act and item.state == "open" and item.assignee in (None, user.username)
        draft = page.draft if values is None and editable else None
        form_data = form_context(session, case.data, form) if form is not None and editable else case.data
        layout.prime_nav_counts(session)
    form_view = None
    if form is not None and editable:
        if values is None:
            values = draft.data if draft is not None else initial_values(form, case.data)
        form_view = task_form.build(form, values, form_data, lang(), errors=errors, focus=focus)
    submitted = _submitted_data(sections, task_id) if item.state == "completed" else None
    page = render_template(
        "tasks/task.html", case=case, item=item, may_act=view.may_act, labels=labels, editable=editable,
        form=form, form_view=form_view, draft=draft, summary=summary,
        expected_version=expected if expected is not None else item.version, submitted=submitted,
        **case_sections.as_context(sections))
    return page, status


def _form_of(session, view: case_queries.TaskView):
    if view.item.form_key is None:
        return None
    return waishi().specs.form_for(session, view.header.version_id, view.item.form_key)


def _submitted_data(sections: case_sections.CaseSections, task_id: str) -> dict[str, Any] | None:
    for ev in reversed(sections.events):
        if ev.command == "complete" and ev.task_id == task_id:
            return ev.submitted
    return None


def _version(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


def _conflict(case_id: int, task_id: str, message: str, *, values: dict[str, Any] | None = None):
    """The 409 page for a stale or double submit. While the task is still open for this person,
    what they typed is kept as their draft, so reloading the task loses nothing."""
    user = current_user()
    kept = False
    with waishi().db.read() as session:
        try:
            view = case_queries.task(session, user.actor, case_id, task_id)
        except WaishiError:
            view = None
        form = _form_of(session, view) if view is not None else None
    if values and view is not None and view.may_act and view.item.state == "open" and form is not None:
        drafts.save(waishi().db, case_id, task_id, user.username, drafts.prune(form, values))
        kept = True
    page = render_template("tasks/conflict.html", case_id=case_id, task_id=task_id, message=message,
                           kept=kept, still_open=view is not None and view.item.state == "open")
    return page, 409


def _conflict_text(err: Conflict) -> str:
    """"Already completed by X at T" with the person's name and Beijing time, else the engine's words."""
    who, when = err.details.get("completed_by"), err.details.get("completed_at")
    if not who:
        return engine_text(err)
    with waishi().db.read() as session:
        name = session.scalar(select(User.display_name).where(User.username == who)) or who
    try:
        shown = dt(datetime.fromisoformat(when))
    except (TypeError, ValueError):
        shown = when or "?"
    return _("This task was already completed by %(who)s at %(when)s.", who=name, when=shown)


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
