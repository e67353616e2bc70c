"""Administration through the web pages: every change is one event on the system audit chain,
bad input is explained and changes nothing, and the chain still verifies afterwards."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.audit.verify import verify
from engine.office import settings, workdays
from engine.storage.models import AuditEvent, Holiday, Setting, Unit, User
from tests.web.conftest import flashes


def _system_events(db) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.chain == "system").order_by(AuditEvent.seq)))


def _user(db, username: str) -> User | None:
    with db.read() as s:
        return s.scalar(select(User).where(User.username == username))


def test_create_edit_deactivate_and_reset_write_one_system_event_each(db, make_web):
    admin = make_web("admin")
    before = len(_system_events(db))

    response = admin.post("/admin/users/new", {"username": "Clerk_Culture", "display_name": "文化局经办",
                                               "unit_code": "education", "roles": ["unit_clerk"],
                                               "password": "culture-pass-1"})
    assert response.status_code == 303
    created = _user(db, "clerk_culture")
    assert created is not None and created.role_codes == {"unit_clerk"} and created.unit_code == "education"
    events = _system_events(db)[before:]
    assert [e.command for e in events] == ["create_user"]
    assert events[0].actor == "admin" and events[0].payload["username"] == "clerk_culture"
    assert "culture-pass-1" not in str(events[0].payload) and "scrypt" not in str(events[0].payload)
    assert make_web("clerk_culture", "culture-pass-1").get("/").status_code == 200

    # One form, three changes: one event listing them.
    response = admin.post("/admin/users/clerk_culture", {"display_name": "文化局经办（新）", "unit_code": "commerce",
                                                         "roles": ["unit_clerk", "unit_head"]})
    assert response.status_code == 303
    events = _system_events(db)[before:]
    assert [e.command for e in events] == ["create_user", "update_user"]
    assert events[1].payload["changes"] == {
        "display_name": ["文化局经办", "文化局经办（新）"], "unit_code": ["education", "commerce"],
        "roles": [["unit_clerk"], ["unit_clerk", "unit_head"]],
    }
    # Saving the same values again changes nothing and writes nothing.
    admin.post("/admin/users/clerk_culture", {"display_name": "文化局经办（新）", "unit_code": "commerce",
                                              "roles": ["unit_clerk", "unit_head"]})
    assert len(_system_events(db)[before:]) == 2

    admin.post("/admin/users/clerk_culture/password", {"password": "another-pass", "password_repeat": "another-pass"})
    admin.post("/admin/users/clerk_culture/deactivate")
    admin.post("/admin/users/clerk_culture/activate")
    events = _system_events(db)[before:]
    assert [e.command for e in events] == ["create_user", "update_user", "reset_password", "deactivate_user",
                                           "activate_user"]
    assert "another-pass" not in str([e.payload for e in events])
    assert make_web("clerk_culture", "another-pass").get("/").status_code == 200
    assert verify(db).ok


def test_bad_user_input_is_explained_and_changes_nothing(db, make_web):
    admin = make_web("admin")
    before = len(_system_events(db))
    cases = [
        ({"username": "clerk_commerce", "display_name": "x", "password": "long-enough"},
         "用户名 clerk_commerce 已被使用"),
        ({"username": "new_user", "display_name": "x", "password": "short"}, "密码至少 8 位"),
        ({"username": "new_user", "display_name": "x", "password": "long-enough", "roles": ["unit_clerk"]},
         "申请单位的角色须指定所属单位"),
        ({"username": "new_user", "display_name": "x", "password": "long-enough", "roles": ["pope"]}, "未知的角色"),
        ({"username": "bad name!", "display_name": "x", "password": "long-enough"}, "用户名须为"),
        ({"username": "new_user", "display_name": "", "password": "long-enough"}, "请填写姓名"),
    ]
    for data, message in cases:
        response = admin.post("/admin/users/new", data)
        assert response.status_code == 400, data
        page = response.get_data(as_text=True)
        assert message in page, message
        assert 'aria-invalid="true"' in page
    assert _user(db, "new_user") is None
    admin.english()
    page = admin.post("/admin/users/new", {"username": "new_user", "display_name": "x", "password": "short"})
    assert "The password needs at least 8 characters" in page.get_data(as_text=True)

    # Administrators cannot lock themselves out.
    page = admin.post("/admin/users/admin", {"display_name": "管理员", "unit_code": "fao", "roles": ["auditor"]})
    assert page.status_code == 400 and "You cannot remove your own administrator role" in page.get_data(as_text=True)
    page = admin.post("/admin/users/admin/deactivate", follow=True).get_data(as_text=True)
    assert "You cannot deactivate your own account" in flashes(page)
    page = admin.post("/admin/users/admin/password", {"password": "aaaaaaaa1", "password_repeat": "bbbbbbbb1"},
                      follow=True).get_data(as_text=True)
    assert "The two passwords differ." in flashes(page)
    assert len(_system_events(db)) == before
    assert admin.get("/admin/users/nobody").status_code == 404
    assert admin.post("/admin/users/nobody/deactivate").status_code == 404


def test_units_holidays_and_settings(db, make_web):
    admin = make_web("admin")
    before = len(_system_events(db))

    assert admin.post("/admin/units", {"code": "culture", "name_zh": "兰州市文化和旅游局",
                                       "name_en": "Lanzhou Bureau of Culture and Tourism"}).status_code == 303
    assert admin.post("/admin/units", {"code": "culture", "name_zh": "x", "name_en": "y"}).status_code == 400
    admin.post("/admin/units/commerce", {"name_zh": "兰州市商务局", "name_en": "Lanzhou Municipal Bureau of Commerce",
                                         "held": "1"})
    with db.read() as s:
        assert s.get(Unit, "culture").name_en == "Lanzhou Bureau of Culture and Tourism"
        assert s.get(Unit, "commerce").held is True

    # A day far beyond the official calendar: the fallback table decides it.
    day = date(2099, 10, 5)  # a Monday
    assert workdays.is_working_day(day)
    assert admin.post("/admin/holidays", {"day": day.isoformat(), "kind": "holiday", "note": "国庆"}).status_code == 303
    assert not workdays.is_working_day(day)
    assert admin.post("/admin/holidays", {"day": "2099-13-01", "kind": "holiday"}).status_code == 400
    page = admin.get("/admin/holidays").get_data(as_text=True)
    assert "2099-10-05" in page and "国庆" in page
    admin.post(f"/admin/holidays/{day.isoformat()}/delete")
    assert workdays.is_working_day(day)
    with db.read() as s:
        assert s.get(Holiday, day) is None

    response = admin.post("/admin/settings", {"trip_report_days": "45", "approval_remind_after": "P2D"})
    assert response.status_code == 303
    with db.read() as s:
        assert settings.get(s, "trip_report_days") == 45 and settings.get(s, "approval_remind_after") == "P2D"
    # One bad value: nothing is saved, each problem is shown.
    response = admin.post("/admin/settings", {"trip_report_days": "60", "approval_remind_after": "two days",
                                              "number_format.trip_batch": "no number"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "须为 ISO 8601 时长" in page and "文号格式须包含 {n}" in page
    with db.read() as s:
        assert settings.get(s, "trip_report_days") == 45
    # Back to the default: the override row goes away.
    admin.post("/admin/settings", {"trip_report_days": "30"})
    with db.read() as s:
        assert s.get(Setting, "trip_report_days") is None

    commands = [e.command for e in _system_events(db)[before:]]
    assert commands == ["create_unit", "update_unit", "put_holiday", "delete_holiday", "put_setting", "put_setting",
                        "put_setting"]
    assert verify(db).ok
