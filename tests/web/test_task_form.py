"""The task page's form, rendered on the server from the version's Camunda Form: every kind of
component, field errors with the values kept, dynamic lists without JavaScript, drafts, and stale
or double submits. Uses the test process in tests/processes_web (not the FAO forms)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from engine.audit.verify import verify
from engine.definitions.deploy import deploy_paths
from engine.demo import DEMO_PASSWORD
from engine.passwords import hash_password
from engine.storage.models import AuditEvent, Case, TaskDraft, User
from tests.conftest import TESTS
from tests.helpers import add_user, events, get_case, open_item
from tests.web.conftest import flashes, text_of

WEB_PROCESSES = TESTS / "processes_web"
REF_NO = "甘外〔2026〕1号"

VALID = {
    "title": "赴日经贸交流", "purpose": "洽谈合作\n第二行", "days": "5", "depart": "2026-04-01",
    "meeting": "2026-04-02T10:30", "country": "JP", "level": "high", "confirmed": "true",
    "materials": ["passport", "invitation"], "topics": "trade",
    "contact.name": "王五", "contact.phone": "0931-8888888",
    "members[0].name": "张三", "members[0].role": "leader",
    "members[1].name": "李四", "members[1].role": "member",
}


@pytest.fixture
def kinds(deployed):
    deploy_paths(deployed, [WEB_PROCESSES])
    return deployed


@pytest.fixture
def case(kinds, service):
    """A test_form_kinds case waiting at ut_fill for the commerce clerk; returns (case id, task path)."""
    case_id = service.start_case("clerk_commerce", "test_form_kinds", {"ref_no": REF_NO})
    item = open_item(kinds, case_id, "ut_fill")
    return case_id, f"/cases/{case_id}/tasks/{item.task_id}"


def _form(page: str) -> str:
    found = re.search(r'(?s)<form class="task-form.*?</form>', page)
    assert found, "no task form on the page"
    return found.group(0)


def _field(form: str, name: str) -> str:
    """The markup of one field's wrapper (div or fieldset) by its data path."""
    found = re.search(r'(?s)<(div|fieldset) class="field[^"]*"[^>]*data-field="' + re.escape(name) + r'".*?</\1>',
                      form)
    assert found, f"no field {name}"
    return found.group(0)


def _submit(person, path: str, data: dict, *, version: int = 1, action: str = "submit", **kwargs):
    return person.post(path, {**data, "expected_version": str(version), "_action": action}, **kwargs)


def test_every_component_type_is_rendered(case, make_web):
    case_id, path = case
    page = make_web("clerk_commerce").get(path).get_data(as_text=True)
    form = _form(page)
    # textfield: visible label, required mark, description tied to the input
    title = _field(form, "title")
    assert '<label for="f-title">标题<span class="req" aria-hidden="true">*</span></label>' in title
    assert '<p class="hint" id="f-title-desc">简要说明事由</p>' in title
    assert re.search(r'<input id="f-title" name="title" type="text" value="" maxlength="50" '
                     r'aria-describedby="f-title-desc" required aria-required="true">', title)
    assert '<textarea id="f-purpose" name="purpose"' in _field(form, "purpose")
    assert 'name="days" type="text" value="" inputmode="numeric"' in _field(form, "days")
    assert 'name="depart" type="date"' in _field(form, "depart")
    assert 'name="meeting" type="datetime-local"' in _field(form, "meeting")
    country = _field(form, "country")
    assert '<select id="f-country" name="country"' in country
    assert '<option value="JP">日本</option>' in country and '<option value="FR">法国</option>' in country
    level = _field(form, "level")
    assert level.startswith("<fieldset") and "<legend>级别</legend>" in level
    assert level.count('type="radio"') == 2 and 'name="level" value="high"' in level
    assert 'type="checkbox" id="f-confirmed" name="confirmed" value="true"' in _field(form, "confirmed")
    materials = _field(form, "materials")
    assert materials.count('type="checkbox"') == 2 and 'name="materials" value="invitation"' in materials
    assert 'choices-taglist' in _field(form, "topics") and 'name="topics" value="edu"' in _field(form, "topics")
    # group: a fieldset whose inputs bind under its path
    assert re.search(r'(?s)<fieldset class="field form-group" id="f-contact">\s*<legend>联系人</legend>', form)
    assert 'name="contact.name"' in form and 'type="tel"' in _field(form, "contact.phone")
    # dynamic list: one default row with its own inputs and a remove button, and an add button
    assert 'data-list="members"' in form and 'name="members[0].name"' in form
    assert 'value="remove:members[0]"' in form and 'value="add:members"' in form
    assert "members[1]" not in form
    # read-only: the case's value as text, never an input
    ref = _field(form, "ref_no")
    assert REF_NO in ref and "<input" not in ref
    # static text: Markdown to HTML, authored HTML escaped, unsafe links dropped
    assert "<h2>填写说明</h2>" in form and "<strong>如实</strong>" in form
    assert "<script>" not in form and "&lt;script&gt;" in form
    assert 'href="javascript' not in form and '<a href="https://example.org/rules">制度</a>' in form
    assert '<hr class="form-separator">' in form
    # the page's own buttons (the form's "button" component is not rendered), CSRF and the version
    assert 'name="csrf_token"' in form and '<input type="hidden" name="expected_version" value="1">' in form
    assert 'value="draft"' in form and form.count('value="submit"') == 2
    assert "novalidate" in form


