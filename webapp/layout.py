"""What every page's layout needs: the signed-in user, the counts in the navigation (open tasks,
unread notifications) and the list of areas the user may open. Counts are computed once per
request, only when a template asks for them, and a failure never breaks the page."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, g, request

from engine.partners.register import READ_ROLES as PARTNER_ROLES
from engine.queries import inbox, notifications
from engine.reports.service import READERS as REPORT_ROLES
from engine.roles import TASK_ROLES
from webapp.auth import current_user
from webapp.services import waishi

log = logging.getLogger("waishi.web")

CASE_LIST_ROLES = ("unit_clerk", "unit_head", "fao_clerk", "section_chief", "fao_director", "leader_in_charge",
                   "auditor")


@dataclass(frozen=True)
class NavCounts:
    tasks: inbox.InboxCounts
    unread: int


def prime_nav_counts(session, counts: inbox.InboxCounts | None = None) -> None:
    """Compute the navigation counts in a page's own read session (one transaction less per page);
    `counts`: the inbox's counts, when the page has them already."""
    user = current_user()
    if user is None or "nav_counts" in g:
        return
    try:
        g.nav_counts = NavCounts(counts or inbox.counts(session, user.actor),
                                 notifications.unread_count(session, user.actor))
    except Exception:  # the page still renders without its counts
        log.exception("navigation counts failed")


def nav_counts() -> NavCounts | None:
    if "nav_counts" in g:
        return g.nav_counts
    user = current_user()
    counts = None
    if user is not None:
        try:
            with waishi().db.read() as session:
                counts = NavCounts(inbox.counts(session, user.actor),
                                   notifications.unread_count(session, user.actor))
        except Exception:  # the page still renders without its counts
            log.exception("navigation counts failed")
    g.nav_counts = counts
    return counts


def init_app(app: Flask) -> None:
    @app.context_processor
    def layout_context():
        user = current_user()
        return {
            "user": user,
            "nav_counts": nav_counts,
            "may_list_cases": bool(user and user.has_any(*CASE_LIST_ROLES)),
            "is_admin": bool(user and user.has_any("admin")),
            "reads_reports": bool(user and user.has_any(*REPORT_ROLES)),
            "reads_partners": bool(user and user.has_any(*PARTNER_ROLES)),
            "is_auditor": bool(user and user.has_any("auditor")),
            "is_analyst": bool(user and user.has_any("analyst")),
            # Auditors take no part in cases: no inbox or start link unless they also hold a task role.
            "works_cases": bool(user and (user.has_any(*TASK_ROLES) or not user.has_any("auditor"))),
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
