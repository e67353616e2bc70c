"""The partner-city register (engine/partners): entered by an approved sister_city case in that
case's own command, kept by FAO clerks, read by the FAO's staff, refused to everyone else with a
message, and its next 10-year anniversary."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from engine.audit.verify import verify
from engine.errors import Forbidden, InvalidInput
from engine.partners.anniversary import next_anniversary
from engine.partners.options import OPTIONS_KEY, partner_options
from engine.partners.register import create_partner, get_partner, list_partners, update_partner
from engine.runtime.service import CaseService
from engine.scenarios import parse_scenario, run_scenario
from engine.storage.models import AuditEvent
from engine.storage.partner_models import PartnerCity
from tests.conftest import TESTS
from tests.helpers import open_item
from tests.partners.conftest import SPECS

SCENARIOS = TESTS.parent / "processes" / "scenarios"
AT = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
SIGNED_AT = datetime(2026, 4, 23, 2, 0, tzinfo=UTC)
AKITA = {"kind": "sister_city", "name_zh": "秋田市", "name_foreign": "Akita", "country": "JP", "since": "1982-05-18",
         "agreement_on_file": True, "agreement_ref": "档案 YC-1982-01", "note": "[S51]"}


def _run(db, name: str, steps: int | None = None):
    path = SCENARIOS / f"{name}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    if steps is not None:
        raw["steps"] = raw["steps"][:steps]
        raw.pop("expect", None)
    result = run_scenario(parse_scenario(raw, source=path), db, specs=SPECS, lang="en")
    assert result.ok, result.report("en")
    return result.case_id


def _rows(db) -> list[PartnerCity]:
    with db.read() as s:
        return list(s.scalars(select(PartnerCity).order_by(PartnerCity.id)))


def test_an_approved_sister_city_case_enters_the_partner_in_its_own_command(shipped_db):
    case_id = _run(shipped_db, "sister_city_approved", steps=9)  # up to CPAFFC's confirmation
    assert _rows(shipped_db) == []
    raw = tomllib.loads((SCENARIOS / "sister_city_approved.toml").read_text(encoding="utf-8"))
    signing = raw["steps"][9]
    item = open_item(shipped_db, case_id, "ut_record_signing")
    CaseService(shipped_db).complete_task("fao_clerk", case_id, item.task_id, signing["data"],
                                          expected_version=item.version, at=SIGNED_AT)
    [row] = _rows(shipped_db)
    assert (row.kind, row.name_zh, row.name_foreign, row.country, row.since) == (
        "sister_city", "新潟市", "Niigata", "JP", date(2026, 4, 22))
    assert row.agreement_on_file and row.agreement_ref == "档案 YC-2026-01" and row.case_id == case_id
    assert "兰外请〔2026〕" in row.note and "SC05" in row.note
    # The register write is recorded in the case's own event (an outside call), and replays.
    with shipped_db.read() as s:
        last = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                         .order_by(AuditEvent.seq.desc())).first()
        assert any(c["op"] == "register_partner" and c["value"] == row.id for c in last.payload["effects"])
    assert verify(shipped_db, case_id).ok


def test_a_friendship_exchange_case_enters_that_kind_and_a_rejected_one_enters_nothing(shipped_db):
    _run(shipped_db, "sister_city_government_rejects")
    assert _rows(shipped_db) == []
    _run(shipped_db, "sister_city_one_to_one")
    [row] = _rows(shipped_db)
    assert (row.kind, row.name_foreign) == ("friendship_exchange", "Nagaoka")


def test_fao_clerk_creates_and_edits_with_a_system_event(shipped_db):
    pid = create_partner(shipped_db, "fao_clerk", AKITA, at=AT)
    update_partner(shipped_db, "fao_clerk", pid, {**AKITA, "agreement_ref": "档案 YC-1982-02"}, at=AT)
    got = get_partner(shipped_db, "section_chief", pid)
    assert (got.agreement_ref, got.updated_by, got.kind_label("en")) == ("档案 YC-1982-02", "fao_clerk", "Sister city")
    assert [p.name_zh for p in list_partners(shipped_db, "fao_director")] == ["秋田市"]
    with shipped_db.read() as s:
        commands = s.scalars(select(AuditEvent.command).where(AuditEvent.case_id.is_(None))).all()
        assert commands[-2:] == ["partner_create", "partner_update"]
        assert partner_options(s) == [{"label": "秋田市（Akita，JP）· 友好城市", "value": "JP:Akita"}]


@pytest.mark.parametrize("username", ["clerk_commerce", "section_chief", "auditor"])
def test_only_an_fao_clerk_edits(shipped_db, username):
    with pytest.raises(Forbidden) as err:
        create_partner(shipped_db, username, AKITA, at=AT)
    assert err.value.text("zh") in ("只有外办经办人可以修改友好城市名录", "审计人员只能查看，不能更改任何内容")
    pid = create_partner(shipped_db, "fao_clerk", AKITA, at=AT)
    with pytest.raises(Forbidden):
        update_partner(shipped_db, username, pid, {**AKITA, "note": "改"}, at=AT)
    assert _rows(shipped_db)[0].note == "[S51]"


def test_a_unit_clerk_may_not_read_the_register(shipped_db):
    with pytest.raises(Forbidden) as err:
        list_partners(shipped_db, "clerk_commerce")
    assert err.value.text("en") == "Only the Foreign Affairs Office's staff may view the partner-city register"
    assert list_partners(shipped_db, "auditor") == []


def test_bad_input_names_every_field_and_changes_nothing(shipped_db):
    bad = {"kind": "twin", "name_zh": "", "name_foreign": "x" * 201, "country": "JPN", "since": "2030-01-01",
           "agreement_on_file": True, "agreement_ref": ""}
    with pytest.raises(InvalidInput) as err:
        create_partner(shipped_db, "fao_clerk", bad, at=AT)
    assert set(err.value.field_errors) == {"kind", "name_zh", "name_foreign", "country", "since", "agreement_ref"}
    assert err.value.field_errors["country"].zh == "请从列表中选择国家（地区）"
    create_partner(shipped_db, "fao_clerk", AKITA, at=AT)
    with pytest.raises(InvalidInput) as err:  # one-to-one: the same foreign city twice
        create_partner(shipped_db, "fao_clerk", {**AKITA, "kind": "friendship_exchange"}, at=AT)
    assert "已在名录中" in err.value.field_errors["name_foreign"].zh
    assert len(_rows(shipped_db)) == 1


@pytest.mark.parametrize(("since", "today", "expected"), [
    (date(1982, 5, 18), date(2026, 12, 7), date(2032, 5, 18)),   # 50th
    (date(1982, 5, 18), date(2032, 5, 18), date(2032, 5, 18)),   # on the day itself
    (date(1982, 5, 18), date(2032, 5, 19), date(2042, 5, 18)),
    (date(2026, 4, 22), date(2026, 4, 22), date(2036, 4, 22)),   # the 10th, never the 0th
    (date(2016, 2, 29), date(2026, 1, 1), date(2026, 2, 28)),    # leap day in a common year
    (date(2016, 2, 29), date(2036, 1, 1), date(2036, 2, 29)),
])
def test_next_round_anniversary(since, today, expected):
    assert next_anniversary(since, today) == expected


def test_the_trip_form_offers_the_register_and_refuses_other_values(shipped_db):
    from engine.forms.validate import validate_submission
    from engine.partners.options import form_context

    create_partner(shipped_db, "fao_clerk", AKITA, at=AT)
    with shipped_db.read() as s:
        from engine.definitions.cache import SpecCache
        from engine.storage.models import DefinitionVersion
        version = s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.process_id == "trip_staff"))
        form = SpecCache().form_for(s, version, "trip_staff_apply")
        context = form_context(s, {})
    [f] = [f for f in form.walk() if f.key == "partner_city"]
    assert [o.value for o in f.options_in(context)] == ["JP:Akita"]
    assert OPTIONS_KEY in context and not f.required
    with pytest.raises(InvalidInput) as err:
        validate_submission(form, {"partner_city": "US:Nowhere"}, context=context, today=date(2026, 3, 2))
    assert "partner_city" in err.value.field_errors
