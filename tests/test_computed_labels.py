"""Every value a shipped process writes into a case has a name in Chinese and English, and the coded
ones show their label: the scenarios of every process run on the shipped definitions, then each
top-level key of each case's data is looked up as the case page looks it up."""

from __future__ import annotations

from sqlalchemy import select

from engine.queries.labels import field_labels
from engine.scenarios import run_files
from engine.scenarios.databases import REPO_ROOT
from engine.storage.models import Case, DefinitionVersion

SCENARIOS = [REPO_ROOT / "processes" / "scenarios" / f"{name}.toml" for name in (
    "trip_staff_happy", "trip_staff_visa_refused_cancelled", "trip_leader_province_approved",
    "invitation_general_issued", "invitation_official_checkout_overdue", "invitation_official_other_redirected",
    "journalist_interview_consent_only", "ngo_activity_emergency_relief", "post_trip_findings",
    "passport_visa_standalone", "sister_city_approved",
    "post_trip_unit_held")]  # last: it holds the unit's new applications
CODED = ("outcome", "post_trip_result", "arrangement", "pt_close_decision", "pv_check_decision")


def test_every_key_the_processes_write_has_a_name_in_both_languages(shipped, db_url, db):
    assert all(result.ok for result in run_files(SCENARIOS, url=db_url))
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
