"""Signing in and out, throttled failures, inactive users, sessions ending, role checks."""

from __future__ import annotations

import logging

from engine import users
from tests.web.conftest import Web


def test_sign_in_and_out(web):
    page = web.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]

    response = web.login("clerk_commerce")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    inbox = web.get("/")
    assert inbox.status_code == 200
    assert "王经办（商务局）" in inbox.get_data(as_text=True)

    web.logout()
    after = web.get("/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(web):
    response = web.post("/login", {"username": "fao_clerk", "password": "waishi-demo", "next": "/cases?status=running"})
    assert response.headers["Location"] == "/cases?status=running"
    other = Web(web.app)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = other.post("/login", {"username": "fao_clerk", "password": "waishi-demo", "next": target})
        assert response.headers["Location"] == "/", target


def test_wrong_password_is_refused_in_the_users_language(web):
    response = web.login("clerk_commerce", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    web.english()
    response = web.login("clerk_commerce", "wrong-password")
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert web.get("/").status_code == 302  # still signed out


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(web):
    response = web.login("nobody_here", "whatever-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_repeated_failures_are_slowed_down_and_logged(app, caplog):
    clock = [1000.0]
    throttle = app.extensions["waishi_throttle"]
    throttle.clock = lambda: clock[0]
    web = Web(app)
    caplog.set_level(logging.INFO, logger="waishi.auth")
    for _ in range(3):
        assert web.login("clerk_commerce", "bad-guess-123").status_code == 401
    # The fourth attempt, even with the right password, must wait.
    refused = web.login("clerk_commerce")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 5
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    assert web.get("/").status_code == 302
    failures = [r for r in caplog.records if r.name == "waishi.auth" and "failed" in r.getMessage()]
    assert len(failures) == 3 and "clerk_commerce" in failures[-1].getMessage()
    assert any("throttled" in r.getMessage() for r in caplog.records if r.name == "waishi.auth")

    # Another user from the same address is not affected.
    assert Web(app).login("fao_clerk").status_code == 302

    clock[0] += 6  # the first delay has passed
    assert web.login("clerk_commerce", "bad-guess-456").status_code == 401
    clock[0] += 6  # ...but each failure doubles it
    assert web.login("clerk_commerce").status_code == 429
    clock[0] += 5
    assert web.login("clerk_commerce").status_code == 302
    # A success clears the count.
    web.logout()
    assert web.login("clerk_commerce", "bad-guess-789").status_code == 401
    assert web.login("clerk_commerce").status_code == 302


def test_inactive_user_is_refused_and_open_sessions_end(app, db, make_web):
    clerk = make_web("clerk_commerce")
    assert clerk.get("/").status_code == 200
    users.deactivate(db, "admin", "clerk_commerce")
    assert clerk.get("/").status_code == 302  # the open session ended
    response = Web(app).login("clerk_commerce")
    assert response.status_code == 403
    assert "此账号已停用" in response.get_data(as_text=True)
    # The deactivation message is only given for the right password.
    assert Web(app).login("clerk_commerce", "not-the-password").status_code == 401


def test_password_reset_ends_open_sessions(db, make_web):
    clerk = make_web("clerk_commerce")
    users.reset_password(db, "admin", "clerk_commerce", "a-new-password")
    assert clerk.get("/").status_code == 302
    assert clerk.login("clerk_commerce").status_code == 401
    assert clerk.login("clerk_commerce", "a-new-password").status_code == 302


def test_wrong_role_gets_403(make_web):
    clerk = make_web("clerk_commerce")
    for path in ("/admin/users", "/admin/units", "/admin/holidays", "/admin/settings"):
        response = clerk.get(path)
        assert response.status_code == 403, path
        assert "无权访问" in response.get_data(as_text=True)
    admin = make_web("admin")
    assert admin.get("/admin/users").status_code == 200
    assert admin.get("/cases").status_code == 403  # administrators do not read cases


def test_logout_needs_a_post_with_a_token(make_web):
    clerk = make_web("clerk_commerce")
    assert clerk.get("/logout").status_code == 405
    assert clerk.post("/logout", csrf=False).status_code == 400
    assert clerk.get("/").status_code == 200
