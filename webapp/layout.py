"""What every page's layout needs: the signed-in user, the counts in the navigation (open tasks,
unread notifications) and the list of areas the user may open. Counts are computed once per
request, in one statement and in the request's read session, only when a template asks for them
(or the page has them already), and a failure never breaks the page."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, g, request

from engine.partners.register import READ_ROLES as PARTNER_ROLES
from engine.queries import inbox
from engine.reports.service import READERS as REPORT_ROLES
from engine.roles import TASK_ROLES
from webapp import request_db
from webapp.auth import current_user

log = logging.getLogger("waishi.web")

CASE_LIST_ROLES = ("unit_clerk", "unit_head", "fao_clerk", "section_chief", "fao_director", "leader_in_charge",
                   "auditor")


@dataclass(frozen=True)
class NavCounts:
    tasks: inbox.InboxCounts
    unread: int


def prime_nav_counts(session, summary: inbox.Summary | None = None) -> inbox.Summary | None:
    """Compute the navigation counts (one statement, `inbox.summary`) in the page's session;
    `summary`: what the page has read already. Returns the summary (None when it failed)."""
    user = current_user()
    if user is None:
        return None
    if "nav_summary" in g:
        return g.nav_summary
    try:
        summary = summary or inbox.summary(session, user.actor)
    except Exception:  # the page still renders without its counts
        log.exception("navigation counts failed")
        summary = None
    g.nav_summary = summary
    return summary


def nav_counts() -> NavCounts | None:
    summary = g.nav_summary if "nav_summary" in g else None
    if "nav_summary" not in g and current_user() is not None:
        try:
            with request_db.read() as session:
                summary = prime_nav_counts(session)
        except Exception:  # the page still renders without its counts
            log.exception("navigation counts failed")
    return NavCounts(summary.counts, summary.unread) if summary is not None else None


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
