"""The analyst's drafts: open a version as a draft, edit a rule, test the shipped scenarios on the
draft (one fails, as it should), fix the scenario, deploy; refusals for hostile files, invalid
drafts and other roles; the deploy on the system chain."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.authoring.testing import run_draft
from engine.errors import Conflict, DefinitionInvalid, Forbidden, InvalidInput
from engine.storage.models import AuditEvent

DAYS_2 = "trip_staff_over_limit_days_2.toml"


def test_draft_edit_test_fix_and_deploy(shipped, db):
    drafts, version_id = shipped
    draft = drafts.open("analyst", version_id)
    assert "dmn:trip_limits.dmn" in draft.files and f"scenario:{DAYS_2}" in draft.files
    assert drafts.get("analyst", "trip_staff").files == draft.files  # kept on the server
    assert drafts.validate("analyst", "trip_staff").ok
    assert run_draft(draft, only={DAYS_2}).passed == [DAYS_2]

    dmn = draft.files["dmn:trip_limits.dmn"]
    row = dmn[dmn.index('<rule id="r_days_2">'):]
    edited_row = row.replace("<text>&gt; 8</text>", "<text>&gt; 7</text>", 1).replace(
        '<outputEntry id="r_days_2_value"><text>8</text>', '<outputEntry id="r_days_2_value"><text>7</text>', 1)
    draft = drafts.save_file("analyst", "trip_staff", "trip_limits.dmn", dmn.replace(row, edited_row))
    result = run_draft(draft, only={DAYS_2})
    [run] = result.runs
    assert not run.ok and run.first_failure_zh and "ut_apply" in run.elements and run.flows
    with pytest.raises(Conflict):
        drafts.deploy("analyst", "trip_staff", failed_scenarios=result.failed)

    scenario = draft.files[f"scenario:{DAYS_2}"].replace("limit = 8, actual = 9", "limit = 7, actual = 9")
    draft = drafts.save_file("analyst", "trip_staff", DAYS_2, scenario)
    fixed = run_draft(draft, only={DAYS_2})
    assert fixed.passed == [DAYS_2], fixed.runs[0].first_failure_en
    deployed = drafts.deploy("analyst", "trip_staff", failed_scenarios=fixed.failed)
    assert {d.process_id: d.version for d in deployed.deployed if d.created} == {"trip_staff": 2}
    assert drafts.get("analyst", "trip_staff") is None  # a deployed draft is done
    with db.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.command == "deploy_draft")).one()
    assert event.actor == "analyst" and event.payload["versions"]["trip_staff"] == 2


def test_a_failing_scenario_can_be_overridden_with_a_reason(shipped, db):
    drafts, version_id = shipped
    drafts.open("analyst", version_id)
    drafts.deploy("analyst", "trip_staff", failed_scenarios=["x.toml"], reason="规则已于 2026-12 调整")
    with db.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.command == "deploy_draft")).one()
    assert event.payload["reason"] == "规则已于 2026-12 调整" and event.payload["failed_scenarios"] == ["x.toml"]


def test_invalid_drafts_and_hostile_files_are_refused(shipped):
    drafts, version_id = shipped
    draft = drafts.open("analyst", version_id)
    with pytest.raises(DefinitionInvalid):
        drafts.save_file("analyst", "trip_staff", "evil.bpmn",
                         '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    for name, content in (("a.exe", "x"), ("../trip_staff.bpmn", "<x/>"), ("f.form", "[1]"), ("s.toml", "= =")):
        with pytest.raises((InvalidInput, DefinitionInvalid)):
            drafts.save_file("analyst", "trip_staff", name, content)
    bpmn = draft.files["bpmn:trip_staff.bpmn"]
    drafts.save_file("analyst", "trip_staff", "trip_staff.bpmn", bpmn.replace('name="unit_head"', 'name="boss"'))
    report = drafts.validate("analyst", "trip_staff")
    assert not report.ok and any("boss" in p.en for p in report.problems)
    with pytest.raises(DefinitionInvalid):
        drafts.deploy("analyst", "trip_staff", failed_scenarios=[], reason="无论如何")


def test_only_analysts_edit(shipped):
    drafts, version_id = shipped
    for who in ("auditor", "fao_clerk", "admin"):
        with pytest.raises(Forbidden):
            drafts.open(who, version_id)
    first = drafts.open("analyst", version_id)
    assert drafts.open("analyst", version_id).id == first.id  # the same version: the same draft back
    drafts.discard("analyst", "trip_staff")
    assert drafts.get("analyst", "trip_staff") is None
