"""What a person may start (发起申请): the latest deployed version of each process whose start
event sits in a lane of one of their roles. The start lane comes from the parsed spec, which the
in-process `SpecCache` holds per version (no workflow is loaded)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.definitions.cache import SpecCache
from engine.errors import DefinitionInvalid
from engine.roles import UNIT_SCOPED
from engine.runtime.actors import Actor
from engine.runtime.outside import unit_held
from engine.runtime.service import start_lane
from engine.storage.models import DefinitionVersion


@dataclass(frozen=True)
class StartOption:
    process_id: str
    name: str
    version: int
    start_role: str
    held: bool  # the actor's unit is on hold (overdue passports): it cannot start this now


def startable(session: Session, specs: SpecCache, actor: Actor) -> list[StartOption]:
    latest = (select(DefinitionVersion.process_id, func.max(DefinitionVersion.version).label("v"))
              .group_by(DefinitionVersion.process_id).subquery())
    versions = session.execute(
        select(DefinitionVersion.id, DefinitionVersion.process_id, DefinitionVersion.name, DefinitionVersion.version)
        .join(latest, and_(latest.c.process_id == DefinitionVersion.process_id,
                           latest.c.v == DefinitionVersion.version))
        .order_by(DefinitionVersion.process_id)).all()
    held = unit_held(session, actor.unit_code)
    options = []
    for version_id, process_id, name, number in versions:
        try:
            lane = start_lane(specs.for_version_id(session, version_id).spec)
        except DefinitionInvalid:
            continue  # cannot happen for a deployed version; never offer what cannot start
        if lane is None or lane not in actor.roles:
            continue
        options.append(StartOption(process_id, name or process_id, number, lane, held and lane in UNIT_SCOPED))
    return options