def test_the_form_in_english_uses_the_authors_english(case, make_web):
    _, path = case
    form = _form(make_web("clerk_commerce").english().get(path).get_data(as_text=True))
    assert '<label for="f-title">Title<span class="req"' in form
    assert "A few words on the purpose" in form
    assert '<option value="JP">Japan</option>' in form and "<legend>Contact</legend>" in form
    assert "Members, row 1" in form and "Add a row to Members" in form and "Save draft" in form


def test_field_errors_show_under_each_field_and_keep_the_values(case, make_web, db):
    case_id, path = case
    before = len(events(db, case_id))
    clerk = make_web("clerk_commerce")
    bad = {**VALID, "title": "", "days": "abc", "contact.phone": "12", "members[1].name": "", "country": "XX"}
    response = _submit(clerk, path, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = text_of(re.search(r'(?s)data-testid="error-summary".*?</div>', page).group(0))
    assert "表单填写有误（5 处），请修改后重新提交" in summary
    assert "标题: “标题”为必填项" in summary and "天数: “天数”必须是数字" in summary
    form = _form(page)
    title = _field(form, "title")
    assert 'aria-describedby="f-title-desc f-title-err" aria-invalid="true"' in title
    assert re.search(r'<p class="field-error" id="f-title-err">.*“标题”为必填项</p>', title)
    days = _field(form, "days")
    assert 'value="abc"' in days and "“天数”必须是数字" in days  # what was typed stays, even if wrong
    assert "“联系电话”不是有效的电话号码" in _field(form, "contact.phone")
    assert "“成员姓名”为必填项" in _field(form, "members[1].name")
    assert "“国家”的取值不在可选范围内" in _field(form, "country")
    # everything else is as it was sent
    assert "洽谈合作\n第二行</textarea>" in form
    assert 'value="high" checked' in _field(form, "level")
    assert 'value="passport" checked' in form and 'value="invitation" checked' in form
    assert 'value="true" checked' in _field(form, "confirmed")
    assert 'name="members[0].name" type="text" value="张三"' in form
    assert 'value="leader" selected' in _field(form, "members[0].role")
    assert '<input type="hidden" name="expected_version" value="1">' in form
    # nothing changed
    assert len(events(db, case_id)) == before and open_item(db, case_id, "ut_fill").version == 1

    english = make_web("clerk_commerce").english()
    page = _submit(english, path, bad).get_data(as_text=True)
    assert "The form has 5 error(s)" in page and "&#39;Title&#39; is required" in page


def test_a_valid_submit_completes_the_task_and_goes_to_the_inbox(case, make_web, db):
    case_id, path = case
    clerk = make_web("clerk_commerce")
    response = _submit(clerk, path, VALID)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "任务已办理。" in flashes(clerk.get("/").get_data(as_text=True))
    data = get_case(db, case_id).data
    assert data["title"] == "赴日经贸交流" and data["days"] == 5 and data["confirmed"] is True
    assert data["materials"] == ["passport", "invitation"] and data["topics"] == ["trade"]
    assert data["contact"] == {"name": "王五", "phone": "0931-8888888"}
    assert data["members"] == [{"name": "张三", "role": "leader"}, {"name": "李四", "role": "member"}]
    assert data["ref_no"] == REF_NO and data["meeting"] == "2026-04-02T10:30"
    assert open_item(db, case_id, "ut_check")
    assert verify(db, case_id).ok
    # the finished task shows what was submitted
    page = clerk.get(path).get_data(as_text=True)
    assert 'data-testid="task-form"' not in page and 'data-testid="submitted-data"' in page
    assert "赴日经贸交流" in text_of(re.search(r'(?s)data-testid="submitted-data".*?</dl>', page).group(0))


def test_dynamic_list_rows_are_added_and_removed_without_javascript(case, make_web, db):
    case_id, path = case
    clerk = make_web("clerk_commerce")
    one_row = {k: v for k, v in VALID.items() if not k.startswith("members[1]")}
    response = _submit(clerk, path, one_row, action="add:members")
    assert response.status_code == 200
    form = _form(response.get_data(as_text=True))
    assert 'name="members[0].name" type="text" value="张三"' in form  # kept
    assert re.search(r'name="members\[1\]\.name" type="text" value=""[^>]*autofocus', form)  # new, focused
    assert 'value="赴日经贸交流"' in form and 'value="0931-8888888"' in form  # the rest kept too

    # Fill the new row and remove the first: the second moves up, its values with it.
    two_rows = {**one_row, "members[1].name": "李四", "members[1].role": "member"}
    form = _form(_submit(clerk, path, two_rows, action="remove:members[0]").get_data(as_text=True))
    assert 'name="members[0].name" type="text" value="李四"' in form and "张三" not in form
    assert 'value="member" selected' in _field(form, "members[0].role")
    assert "members[1]" not in form

    # At most three rows (the form's max_rows): no add button then, and a forged add does nothing.
    three = {**two_rows, "members[2].name": "王六"}
    form = _form(_submit(clerk, path, three, action="add:members").get_data(as_text=True))
    assert "members[3]" not in form and 'value="add:members"' not in form
    # Removing every row leaves an empty list that still offers to add one.
    form = _form(_submit(clerk, path, {"title": "x"}, action="remove:members[0]").get_data(as_text=True))
    assert "尚无数据行。" in form and 'value="add:members"' in form
    # A list the form does not have, or a read-only field, is not a row action.
    form = _form(_submit(clerk, path, one_row, action="add:ref_no").get_data(as_text=True))
    assert "members[1]" not in form and 'value="张三"' in form

    # Nothing of this was stored: no event, no draft, the task still at version 1.
    assert [e.command for e in events(db, case_id)] == ["start"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TaskDraft)) == 0
    assert open_item(db, case_id, "ut_fill").version == 1


