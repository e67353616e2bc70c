"""The notification bell: the list of a person's notifications, read and unread, and marking
them read (POST)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import notifications as commands
from engine.queries import notifications
from webapp.auth import current_user, login_required
from webapp.services import waishi
from webapp.urls import safe_next

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    user = current_user()
    unread_only = request.args.get("unread") == "1"
    with waishi().db.read() as session:
        rows = notifications.notifications_for(session, user.actor, unread_only=unread_only)
    return render_template("notifications/list.html", rows=rows, unread_only=unread_only)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    user = current_user()
    commands.mark_read(waishi().db, user.username, notification_id)
    return redirect(safe_next(request.form.get("next"), "notifications.index"), 303)


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    user = current_user()
    n = commands.mark_all_read(waishi().db, user.username)
    if n:
        flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", n), "success")
    else:
        flash(_("There was nothing unread."), "info")
    return redirect(safe_next(request.form.get("next"), "notifications.index"), 303)
