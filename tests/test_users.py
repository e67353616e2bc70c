"""User administration commands (engine/users.py) and office tables (engine/office/admin.py): admin
only, one system event each, nothing written on refusal; signing in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import users
from engine.audit.chain import chain_length
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.office import admin as office
from engine.storage.models import User


def _system(db) -> int:
    with db.read() as s:
        return chain_length(s, "system")


def test_only_administrators_administer(db):
    before = _system(db)
    with pytest.raises(Forbidden) as err:
        users.create_user(db, "fao_director", username="x_user", display_name="X", password="long-enough")
    assert err.value.text("en") == "Only an administrator may do this"
    for command in (lambda: users.set_roles(db, "clerk_commerce", "clerk_commerce", ["admin"]),
                    lambda: users.deactivate(db, "auditor", "clerk_commerce"),
                    lambda: users.reset_password(db, "analyst", "admin", "taken-over!"),
                    lambda: office.create_unit(db, "fao_clerk", code="culture", name_zh="文化", name_en="Culture"),
                    lambda: office.put_setting(db, "section_chief", "trip_report_days", "1")):
        with pytest.raises(Forbidden):
            command()
    assert _system(db) == before
    # The system itself (CLI, migrations) may.
    users.create_user(db, "system", username="x_user", display_name="X", password="long-enough")
    assert _system(db) == before + 1


def test_deactivated_admin_cannot_administer(db):
    users.create_user(db, "admin", username="admin2", display_name="二号管理员", password="long-enough",
                      roles=["admin"])
    users.deactivate(db, "admin", "admin2")
    with pytest.raises(Forbidden):
        users.reactivate(db, "admin2", "admin2")


def test_update_user_writes_only_real_changes(db):
    before = _system(db)
    assert users.set_unit(db, "admin", "clerk_commerce", "commerce") == {}
    assert _system(db) == before
    changes = users.set_roles(db, "admin", "clerk_commerce", ["unit_clerk", "unit_head", "unit_clerk"])
    assert changes == {"roles": [["unit_clerk"], ["unit_clerk", "unit_head"]]}
    assert _system(db) == before + 1
    with pytest.raises(InvalidInput) as err:
        users.set_unit(db, "admin", "clerk_commerce", None)
    assert "unit_code" in err.value.field_errors
    with pytest.raises(InvalidInput):
        users.set_unit(db, "admin", "clerk_commerce", "atlantis")
    with pytest.raises(NotFound):
        users.set_display_name(db, "admin", "ghost", "Ghost")
    assert _system(db) == before + 1


def test_authenticate(db):
    assert users.authenticate(db, "clerk_commerce", "waishi-demo").status == "ok"
    assert users.authenticate(db, " Clerk_Commerce ", "waishi-demo").status == "ok"
    assert users.authenticate(db, "clerk_commerce", "wrong").status == "bad"
    assert users.authenticate(db, "nobody", "waishi-demo").status == "bad"
    assert users.authenticate(db, "clerk_commerce", "").status == "bad"
    assert users.authenticate(db, "clerk_commerce", "x" * 10_000).status == "bad"
    users.deactivate(db, "admin", "clerk_commerce")
    assert users.authenticate(db, "clerk_commerce", "waishi-demo").status == "inactive"
    assert users.authenticate(db, "clerk_commerce", "wrong").status == "bad"
    with db.read() as s:
        assert s.scalar(select(User.active).where(User.username == "clerk_commerce")) is False


def test_setting_values_are_checked_against_their_defaults():
    assert office.parse_setting("trip_report_days", " 45 ") == 45
    assert office.parse_setting("approval_escalate_after", "PT36H") == "PT36H"
    assert office.parse_setting("number_format.trip_batch", "兰外〔{year}〕{n}号") == "兰外〔{year}〕{n}号"
    for key, raw in (("trip_report_days", "-1"), ("trip_report_days", "ten"), ("approval_escalate_after", "P"),
                     ("approval_escalate_after", "3 days"), ("number_format.trip_batch", "no-number"),
                     ("no_such_setting", "1")):
        with pytest.raises(InvalidInput):
            office.parse_setting(key, raw)
