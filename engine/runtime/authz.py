"""Authorization, checked in the engine for every command (the web layer checks too, but the
engine is the one place that cannot be bypassed)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import Forbidden
from engine.roles import ROLES, UNIT_SCOPED
from engine.runtime.actors import Actor
from engine.runtime.case_store import CaseRow


def role_label(role: str) -> tuple[str, str]:
    return ROLES.get(role, (role, role))


def require_role_in_scope(actor: Actor, role: str, case_unit: str | None) -> None:
    zh, en = role_label(role)
    if role not in actor.roles:
        raise Forbidden(f"此任务须由“{zh}”办理，您没有该角色",
                        f"This task needs the role '{en}', which you do not hold")
    if role in UNIT_SCOPED and actor.unit_code != case_unit:
        raise Forbidden("此案件属于其他单位，您无权办理", "This case belongs to another unit; you may not act on it")


def require_may_act(actor: Actor, case: CaseRow, item) -> None:
    """`item` is a work-item row: its `role` is the lane the task sits in; an overdue task may
    also have been escalated to an office role (never unit-scoped)."""
    escalated = getattr(item, "escalated_role", None)
    if escalated and escalated in actor.roles:
        return
    require_role_in_scope(actor, item.role, case.unit_code)


def may_act(actor: Actor, case: CaseRow, item) -> bool:
    try:
        require_may_act(actor, case, item)
    except Forbidden:
        return False
    return True


# Office roles and auditors read every case; unit roles read their own unit's cases only.
CASE_READERS: frozenset[str] = frozenset(
    {"fao_clerk", "section_chief", "fao_director", "leader_in_charge", "auditor"}
)


@dataclass(frozen=True)
class CaseScope:
    """Which cases an actor may read: every case, or those of one unit, or none (unit None)."""

    all_units: bool
    unit_code: str | None = None

    @property
    def none(self) -> bool:
        return not self.all_units and self.unit_code is None


def case_scope(actor: Actor) -> CaseScope:
    """The single rule behind `may_view_case` and the read-model queries (engine/queries)."""
    if actor.roles & CASE_READERS:
        return CaseScope(all_units=True)
    if actor.roles & UNIT_SCOPED and actor.unit_code:
        return CaseScope(all_units=False, unit_code=actor.unit_code)
    return CaseScope(all_units=False)


def may_view_case(actor: Actor, case: CaseRow) -> bool:
    """Read access: unit roles see their unit's cases; office roles and auditors see all.
    `case` is anything with a `unit_code` (a case row or a read-model row)."""
    scope = case_scope(actor)
    if scope.all_units:
        return True
    return scope.unit_code is not None and case.unit_code == scope.unit_code


def require_view(actor: Actor, case: CaseRow) -> None:
    if not may_view_case(actor, case):
        raise Forbidden("您无权查看此案件", "You may not view this case")
