"""The analyst's workspace through the web app: the process list, a version's files and zip,
a draft edited without JavaScript, validation, scenario runs, deploy, and migration."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from engine.definitions.deploy import deploy_paths
from engine.storage.models import Case, DefinitionVersion
from tests.conftest import T0
from tests.helpers import Walker, get_case
from tests.web.conftest import flashes


@pytest.fixture
def v1(db):
    with db.read() as s:
        return s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.process_id == "test_approval"))


def test_only_analysts_open_the_workspace(make_web, v1):
    for who in ("auditor", "fao_clerk", "clerk_commerce", "admin"):
        assert make_web(who).get("/definitions").status_code == 403, who
    page = make_web("analyst").get("/definitions").get_data(as_text=True)
    assert 'data-testid="versions-test_approval"' in page and 'data-version="1"' in page


def test_version_page_files_and_zip(make_web, v1):
    analyst = make_web("analyst")
    page = analyst.get(f"/definitions/versions/{v1}").get_data(as_text=True)
    assert "test_approval.bpmn" in page and "test_level.dmn" in page
    assert 'data-testid="rule-table"' in page and 'data-testid="version-forms"' in page  # read on the page
    assert "test_apply" in page and 'data-rule="r1"' in page
    one = analyst.get(f"/definitions/versions/{v1}/files/bpmn/test_approval.bpmn")
    assert one.status_code == 200 and b"test_approval" in one.data
    archive = zipfile.ZipFile(io.BytesIO(analyst.get(f"/definitions/versions/{v1}.zip").data))
    assert sorted(n.split("/", 1)[1] for n in archive.namelist()) == [
        "forms/test_apply.form", "forms/test_budget.form", "forms/test_decide.form",
        "processes/test_approval.bpmn", "processes/test_level.dmn"]


def test_a_draft_edited_without_javascript_validates_and_deploys(make_web, v1, db):
    analyst = make_web("analyst")
    opened = analyst.post(f"/definitions/versions/{v1}/draft")
    assert opened.headers["Location"].endswith("/drafts/test_approval")
    page = analyst.get("/drafts/test_approval?file=bpmn:test_approval.bpmn").get_data(as_text=True)
    assert "单位负责人审核" in page
    bpmn = db.read().__enter__().scalar(select(DefinitionVersion).where(DefinitionVersion.id == v1)).files
    text = next(f.blob.content for f in bpmn if f.name == "test_approval.bpmn").decode()
    saved = analyst.post("/drafts/test_approval/files", {"key": "bpmn:test_approval.bpmn", "name": "test_approval.bpmn",
                                                          "content": text.replace("单位负责人审核", "单位负责人审签")},
                         follow=True).get_data(as_text=True)
    assert "单位负责人审签" in saved
    report = analyst.post("/drafts/test_approval/validate", {"key": "bpmn:test_approval.bpmn"}).get_data(as_text=True)
    assert 'data-ok="true"' in report
    broken = text.replace('name="unit_head"', 'name="boss"')
    analyst.post("/drafts/test_approval/files", {"name": "test_approval.bpmn", "content": broken})
    report = analyst.post("/drafts/test_approval/validate").get_data(as_text=True)
    assert 'data-ok="false"' in report and 'data-element="ut_head"' in report
    refused = analyst.post("/drafts/test_approval/deploy", {"reason": ""}, follow=True).get_data(as_text=True)
    assert any("未通过" in f or "problems" in f for f in flashes(refused))
    analyst.post("/drafts/test_approval/files", {"name": "test_approval.bpmn",
                                                 "content": text.replace("单位负责人审核", "单位负责人审签")})
    done = analyst.post("/drafts/test_approval/deploy", {"reason": ""}, follow=True).get_data(as_text=True)
    assert any("test_approval v2" in f for f in flashes(done))
    hostile = analyst.post("/drafts/test_approval/files", {"name": "x.bpmn", "content": "<!DOCTYPE x><x/>"})
    assert hostile.status_code == 404 or hostile.status_code == 303  # the draft is gone after the deploy


def test_migration_page_dry_run_and_migrate(make_web, v1, service, db, tmp_path):
    early = Walker(service, T0)
    early.start()
    late = Walker(service, T0.replace(hour=3))
    late.start()
    late.apply()
    late.complete("ut_head", decision="approve")
    import shutil

    from tests.conftest import TEST_PROCESSES

    shutil.copytree(TEST_PROCESSES, tmp_path / "v2")
    path = tmp_path / "v2" / "test_approval.bpmn"
    path.write_text(path.read_text().replace("单位负责人审核", "单位负责人审签"))
    deploy_paths(db, [tmp_path / "v2"], actor="analyst")
    with db.read() as s:
        v2 = s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.version == 2))
    analyst = make_web("analyst")
    page = analyst.get(f"/definitions/versions/{v1}/migrate?to={v2}").get_data(as_text=True)
    assert f'data-case="{early.case_id}" data-safe="true"' in page
    assert f'data-case="{late.case_id}" data-safe="false"' in page and "单位负责人审核" in page
    analyst.post(f"/definitions/versions/{v1}/migrate", {"to": str(v2), "case": [str(early.case_id),
                                                                                   str(late.case_id)]})
    assert get_case(db, early.case_id).version_id == v2 and get_case(db, late.case_id).version_id == v1
    with db.read() as s:
        assert s.scalar(select(Case.seq).where(Case.id == early.case_id)) == 2


def test_compare_page_lists_what_changed_and_the_cases_it_touches(make_web, v1, service, db, tmp_path):
    import shutil

    from tests.conftest import TEST_PROCESSES

    late = Walker(service, T0)
    late.start()
    late.apply()
    late.complete("ut_head", decision="approve")
    shutil.copytree(TEST_PROCESSES, tmp_path / "v2")
    path = tmp_path / "v2" / "test_approval.bpmn"
    path.write_text(path.read_text().replace("单位负责人审核", "单位负责人审签"))
    deploy_paths(db, [tmp_path / "v2"], actor="analyst")
    with db.read() as s:
        v2 = s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.version == 2))
    page = make_web("analyst").get(f"/definitions/compare?a={v1}&b={v2}").get_data(as_text=True)
    assert 'data-change="changed" data-element="ut_head"' in page and "单位负责人审签" in page
    assert f'data-case="{late.case_id}"' in page


def test_the_impact_of_a_draft_lists_the_changes_and_the_cases_they_touch(make_web, v1, service, db):
    late = Walker(service, T0)
    late.start()
    late.apply()
    analyst = make_web("analyst")
    analyst.post(f"/definitions/versions/{v1}/draft")
    with db.read() as s:
        files = s.get(DefinitionVersion, v1).files
        text = next(f.blob.content for f in files if f.name == "test_approval.bpmn").decode()
    analyst.post("/drafts/test_approval/files", {"name": "test_approval.bpmn",
                                                 "content": text.replace("单位负责人审核", "单位负责人审签")})
    page = analyst.post("/drafts/test_approval/impact").get_data(as_text=True)
    assert 'data-testid="draft-impact"' in page and 'data-change="changed" data-element="ut_head"' in page
    assert f'data-case="{late.case_id}"' in page and "ut_head" in page
    assert "没有规则行被修改" in page or "No rule row changed." in page
    assert make_web("fao_clerk").post("/drafts/test_approval/impact").status_code == 403
