"""What the case and task pages offer besides the form: comments and attachments (audited case
commands that leave the workflow alone), the diagram with element states, cancelling a case."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import attachments
from engine.audit.verify import verify
from engine.definitions.deploy import deploy_paths
from engine.errors import Forbidden, InvalidInput
from engine.queries.diagram import element_states
from engine.runtime.service import CaseService
from engine.storage.models import Attachment
from tests.conftest import T0, TESTS
from tests.helpers import events, get_case, open_item
from tests.web.conftest import flashes, text_of
from webapp import create_app

WEB_PROCESSES = TESTS / "processes_web"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.fixture
def kinds(deployed):
    deploy_paths(deployed, [WEB_PROCESSES])
    return deployed


@pytest.fixture
def case_id(kinds, service):
    return service.start_case("clerk_commerce", "test_form_kinds", {"ref_no": "甘外〔2026〕1号"})


def _task_path(db, case_id: int, spec: str = "ut_fill") -> str:
    return f"/cases/{case_id}/tasks/{open_item(db, case_id, spec).task_id}"


def _upload(person, case_id: int, name: str, data: bytes, *, follow: bool = False, **extra):
    return person.post(f"/cases/{case_id}/attachments", {"file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data", follow=follow)


# -- comments -------------------------------------------------------------------------------------


def test_comments_are_audited_shown_and_replayed(case_id, make_web, db):
    state_hash = get_case(db, case_id).state_hash
    task = _task_path(db, case_id)
    clerk = make_web("clerk_commerce")
    response = clerk.post(f"/cases/{case_id}/comments", {"text": "  护照将于周五送达。\n请留意。 ", "next": task,
                                                         "task_id": task.rsplit("/", 1)[1]})
    assert response.status_code == 303 and response.headers["Location"] == f"{task}#comments"
    office = make_web("fao_clerk")
    assert office.post(f"/cases/{case_id}/comments", {"text": "已收到"}).headers["Location"] == \
        f"/cases/{case_id}#comments"

    evs = events(db, case_id)
    assert [e.command for e in evs] == ["start", "comment", "comment"]
    assert evs[1].payload == {"text": "护照将于周五送达。\n请留意。"} and evs[1].task_spec == "ut_fill"
    assert evs[2].actor == "fao_clerk" and evs[2].task_id is None
    assert all(e.state_hash == state_hash for e in evs) and get_case(db, case_id).state_hash == state_hash
    assert verify(db, case_id).ok

    for page in (office.get(f"/cases/{case_id}"), clerk.get(task)):
        html = page.get_data(as_text=True)
        comments = text_of(re.search(r'(?s)data-testid="comments".*?</ul>', html).group(0))
        assert "王经办（商务局）" in comments and "护照将于周五送达。" in comments and "填写全部字段" in comments
        assert "孙经办（外办）" in comments and "已收到" in comments
        history = text_of(re.search(r'(?s)data-testid="timeline".*?</ol>', html).group(0))
        assert "发表了意见: 填写全部字段" in history and "请留意。" in history
    assert "Commented" in make_web("fao_clerk").english().get(f"/cases/{case_id}").get_data(as_text=True)


def test_comments_are_refused_to_other_units_and_when_empty(case_id, make_web, db, service):
    other = make_web("clerk_education")
    assert other.post(f"/cases/{case_id}/comments", {"text": "看看"}).status_code == 403
    clerk = make_web("clerk_commerce")
    page = clerk.post(f"/cases/{case_id}/comments", {"text": "   "}, follow=True).get_data(as_text=True)
    assert "意见内容不能为空" in flashes(page)
    assert [e.command for e in events(db, case_id)] == ["start"]
    with pytest.raises(Forbidden):
        service.comment("clerk_education", case_id, "看看")
    with pytest.raises(InvalidInput):
        service.comment("clerk_commerce", case_id, "x" * 4001)
    # An auditor reads everything and changes nothing, not even by a comment (issue 7); an office
    # role may still comment on a finished case.
    service.cancel_case("clerk_commerce", case_id, "不再需要")
    with pytest.raises(Forbidden):
        service.comment("auditor", case_id, "已核查", at=T0 + timedelta(days=400))
    service.comment("fao_clerk", case_id, "已核查", at=T0 + timedelta(days=400))
    assert [e.command for e in events(db, case_id)] == ["start", "cancel", "comment"]
    assert verify(db, case_id).ok


# -- attachments ----------------------------------------------------------------------------------


def test_upload_from_the_task_page_is_stored_outside_the_web_root_and_audited(case_id, make_web, db, app):
    task = _task_path(db, case_id)
    clerk = make_web("clerk_commerce")
    page = clerk.get(task).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.ofd"' in page
    response = _upload(clerk, case_id, "护照首页.pdf", PDF, next=task, task_id=task.rsplit("/", 1)[1])
    assert response.status_code == 303 and response.headers["Location"] == f"{task}#documents"
    assert "附件已上传至本案件。" in flashes(clerk.get(task).get_data(as_text=True))

    with db.read() as s:
        row = s.scalar(select(Attachment))
    sha = __import__("hashlib").sha256(PDF).hexdigest()
    assert (row.filename, row.content_type, row.size, row.sha256, row.uploaded_by) == \
        ("护照首页.pdf", "application/pdf", len(PDF), sha, "clerk_commerce")
    assert row.task_id == task.rsplit("/", 1)[1]
    stored = Path(app.config["WAISHI_DATA_DIR"]) / "attachments" / str(case_id) / sha
    assert stored.read_bytes() == PDF
    assert Path(app.static_folder) not in stored.parents

    ev = events(db, case_id)[-1]
    assert ev.command == "attach" and ev.task_spec == "ut_fill"
    assert ev.payload == {"filename": "护照首页.pdf", "sha256": sha, "size": len(PDF), "type": "application/pdf"}
    assert ev.state_hash == events(db, case_id)[0].state_hash
    assert verify(db, case_id).ok

    # Listed on both pages, and downloaded only as a file.
    listing = text_of(re.search(r'(?s)data-testid="attachments".*?</table>',
                                make_web("fao_clerk").get(f"/cases/{case_id}").get_data(as_text=True)).group(0))
    assert "护照首页.pdf" in listing and "王经办（商务局）" in listing and "填写全部字段" in listing
    download = make_web("fao_clerk").get(f"/cases/{case_id}/attachments/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%8A%A4" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert make_web("auditor").get(f"/cases/{case_id}/attachments/{row.id}").status_code == 200


def test_download_is_refused_to_another_units_clerk(case_id, make_web, db):
    clerk = make_web("clerk_commerce")
    _upload(clerk, case_id, "scan.png", PNG)
    with db.read() as s:
        att = s.scalar(select(Attachment.id))
    assert clerk.get(f"/cases/{case_id}/attachments/{att}").status_code == 200
    assert make_web("clerk_education").get(f"/cases/{case_id}/attachments/{att}").status_code == 403
    assert make_web("clerk_education").get(f"/cases/{case_id}/attachments/{att + 1}").status_code == 403
    assert clerk.get(f"/cases/{case_id}/attachments/{att + 1}").status_code == 404
    # An attachment is reachable only through its own case.
    other = make_web("clerk_education")
    other_case = other.post("/start", {"process_id": "test_form_kinds"}).headers["Location"].split("/")[2]
    assert other.get(f"/cases/{other_case}/attachments/{att}").status_code == 404


@pytest.mark.parametrize(("name", "data", "message"), [
    ("letter.pdf", b"<html><script>alert(1)</script></html>", "不接受文件“letter.pdf”的类型"),
    ("photo.pdf", PNG, "内容是 PNG，与扩展名不符"),
    ("evil.exe", b"MZ\x90\x00" + b"\x00" * 60, "不接受文件“evil.exe”的类型"),
    ("fake.docx", _zip("[Content_Types].xml", "other.xml"), "不接受文件“fake.docx”的类型"),
    ("empty.pdf", b"", "文件“empty.pdf”是空的"),
])
def test_uploads_are_refused_by_content(case_id, make_web, db, name, data, message):
    clerk = make_web("clerk_commerce")
    page = _upload(clerk, case_id, name, data, follow=True)
    assert any(message in f for f in flashes(page.get_data(as_text=True))), flashes(page.get_data(as_text=True))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    assert [e.command for e in events(db, case_id)] == ["start"]


def test_office_formats_are_recognised_by_their_package_parts():
    assert attachments.sniff(_zip("[Content_Types].xml", "word/document.xml")) is attachments.DOCX
    assert attachments.sniff(_zip("[Content_Types].xml", "xl/workbook.xml")) is attachments.XLSX
    assert attachments.sniff(_zip("OFD.xml", "Doc_0/Document.xml")) is attachments.OFD
    assert attachments.sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 16) is attachments.JPEG
    assert attachments.sniff(b"PK\x03\x04 broken") is None
    assert attachments.check("报表.XLSX", _zip("[Content_Types].xml", "xl/workbook.xml")).type is attachments.XLSX
    assert attachments.clean_filename("../../etc/passwd\x00") == "passwd"
    assert attachments.clean_filename("C:\\扫描件\\护照首页.pdf") == "护照首页.pdf"
    assert attachments.clean_filename("a" * 300 + ".pdf") == "a" * 196 + ".pdf"


def test_uploads_over_the_limit_get_the_413_page(deployed, db, db_url, tmp_path, service):
    deploy_paths(deployed, [WEB_PROCESSES])
    case_id = service.start_case("clerk_commerce", "test_form_kinds")
    small = create_app({"DATABASE_URL": db_url, "TESTING": True, "SECRET_KEY": "k", "MAX_CONTENT_LENGTH": 2**20,
                        "WAISHI_DATA_DIR": str(tmp_path / "data")})
    from tests.web.conftest import Web

    clerk = Web(small)
    assert clerk.login("clerk_commerce").status_code == 302
    token = clerk.token(f"/cases/{case_id}")
    response = clerk.client.post(f"/cases/{case_id}/attachments",
                                 data={"csrf_token": token, "file": (io.BytesIO(PDF + b"0" * 2**20), "big.pdf")},
                                 content_type="multipart/form-data")
    assert response.status_code == 413
    assert "提交的数据超过了 1 MB 的上限" in text_of(response.get_data(as_text=True))
    assert "1 MB" in text_of(clerk.get(f"/cases/{case_id}").get_data(as_text=True))  # the form says the limit
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    small.extensions["waishi"].db.dispose()


def test_who_may_upload(case_id, make_web, db, service, tmp_path):
    # An auditor reads the case but has no task role: no form, and the command refuses.
    page = make_web("auditor").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "upload-form" not in page
    assert _upload(make_web("auditor"), case_id, "a.pdf", PDF).status_code == 403
    assert _upload(make_web("clerk_education"), case_id, "a.pdf", PDF).status_code == 403
    # A finished case takes no more files.
    service.cancel_case("clerk_commerce", case_id, "不再需要")
    page = _upload(make_web("clerk_commerce"), case_id, "a.pdf", PDF, follow=True).get_data(as_text=True)
    assert any("案件已结束" in f for f in flashes(page))
    store = CaseService(db, files=attachments.AttachmentStore(tmp_path / "store"))
    with pytest.raises(Exception, match="已结束"):
        store.attach("clerk_commerce", case_id, "a.pdf", PDF)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    assert not (tmp_path / "store").exists()


# -- the diagram ----------------------------------------------------------------------------------


def test_diagram_route_serves_the_pinned_bpmn_to_readers_only(case_id, make_web):
    response = make_web("fao_clerk").get(f"/cases/{case_id}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert b'<bpmn:process id="test_form_kinds"' in response.data and b"BPMNDiagram" in response.data
    assert make_web("clerk_commerce").get(f"/cases/{case_id}/diagram.bpmn").status_code == 200
    assert make_web("clerk_education").get(f"/cases/{case_id}/diagram.bpmn").status_code == 403
    assert make_web().get(f"/cases/{case_id}/diagram.bpmn").status_code == 302  # sign in first


def test_element_states_follow_the_record(case_id, db, service, make_web):
    with db.read() as s:
        states = element_states(s, case_id)
    assert (states.completed, states.current, states.cancelled) == ((), ("ut_fill",), ())
    item = open_item(db, case_id, "ut_fill")
    service.complete_task("clerk_commerce", case_id, item.task_id, {
        "title": "t", "days": 3, "depart": "2026-04-01", "country": "FR", "confirmed": True,
        "contact": {"name": "王五"}, "members": [{"name": "张三"}]}, expected_version=1, at=T0)
    assert service.fire_timers(case_id, at=T0 + timedelta(days=2))
    with db.read() as s:
        states = element_states(s, case_id)
    assert states.completed == ("ut_fill", "bt_check_late")
    assert states.current == ("ut_late",) and states.cancelled == ("ut_check",)
    assert states.state_of() == {"ut_late": "current", "ut_fill": "completed", "bt_check_late": "completed",
                                 "ut_check": "cancelled"}

    page = make_web("fao_clerk").get(f"/cases/{case_id}").get_data(as_text=True)
    found = re.search(r"data-states='([^']*)'", page)
    assert json.loads(found.group(1).replace("&#34;", '"')) == states.state_of()
    listing = text_of(re.search(r'(?s)data-testid="element-states">(.*?)</ul>', page).group(1))
    assert listing == "当前环节 超时补办 已完成 填写全部字段 已完成 核对超时 已取消 外办核对"
    assert f'data-diagram-url="/cases/{case_id}/diagram.bpmn"' in page
    task_page = make_web("fao_clerk").get(_task_path(db, case_id, "ut_late")).get_data(as_text=True)
    assert 'id="case-diagram"' in task_page and 'data-testid="element-states"' in task_page


def test_pages_load_scripts_from_this_site_only(case_id, make_web, app):
    response = make_web("clerk_commerce").get(f"/cases/{case_id}")
    page = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert all(re.search(r'src="/static/', s) for s in scripts), scripts
    assert all(not body.strip() for body in re.findall(r"(?s)<script\b[^>]*>(.*?)</script>", page))  # no inline code
    if (Path(app.static_folder) / "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js").is_file():
        assert '/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js' in page
        assert '/static/js/case-diagram.js' in page


# -- cancelling -----------------------------------------------------------------------------------


def test_cancel_button_for_those_allowed_with_a_reason(case_id, make_web, db):
    form = f'action="/cases/{case_id}/cancel"'
    applicant = make_web("clerk_commerce")
    page = applicant.get(f"/cases/{case_id}").get_data(as_text=True)
    assert form in page
    assert form not in make_web("fao_clerk").get(f"/cases/{case_id}").get_data(as_text=True)
    assert form in make_web("fao_director").get(f"/cases/{case_id}").get_data(as_text=True)

    page = applicant.post(f"/cases/{case_id}/cancel", {"reason": "  "}, follow=True).get_data(as_text=True)
    assert "请填写撤销案件的原因。" in flashes(page)
    assert make_web("fao_clerk").post(f"/cases/{case_id}/cancel", {"reason": "x"}).status_code == 403
    assert get_case(db, case_id).status == "running"

    response = applicant.post(f"/cases/{case_id}/cancel", {"reason": "行程取消"})
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{case_id}"
    page = applicant.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"案件 {case_id} 已撤销。" in flashes(page) and "已撤销" in text_of(page)
    assert "原因: 行程取消" in text_of(page) and form not in page
    assert get_case(db, case_id).status == "cancelled" and open_item_states(db, case_id) == ["cancelled"]
    assert applicant.post(f"/cases/{case_id}/cancel", {"reason": "again"}).status_code == 409
    assert verify(db, case_id).ok


def open_item_states(db, case_id: int) -> list[str]:
    from engine.storage.models import WorkItem

    with db.read() as s:
        return list(s.scalars(select(WorkItem.state).where(WorkItem.case_id == case_id)))
