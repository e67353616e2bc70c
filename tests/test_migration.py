"""Moving running cases to a newer version: the dry run, each refused reason, the migrate
command with its audit event, and verification replaying across the migration."""

from __future__ import annotations

import shutil

import pytest

from engine.audit.verify import verify
from engine.authoring.migrate import dry_run, migrate_case
from engine.definitions.deploy import deploy_paths
from engine.errors import Conflict, Forbidden
from engine.storage.models import DefinitionVersion
from tests.conftest import T0, TEST_PROCESSES
from tests.helpers import Walker, events, get_case, open_items


def deploy_changed(db, tmp_path, *replacements: tuple[str, str]) -> int:
    """Deploy test_approval with its BPMN edited; returns the new version's id."""
    folder = tmp_path / f"v{len(list(tmp_path.iterdir()))}"
    shutil.copytree(TEST_PROCESSES, folder)
    path = folder / "test_approval.bpmn"
    text = path.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    result = deploy_paths(db, [folder], actor="analyst")
    [deployed] = [d for d in result.deployed if d.process_id == "test_approval"]
    with db.read() as s:
        return s.query(DefinitionVersion.id).filter_by(process_id="test_approval", version=deployed.version).scalar()


@pytest.fixture
def two_cases(service):
    early = Walker(service, T0)
    early.start()  # at ut_apply
    late = Walker(service, T0.replace(hour=3))
    late.start()
    late.apply()
    late.complete("ut_head", decision="approve")  # past ut_head, at budget ∥ review
    return early, late


RENAME_HEAD = ('<bpmn:userTask id="ut_head" name="单位负责人审核"', '<bpmn:userTask id="ut_head" name="单位负责人审签"')


def test_dry_run_says_who_migrates_and_why_not(service, two_cases, tmp_path):
    early, late = two_cases
    v1 = get_case(service.db, early.case_id).version_id
    v2 = deploy_changed(service.db, tmp_path, RENAME_HEAD)
    checks = {c.case_id: c for c in dry_run(service, "analyst", v1, v2)}
    assert checks[early.case_id].safe and "ut_head" in checks[early.case_id].plan.touched_later
    refused = checks[late.case_id]
    assert not refused.safe
    [reason] = refused.plan.refusals
    assert reason.element_id == "ut_head" and reason.reason == "changed"
    assert "单位负责人审核" in reason.message_zh and "changed" in reason.message_en
    assert len(events(service.db, late.case_id)) == 3  # a dry run changes nothing


def test_migrate_then_finish_on_the_new_version_and_verify(service, two_cases, tmp_path):
    early, late = two_cases
    v1 = get_case(service.db, early.case_id).version_id
    v2 = deploy_changed(service.db, tmp_path, RENAME_HEAD)
    migrate_case(service, "analyst", early.case_id, v2, at=T0.replace(hour=5))
    case = get_case(service.db, early.case_id)
    assert case.version_id == v2 and events(service.db, early.case_id)[-1].command == "migrate"
    assert events(service.db, early.case_id)[-1].payload["from_version_id"] == v1
    early.now = T0.replace(hour=6)
    early.apply()
    early.complete("ut_head", decision="approve")
    assert open_items(service.db, early.case_id) == ["ut_budget", "ut_review"]
    report = verify(service.db, early.case_id)
    assert report.ok, report.findings
    with pytest.raises(Conflict) as refused:
        migrate_case(service, "analyst", late.case_id, v2)
    assert "单位负责人审核" in str(refused.value)
    assert get_case(service.db, late.case_id).version_id == v1 and verify(service.db).ok


def test_a_replaced_element_the_case_is_at_is_refused(service, two_cases, tmp_path):
    early, late = two_cases
    v1 = get_case(service.db, early.case_id).version_id
    # ut_budget is replaced by ut_budget2 in the same place: SpiffWorkflow aligns the two by their
    # neighbours and calls it changed; the late case is at it, the early case has not reached it.
    v2 = deploy_changed(service.db, tmp_path, ('"ut_budget"', '"ut_budget2"'), (">ut_budget<", ">ut_budget2<"))
    checks = {c.case_id: c for c in dry_run(service, "analyst", v1, v2)}
    refusals = checks[late.case_id].plan.refusals
    assert {r.element_id for r in refusals} == {"ut_budget", "gw_split"} and {r.reason for r in refusals} == {"changed"}
    assert checks[early.case_id].safe


def test_only_analysts_migrate_and_only_within_a_process(service, two_cases, tmp_path):
    early, _ = two_cases
    v2 = deploy_changed(service.db, tmp_path, RENAME_HEAD)
    for who in ("auditor", "fao_clerk", "clerk_commerce"):
        with pytest.raises(Forbidden):
            migrate_case(service, who, early.case_id, v2)
    with pytest.raises(Exception) as same:
        migrate_case(service, "analyst", early.case_id, get_case(service.db, early.case_id).version_id)
    assert "already" in str(same.value)