def test_draft_is_saved_per_person_prefilled_and_not_audited(case, make_web, db):
    case_id, path = case
    add_user(db, "clerk_commerce2", "commerce", ["unit_clerk"])
    with db.transaction() as s:
        s.execute(update(User).where(User.username == "clerk_commerce2")
                  .values(password_hash=hash_password(DEMO_PASSWORD)))
    clerk = make_web("clerk_commerce")
    partial = {"title": "草稿标题", "days": "abc", "materials": "invitation", "members[0].name": "张三",
               "members[1].name": "李四", "ref_no": "forged"}
    response = _submit(clerk, path, partial, action="draft")
    assert response.status_code == 303 and response.headers["Location"] == f"{path}#task-form"
    page = clerk.get(path).get_data(as_text=True)
    assert "草稿已暂存" in " ".join(flashes(page)) and 'data-testid="draft-restored"' in page
    form = _form(page)
    assert 'value="草稿标题"' in form and 'value="abc"' in form  # kept as typed: a draft is not validated
    assert 'value="invitation" checked' in form and 'value="passport" checked' not in form
    assert 'value="李四"' in form and REF_NO in _field(form, "ref_no")
    assert 'value="discard"' in form
    # Not case data, not audited; the read-only field was not kept.
    assert [e.command for e in events(db, case_id)] == ["start"]
    assert "title" not in get_case(db, case_id).data
    with db.read() as s:
        draft = s.scalar(select(TaskDraft))
    assert draft.username == "clerk_commerce" and "ref_no" not in draft.data
    assert draft.data["members"] == [{"name": "张三"}, {"name": "李四"}]

    # Someone else with the same role sees the case's values, not the draft.
    other = _form(make_web("clerk_commerce2").get(path).get_data(as_text=True))
    assert "草稿标题" not in other and 'name="title" type="text" value=""' in other

    # Discard, then save again and submit: the draft is gone once the task is completed.
    _submit(clerk, path, partial, action="discard")
    assert "草稿标题" not in clerk.get(path).get_data(as_text=True)
    _submit(clerk, path, partial, action="draft")
    assert _submit(clerk, path, VALID).status_code == 303
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TaskDraft)) == 0


