"""Role codes of the data contract (shared/domain/DATA-CONTRACT.md). Lane names map to these."""

from __future__ import annotations

ROLES: dict[str, tuple[str, str]] = {
    "unit_clerk": ("申请单位经办人（外事专办员）", "Unit clerk"),
    "unit_head": ("申请单位负责人", "Unit head"),
    "fao_clerk": ("外办经办人", "FAO clerk"),
    "section_chief": ("处长", "Section chief"),
    "fao_director": ("外办主任（分管副主任）", "FAO director"),
    "leader_in_charge": ("分管外事市领导", "Leader in charge of foreign affairs"),
    "analyst": ("流程分析员", "Process analyst"),
    "auditor": ("审计/纪检监察", "Auditor"),
    "admin": ("系统管理员", "Administrator"),
}

# Roles whose holders act only on cases of their own unit.
UNIT_SCOPED: frozenset[str] = frozenset({"unit_clerk", "unit_head"})

# Roles that may own a user task (a lane). Analysts, auditors and admins never approve.
TASK_ROLES: frozenset[str] = frozenset(
    {"unit_clerk", "unit_head", "fao_clerk", "section_chief", "fao_director", "leader_in_charge"}
)


def is_role(code: str | None) -> bool:
    return code in ROLES
