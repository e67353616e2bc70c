"""Every value a shipped process writes into a case has a name in Chinese and English, and the coded
ones show their label: the scenarios of every process run on the shipped definitions, then each
top-level key of each case's data is looked up as the case page looks it up."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.queries.labels import field_labels
from engine.scenarios import run_files
from engine.scenarios.databases import REPO_ROOT
from engine.storage.models import Case, DefinitionVersion

SCENARIOS = [REPO_ROOT / "processes" / "scenarios" / f"{name}.toml" for name in (
    "trip_staff_happy", "trip_staff_visa_refused_cancelled", "trip_leader_province_approved",
    "invitation_general_issued", "invitation_official_checkout_overdue", "invitation_official_other_redirected",
    "journalist_interview_consent_only", "ngo_activity_emergency_relief", "post_trip_findings",
    "passport_visa_standalone", "sister_city_approved", "trip_staff_over_limit_all_rejected",
    "post_trip_unit_held")]  # last: it holds the unit's new applications
CODED = ("outcome", "post_trip_result", "arrangement", "pt_close_decision", "pv_check_decision")


def test_every_key_the_processes_write_has_a_name_in_both_languages(shipped, db_url, db):
    results = run_files(SCENARIOS, url=db_url)
    assert all(r.ok for r in results), "\n".join(r.report("en") for r in results if not r.ok)
    unnamed: dict[str, set[str]] = {}
    with db.read() as s:
        rows = s.execute(select(Case, DefinitionVersion.content_hash)
                         .join(DefinitionVersion, DefinitionVersion.id == Case.version_id)).all()
        assert len({case.process_id for case, _ in rows}) >= 9
        for case, content_hash in rows:
            labels = field_labels(s, case.version_id, content_hash)
            for key, value in case.data.items():
                label = labels.fields.get(key) or labels.computed.get(key)
                if label is None or not label.zh or not label.en:
                    unnamed.setdefault(key, set()).add(case.process_id)
                if key in CODED and isinstance(value, str) and value:
                    option = labels.options.get(key, {}).get(value)
                    assert option is not None and option.zh and option.en, (key, value)
                    assert option.zh != value
    assert not unnamed, " ".join(sorted(unnamed))


def _walk_values(key, value, seen_keys, codes):
    """Every key of a nested mapping (at any depth) and every code-like string with the key it sits under."""
    if isinstance(value, dict):
        for k, v in value.items():
            seen_keys.add(k)
            _walk_values(k, v, seen_keys, codes)
    elif isinstance(value, list):
        for v in value:
            _walk_values(key, v, seen_keys, codes)
    elif isinstance(value, str) and CODE.fullmatch(value):
        codes.add((key, value))


CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def test_nested_keys_and_coded_values_have_names(shipped, db_url, db):
    """Inside lists and objects too (members, reasons, documents): every key is named in both languages
    and every code-like value shows a label, as the case page's data_value macro looks them up."""
    results = run_files(SCENARIOS, url=db_url)
    assert all(r.ok for r in results), "\n".join(r.report("en") for r in results if not r.ok)
    unnamed: dict[str, set[str]] = {}
    raw: dict[str, set[str]] = {}
    with db.read() as s:
        rows = s.execute(select(Case, DefinitionVersion.content_hash)
                         .join(DefinitionVersion, DefinitionVersion.id == Case.version_id)).all()
        for case, content_hash in rows:
            labels = field_labels(s, case.version_id, content_hash)
            keys: set[str] = set()
            codes: set[tuple[str, str]] = set()
            for key, value in case.data.items():
                _walk_values(key, value, keys, codes)
            for key in keys:
                label = labels.fields.get(key) or labels.computed.get(key)
                if label is None or not label.zh or not label.en:
                    unnamed.setdefault(key, set()).add(case.process_id)
            for key, value in codes:
                option = labels.options.get(key, {}).get(value)
                if option is None or not option.zh or not option.en:
                    raw.setdefault(f"{key}={value}", set()).add(case.process_id)
    assert not unnamed, "unnamed keys: " + " ".join(sorted(unnamed))
    assert not raw, "codes without a label: " + " ".join(f"{k}({','.join(sorted(v))})" for k, v in sorted(raw.items()))
