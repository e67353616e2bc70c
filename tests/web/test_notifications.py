"""The bell: unread counts per person (username, role, role within the unit), the list, and
marking read — per person, so one reader does not read it for the others."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from engine.storage.models import Notification
from tests.web.conftest import flashes


def _notify(db, **values) -> int:
    values.setdefault("kind", "info")
    values.setdefault("created_at", datetime.now(UTC))
    with db.transaction() as s:
        return s.execute(insert(Notification.__table__).values(**values).returning(Notification.id)).scalar_one()


def _unread(page: str) -> int:
    found = re.search(r'data-testid="unread-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def _ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="notification \w+" data-id="(\d+)"', page)]


def test_who_gets_which_notification_and_reading_them(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    from sqlalchemy import delete

    from engine.storage.models import Notification
    with db.transaction() as s:  # the case's automatic new-task notice is tested elsewhere
        s.execute(delete(Notification).where(Notification.kind == "task"))
    t = datetime.now(UTC)
    personal = _notify(db, username="clerk_commerce", case_id=case_id, kind="returned",
                       text_zh="您的申请被退回修改", text_en="Your application was returned", created_at=t)
    unit_role = _notify(db, role="unit_clerk", unit_code="commerce", text_zh="本单位新的出国申请已暂停受理",
                        text_en="New applications of your unit are on hold", created_at=t + timedelta(seconds=1))
    other_unit = _notify(db, role="unit_clerk", unit_code="education", text_zh="教育局通知", text_en="Education notice",
                         created_at=t + timedelta(seconds=2))
    office = _notify(db, role="fao_clerk", kind="escalation", text_zh="逾期待办已上报给您",
                     text_en="An overdue task was escalated to you", created_at=t + timedelta(seconds=3))

    clerk = make_web("clerk_commerce")
    page = clerk.get("/notifications").get_data(as_text=True)
    assert _ids(page) == [unit_role, personal]  # newest first; only what is addressed to this clerk
    assert _unread(page) == 2
    assert "您的申请被退回修改" in page and "教育局通知" not in page
    assert _ids(make_web("clerk_education").get("/notifications").get_data(as_text=True)) == [other_unit]
    assert _ids(make_web("fao_clerk").get("/notifications").get_data(as_text=True)) == [office]

    clerk.post(f"/notifications/{unit_role}/read", {"next": "/notifications"})
    page = clerk.get("/").get_data(as_text=True)
    assert _unread(page) == 1
    page = clerk.get("/notifications?unread=1").get_data(as_text=True)
    assert _ids(page) == [personal]
    # Reading a role notification is per person: a colleague in the same unit still has it unread.
    from engine import users

    users.create_user(db, "admin", username="clerk2_commerce", display_name="第二经办", password="second-pass",
                      unit_code="commerce", roles=["unit_clerk"])
    colleague = make_web("clerk2_commerce", "second-pass")
    assert _ids(colleague.get("/notifications?unread=1").get_data(as_text=True)) == [unit_role]

    # Marking again is harmless; someone else's notification is not found.
    assert clerk.post(f"/notifications/{unit_role}/read").status_code == 303
    assert clerk.post(f"/notifications/{other_unit}/read").status_code == 404
    assert clerk.post("/notifications/999999/read").status_code == 404

    page = clerk.post("/notifications/read-all", follow=True).get_data(as_text=True)
    assert "已将 1 条通知标为已读。" in flashes(page)
    assert _unread(page) == 0
    page = clerk.post("/notifications/read-all", follow=True).get_data(as_text=True)
    assert "没有未读通知。" in flashes(page)


def test_notifications_in_english(db, make_web):
    _notify(db, username="clerk_commerce", text_zh="中文通知", text_en="English notice")
    clerk = make_web("clerk_commerce").english()
    page = clerk.get("/notifications").get_data(as_text=True)
    assert "English notice" in page and "中文通知" not in page
    assert 'aria-label="Notifications, 1 unread"' in page
