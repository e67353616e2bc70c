"""The impact of a draft before it is deployed: the running cases of its version that sit on an
element it changes, and, per changed decision-table row, the scenarios that exercise it on the old
version and on the draft — a row nothing matches is flagged as untested."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.authoring import rule_hits
from engine.authoring.impact import draft_impact
from engine.authoring.testing import run_draft
from engine.errors import Forbidden
from engine.storage.models import WorkItem
from tests.documents_support import run_trip
from tests.test_authoring import DAYS_2

NEVER = '''<rule id="r_never">
        <description>[S9] a row no trip matches</description>
        <inputEntry id="r_never_countries"><text>99</text></inputEntry>
        <inputEntry id="r_never_days"><text>-</text></inputEntry>
        <inputEntry id="r_never_size"><text>-</text></inputEntry>
        <inputEntry id="r_never_notice"><text>-</text></inputEntry>
        <inputEntry id="r_never_plan"><text>-</text></inputEntry>
        <outputEntry id="r_never_code"><text>'never'</text></outputEntry>
        <outputEntry id="r_never_value"><text>0</text></outputEntry>
        <outputEntry id="r_never_actual"><text>0</text></outputEntry>
        <outputEntry id="r_never_zh"><text>'不会发生'</text></outputEntry>
        <outputEntry id="r_never_en"><text>'never'</text></outputEntry>
        <outputEntry id="r_never_source"><text>'[S9]'</text></outputEntry>
      </rule>
      '''


def open_task(db, case_id: int) -> str:
    with db.read() as s:
        return s.scalar(select(WorkItem.spec_name).where(WorkItem.case_id == case_id, WorkItem.state == "open"))


def edited_limits(dmn: str) -> str:
    start = dmn.index('<rule id="r_days_2">')
    row = dmn[start:dmn.index("</rule>", start)]
    edited = row.replace("<text>&gt; 8</text>", "<text>&gt; 7</text>", 1).replace(
        '<outputEntry id="r_days_2_value"><text>8</text>', '<outputEntry id="r_days_2_value"><text>7</text>', 1)
    return dmn.replace(row, edited).replace('<rule id="r_days_2">', NEVER + '<rule id="r_days_2">', 1)


def test_the_impact_names_the_cases_on_changed_elements_and_the_scenarios_of_changed_rows(shipped, db):
    drafts, version_id = shipped
    waiting_at_head = run_trip(db, steps=1)
    still_applying = run_trip(db, steps=0)
    assert open_task(db, waiting_at_head) == "ut_head_sign"
    assert open_task(db, still_applying) != "ut_head_sign"

    draft = drafts.open("analyst", version_id)
    bpmn = draft.files["bpmn:trip_staff.bpmn"]
    drafts.save_file("analyst", "trip_staff", "trip_staff.bpmn",
                     bpmn.replace('name="单位负责人审签"', 'name="单位负责人审签并盖章"', 1))
    drafts.save_file("analyst", "trip_staff", "trip_limits.dmn", edited_limits(draft.files["dmn:trip_limits.dmn"]))

    found = draft_impact(drafts, "analyst", "trip_staff")
    assert found.base_version == 1 and found.running == 2
    assert "ut_head_sign" in found.diff.bpmn.changed and "ut_head_sign" in found.touched_ids
    [case] = found.cases
    assert case.case_id == waiting_at_head and case.at == ("ut_head_sign",)

    rows = {r.rule_id: r for r in found.rules}
    assert set(rows) == {"r_days_2", "r_never"}
    days = rows["r_days_2"]
    assert days.status == "changed" and days.description.startswith("[S2]")
    assert DAYS_2 in days.before and DAYS_2 in days.after and not days.untested
    # the 8-day trip of two countries matched nothing before and matches the tightened row now
    assert "trip_staff_visa_refused_cancelled.toml" in set(days.after) - set(days.before)
    never = rows["r_never"]
    assert never.status == "added" and never.untested and never.before == never.after == ()
    assert found.tests_after is not None and DAYS_2 in found.tests_after.failed


def test_rows_are_recorded_only_inside_recording(shipped):
    drafts, version_id = shipped
    draft = drafts.open("analyst", version_id)
    [run] = run_draft(draft, only={DAYS_2}).runs
    assert "r_days_2" in run.rules and len(set(run.rules)) == len(run.rules)
    with rule_hits.recording() as outer:
        pass
    assert outer == []


def test_the_same_files_are_run_once_and_a_change_runs_again(shipped):
    drafts, version_id = shipped
    draft = drafts.open("analyst", version_id)
    first = run_draft(draft, only={DAYS_2})
    assert run_draft(draft, only={DAYS_2}) is first
    assert run_draft(draft, only={DAYS_2, "x.toml"}) is not first
    changed = drafts.save_file("analyst", "trip_staff", "trip_limits.dmn",
                               edited_limits(draft.files["dmn:trip_limits.dmn"]))
    again = run_draft(changed, only={DAYS_2})
    assert again is not first and again.failed == [DAYS_2]


def test_only_the_analyst_sees_the_impact_of_a_draft(shipped):
    drafts, version_id = shipped
    drafts.open("analyst", version_id)
    with pytest.raises(Forbidden):
        draft_impact(drafts, "fao_clerk", "trip_staff")
