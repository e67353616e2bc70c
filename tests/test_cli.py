"""The `waishi` command line, end to end against the test database."""

from __future__ import annotations

from click.testing import CliRunner

from engine.cli import main
from tests.conftest import T0, TEST_PROCESSES
from tests.helpers import Walker, _bypass_triggers_for_cli


def run(db_url, *args):
    result = CliRunner().invoke(main, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_deploy_cases_and_verify(db_url, tmp_path):
    code, out = run(db_url, "validate", str(TEST_PROCESSES))
    assert code == 0 and "test_approval" in out
    bad = tmp_path / "bad.bpmn"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    code, out = run(db_url, "--lang", "en", "validate", str(bad))
    assert code == 1 and "DOCTYPE" in out
    code, out = run(db_url, "deploy", str(TEST_PROCESSES))
    assert code == 0 and "test_approval v1" in out and "(new)" in out
    code, out = run(db_url, "deploy", str(TEST_PROCESSES))
    assert code == 0 and "(unchanged)" in out


def test_case_listing_and_audit_verify(service, db_url):
    w = Walker(service, T0)
    case_id = w.start()
    w.apply()
    code, out = run(db_url, "cases")
    assert code == 0 and "test_approval" in out and "running" in out
    code, out = run(db_url, "case", str(case_id))
    assert code == 0 and "ut_head" in out and "complete" in out
    code, out = run(db_url, "audit", "verify", "--all")
    assert code == 0 and "OK" in out
    _bypass_triggers_for_cli(service.db, case_id)
    code, out = run(db_url, "audit", "verify", str(case_id))
    assert code == 1 and "BROKEN" in out


def test_worker_once_fires_due_timers(service, db_url):
    w = Walker(service, T0)
    w.start()
    w.apply()
    w.complete("ut_head", decision="approve")
    w.complete("ut_budget", budget_ok="ok")
    w.complete("ut_review", decision="approve")
    code, out = run(db_url, "worker", "--once")  # the real clock is long past the test's T0 + 5 days
    assert code == 0 and f"[{w.case_id}]" in out
