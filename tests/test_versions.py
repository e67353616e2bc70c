"""Deploying definitions: content-addressed versions, cases pinned to theirs, schema in sync."""

from __future__ import annotations

import shutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from engine.audit.verify import verify
from engine.definitions.deploy import deploy_paths
from engine.errors import DefinitionInvalid
from engine.storage.models import Base, DefinitionVersion
from tests.conftest import T0, TEST_PROCESSES
from tests.helpers import Walker, get_case, open_items


def _versions(db):
    with db.read() as s:
        return [(v.process_id, v.version, v.content_hash) for v in
                s.scalars(select(DefinitionVersion).order_by(DefinitionVersion.id))]


def _copy(tmp_path):
    target = tmp_path / "defs"
    shutil.copytree(TEST_PROCESSES, target)
    return target


def test_same_content_same_version_changed_content_next_version(db, tmp_path):
    defs = _copy(tmp_path)
    first = deploy_paths(db, [defs]).deployed
    assert [(d.process_id, d.version, d.created) for d in first] == [("test_approval", 1, True)]
    again = deploy_paths(db, [defs]).deployed
    assert [(d.version, d.created, d.content_hash) for d in again] == [(1, False, first[0].content_hash)]
    # An unrelated file does not change the process's closure, so not its version either.
    (defs / "unrelated.form").write_text('{"type": "default", "id": "unrelated", "components": []}')
    assert deploy_paths(db, [defs]).deployed[0].version == 1
    # A changed decision table does.
    dmn = defs / "test_level.dmn"
    dmn.write_text(dmn.read_text().replace("'leader'", "'mayor'"))
    changed = deploy_paths(db, [defs]).deployed
    assert [(d.version, d.created) for d in changed] == [(2, True)]
    assert len(_versions(db)) == 2


def test_running_cases_stay_on_their_version(deployed, tmp_path):
    from engine.runtime.service import CaseService

    service = CaseService(deployed)
    w = Walker(service, T0)
    old_case = w.start()
    defs = _copy(tmp_path)
    bpmn = defs / "test_approval.bpmn"
    # Version 2 drops the unit head's review: the apply task leads straight to the split.
    text = bpmn.read_text().replace('<bpmn:sequenceFlow id="f4" sourceRef="brt_level" targetRef="ut_head"/>',
                                    '<bpmn:sequenceFlow id="f4" sourceRef="brt_level" targetRef="gw_split"/>')
    text = text.replace('<bpmn:sequenceFlow id="f_head_ok" sourceRef="gw_head" targetRef="gw_split"/>',
                        '<bpmn:sequenceFlow id="f_head_ok" sourceRef="gw_head" targetRef="end_rejected"/>')
    bpmn.write_text(text)
    assert deploy_paths(deployed, [defs]).deployed[0].version == 2
    w.apply()
    assert open_items(deployed, old_case) == ["ut_head"]  # still version 1
    new_case = w.start()
    w.apply()
    assert open_items(deployed, new_case) == ["ut_budget", "ut_review"]
    assert get_case(deployed, old_case).version_id != get_case(deployed, new_case).version_id
    assert verify(deployed).ok


def test_invalid_bundle_is_refused_and_nothing_is_stored(db, tmp_path):
    defs = _copy(tmp_path)
    bpmn = defs / "test_approval.bpmn"
    bpmn.write_text(bpmn.read_text().replace("decision == 'return'", "decision ==== 'return'")
                    .replace('name="fao_clerk"', 'name="clerks"'))
    with pytest.raises(DefinitionInvalid) as err:
        deploy_paths(db, [defs])
    codes = {p.code for p in err.value.problems}
    assert {"expression", "lane"} <= codes, codes
    assert all(p.zh and p.en for p in err.value.problems)
    assert _versions(db) == []


def test_migrations_match_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # SQLite reports no server-side type details for JSON/booleans; ignore pure type noise.
    meaningful = [d for d in diff if d[0] not in ("modify_type", "modify_default")]
    assert meaningful == []
