"""CSRF refusal and the error pages: the user's language, the right status, nothing internal."""

from __future__ import annotations

from engine.errors import Conflict
from tests.helpers import open_item
from tests.web.conftest import Web

LEAKS = ("Traceback", "sqlalchemy", "SELECT ", "File \"", "Werkzeug", "RuntimeError", "secret-internal-detail")


def _no_leak(page: str) -> None:
    for leak in LEAKS:
        assert leak not in page, leak


def test_post_without_or_with_a_bad_token_is_refused_and_changes_nothing(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    clerk = make_web("clerk_commerce")
    url = f"/cases/{case_id}/tasks/{item.task_id}/claim"
    for data, csrf in (({"expected_version": item.version}, False),
                       ({"expected_version": item.version, "csrf_token": "forged"}, True)):
        response = clerk.post(url, data, csrf=csrf)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "表单已过期或并非来自本系统" in page
        _no_leak(page)
    assert open_item(db, case_id, "ut_apply").assignee is None
    clerk.english()
    response = clerk.post(url, {"expected_version": item.version}, csrf=False)
    assert response.status_code == 400
    assert "This form has expired or did not come from this site" in response.get_data(as_text=True)


def test_a_token_from_another_session_is_refused(app, make_web):
    other = make_web("fao_clerk")
    stolen = other.token()
    clerk = make_web("clerk_commerce")
    response = clerk.post("/notifications/read-all", {"csrf_token": stolen})
    assert response.status_code == 400


def test_sign_in_form_needs_the_token_too(app):
    web = Web(app)
    response = web.post("/login", {"username": "clerk_commerce", "password": "waishi-demo"}, csrf=False)
    assert response.status_code == 400
    assert web.get("/").status_code == 302


def test_404_and_403_pages_in_both_languages(service, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    other = make_web("clerk_education")
    missing = other.get("/cases/999999")
    assert missing.status_code == 404 and "案件 999999 不存在" in missing.get_data(as_text=True)
    no_page = other.get("/no/such/page")
    assert no_page.status_code == 404 and "您要访问的页面或记录不存在" in no_page.get_data(as_text=True)
    forbidden = other.get(f"/cases/{case_id}")
    assert forbidden.status_code == 403 and "您无权查看此案件" in forbidden.get_data(as_text=True)
    other.english()
    assert "does not exist" in other.get("/cases/999999").get_data(as_text=True)
    page = other.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "You may not view this case" in page and "Access denied" in page


def test_409_500_and_413_pages(app, make_web):
    @app.get("/test-conflict")
    def conflict():
        raise Conflict("该任务在您打开后已被他人修改，请刷新后重试", "This task changed after you opened it")

    @app.get("/test-crash")
    def crash():
        raise RuntimeError("secret-internal-detail SELECT * FROM users")

    app.config.update(PROPAGATE_EXCEPTIONS=False, MAX_CONTENT_LENGTH=1024)
    clerk = make_web("clerk_commerce")
    response = clerk.get("/test-conflict")
    assert response.status_code == 409 and "已被他人修改" in response.get_data(as_text=True)

    response = clerk.get("/test-crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "服务器发生错误" in page
    _no_leak(page)

    token = clerk.token()
    response = clerk.post("/notifications/read-all", {"csrf_token": token, "blob": "x" * 4096}, csrf=False)
    assert response.status_code == 413
    assert "超过了 1 MB 的上限" in response.get_data(as_text=True)

    clerk.english()
    page = clerk.get("/test-crash").get_data(as_text=True)
    assert "An error occurred on the server" in page
    _no_leak(page)
    assert "This task changed after you opened it" in clerk.get("/test-conflict").get_data(as_text=True)


def test_error_pages_work_signed_out(app):
    web = Web(app)
    response = web.get("/no/such/page")
    assert response.status_code == 404
    assert "前往登录" in response.get_data(as_text=True)


def test_security_headers(make_web):
    clerk = make_web("clerk_commerce")
    response = clerk.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
