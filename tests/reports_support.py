"""A known set of cases across two half-years for the report tests (engine, web, browser, bench):
the shipped scenarios of processes/scenarios/, run by the real engine at chosen instants, in
chosen units, with a few fields changed (destination, rank, purpose, size, budget, a late passport).

H1 2025 (last year): 2 trips (1 approved DE/commerce, 1 rejected), 1 journalist invitation.
H1 2026 (this period): 7 trips, 1 post-trip case on its own, 4 invitations — see KNOWN."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.definitions.cache import SpecCache
from engine.scenarios import default_definitions, deploy_definitions, load_scenario, run_scenario
from engine.scenarios.model import CompleteTask
from engine.storage.db import Database

SCENARIOS = Path(__file__).resolve().parents[1] / "processes" / "scenarios"
TZ = "+08:00"


@dataclasses.dataclass(frozen=True)
class Known:
    file: str
    start: str | None = None  # ISO instant in Beijing time; None = the scenario's own
    unit: str | None = None
    first: dict[str, Any] = dataclasses.field(default_factory=dict)  # changed fields of the application
    steps: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # task → changed fields
    after: dict[str, str] = dataclasses.field(default_factory=dict)  # task → another delay ("P9D")


EDUCATION_JP = {
    "applicant_unit": "兰州市教育局", "purpose_category": "training",
    "itinerary": [{"country": "JP", "days": 5, "transit": False, "cities": "东京"}],
}
KNOWN = [
    # last year
    Known("trip_staff_happy", "2025-03-02T09:00"),
    Known("trip_staff_reject_section_chief", "2025-04-10T09:00"),
    Known("invitation_official_journalist", "2025-03-02T09:00"),
    # this period: trips
    Known("trip_staff_happy"),  # commerce, DE, 3 persons, 5 days, 98,000 CNY, all on time
    Known("trip_staff_happy", "2026-01-12T09:00", unit="education", first=EDUCATION_JP,
          steps={"ut_pt_passport": {"passport_returns": [{"returned_on": "2026-05-04"}] * 3}},
          after={"ut_pt_passport": "P9D"}),  # education, JP, training; passports back late
    Known("trip_staff_reject_section_chief", "2026-02-02T09:00", unit="education"),
    Known("trip_leader_province_approved"),
    Known("trip_staff_returns_by_approvers"),
    Known("trip_staff_over_limit_days_2"),
    Known("trip_staff_visa_refused_cancelled"),
    Known("post_trip_passport_overdue"),  # a post-trip case on its own: passport > 30 days late, unit held
    # this period: invitations
    Known("invitation_official_city_completed"),
    Known("invitation_general_issued", "2026-03-02T09:00"),
    Known("invitation_official_rejected_by_chief"),
    Known("invitation_official_checkout_overdue"),
]


def _changed(known: Known, scenario):
    if known.start:
        scenario = dataclasses.replace(scenario, start_at=datetime.fromisoformat(known.start + TZ))
    if known.unit:
        scenario = dataclasses.replace(scenario, unit=known.unit)
    steps, first = [], True
    for step in scenario.steps:
        action = step.action
        if isinstance(action, CompleteTask):
            data = dict(action.data)
            if first and known.first:
                data.update(known.first)
            first = False
            if action.task in known.steps:
                data.update(known.steps[action.task])
            action = dataclasses.replace(action, data=data)
        after = step.after
        if isinstance(step.action, CompleteTask) and step.action.task in known.after:
            from engine.scenarios.durations import parse_duration

            after = parse_duration(known.after[step.action.task])
        steps.append(dataclasses.replace(step, action=action, after=after))
    return dataclasses.replace(scenario, steps=tuple(steps))


def build_known_cases(db: Database, specs: SpecCache | None = None) -> list[int]:
    """Deploy processes/ and forms/ and run KNOWN; returns the case ids (every case must reach
    the step list's end: a changed scenario may differ from its own expectations, never fail a step)."""
    deploy_definitions(db, default_definitions())
    specs = specs or SpecCache()
    ids = []
    for known in KNOWN:
        scenario = _changed(known, load_scenario(SCENARIOS / f"{known.file}.toml"))
        result = run_scenario(scenario, db, specs=specs, lang="en")
        steps_failed = [f.en for f in result.failures if f.en.startswith(("step ", "start"))]
        assert result.case_id is not None and result.exception is None and not steps_failed, (known, steps_failed)
        ids.append(result.case_id)
    return ids