def test_stale_submit_gets_the_409_page_and_keeps_the_values_as_a_draft(case, make_web, service, db):
    case_id, path = case
    clerk = make_web("clerk_commerce")
    clerk.get(path)  # the page is rendered with version 1 …
    item = open_item(db, case_id, "ut_fill")
    service.claim("clerk_commerce", case_id, item.task_id, expected_version=1)  # … then it changes (another tab)
    response = _submit(clerk, path, VALID, version=1)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    text = text_of(page)
    assert "该任务在您打开后已被他人修改，请刷新后重试" in text and "您填写的内容已保存为草稿" in text
    assert "Traceback" not in page and 'data-testid="conflict"' in page
    assert open_item(db, case_id, "ut_fill").state == "open"
    # Reloading the task shows the current version and the values typed.
    form = _form(clerk.get(path).get_data(as_text=True))
    assert '<input type="hidden" name="expected_version" value="2">' in form and 'value="赴日经贸交流"' in form
    assert _submit(clerk, path, VALID, version=2).status_code == 303

    # A missing or unreadable version is stale too.
    other = service.start_case("clerk_commerce", "test_form_kinds")
    other_path = f"/cases/{other}/tasks/{open_item(db, other, 'ut_fill').task_id}"
    response = clerk.post(other_path, {**VALID, "_action": "submit", "expected_version": "x"})
    assert response.status_code == 409 and "页面已过期" in text_of(response.get_data(as_text=True))


def test_double_submit_says_who_completed_the_task_and_when(case, make_web, db):
    case_id, path = case
    clerk = make_web("clerk_commerce")
    assert _submit(clerk, path, VALID).status_code == 303
    response = _submit(clerk, path, VALID)
    assert response.status_code == 409
    text = text_of(response.get_data(as_text=True))
    completed = open_item_done(db, case_id)
    when = (completed + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f"此任务已由 王经办（商务局） 于 {when} 完成。" in text
    assert "草稿" not in text  # nothing to keep for a task that is done
    assert [e.command for e in events(db, case_id)] == ["start", "complete"]

    english = make_web("clerk_commerce").english()
    text = text_of(_submit(english, path, VALID).get_data(as_text=True))
    assert f"This task was already completed by 王经办（商务局） at {when}." in text


def open_item_done(db, case_id: int) -> datetime:
    from engine.storage.models import WorkItem

    with db.read() as s:
        at = s.scalar(select(WorkItem.completed_at).where(WorkItem.case_id == case_id,
                                                           WorkItem.spec_name == "ut_fill"))
    return at.astimezone(UTC).replace(tzinfo=None)


def test_who_may_not_act_gets_no_form(case, make_web, db):
    case_id, path = case
    page = make_web("fao_clerk").get(path).get_data(as_text=True)
    assert 'data-testid="task-form"' not in page
    assert "只有“申请单位经办人（外事专办员）”角色的人员可以填写此表单" in page
    # and a forged POST changes nothing
    response = _submit(make_web("fao_clerk"), path, VALID)
    assert response.status_code == 403
    assert make_web("clerk_education").get(path).status_code == 403
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id)) == 1
        assert s.get(Case, case_id).status == "running"
