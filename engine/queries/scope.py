"""SQL forms of the authorization rules in `engine.runtime.authz`, for the read model."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from engine.roles import UNIT_SCOPED
from engine.runtime.actors import Actor
from engine.runtime.authz import case_scope
from engine.storage.models import Case, Notification, WorkItem


def visible_cases(actor: Actor, unit_column=Case.unit_code) -> ColumnElement[bool]:
    """Cases the actor may read (`may_view_case`), as a WHERE clause on a unit column."""
    scope = case_scope(actor)
    if scope.all_units:
        return true()
    if scope.unit_code is not None:
        return unit_column == scope.unit_code
    return false()


def actionable_items(actor: Actor) -> ColumnElement[bool]:
    """Work items the actor may act on (`require_may_act`): an office role they hold, a unit role
    they hold for the case's unit, or an escalated role they hold."""
    office = sorted(r for r in actor.roles if r not in UNIT_SCOPED)
    unit = sorted(actor.roles & UNIT_SCOPED)
    conditions = []
    if office:
        conditions.append(WorkItem.role.in_(office))
        conditions.append(WorkItem.escalated_role.in_(office))
    if unit and actor.unit_code:
        conditions.append(and_(WorkItem.role.in_(unit), WorkItem.unit_code == actor.unit_code))
    return or_(*conditions) if conditions else false()


def addressed_notifications(actor: Actor) -> ColumnElement[bool]:
    """Notifications for this person: to their username, to an office role they hold, or to a
    unit role they hold in their own unit."""
    conditions = [Notification.username == actor.username]
    office = sorted(r for r in actor.roles if r not in UNIT_SCOPED)
    unit = sorted(actor.roles & UNIT_SCOPED)
    if office:
        conditions.append(Notification.role.in_(office))
    if unit and actor.unit_code:
        conditions.append(and_(Notification.role.in_(unit), Notification.unit_code == actor.unit_code))
    return or_(*conditions)
