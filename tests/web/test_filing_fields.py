"""The 备案表's member fields on the real trip application form, without JavaScript: the coded
selects in Chinese, and each member's family members as a list inside the members list, whose rows
are added and removed by submit buttons like any other list."""

from __future__ import annotations

import re

from tests.documents_support import deploy_document_processes
from tests.helpers import open_item
from tests.web.conftest import text_of


def _form(page: str) -> str:
    found = re.search(r'(?s)<form class="task-form.*?</form>', page)
    assert found, "no task form on the page"
    return found.group(0)


def test_family_members_are_a_list_in_each_member_row(deployed, service, make_web):
    deploy_document_processes(deployed)
    case_id = service.start_case("clerk_commerce", "trip_staff")
    item = open_item(deployed, case_id, "ut_apply")
    path = f"/cases/{case_id}/tasks/{item.task_id}"
    clerk = make_web("clerk_commerce")
    form = _form(clerk.get(path).get_data(as_text=True))
    shown = text_of(form)
    for label in ("政治面貌", "健康状况", "涉密等级", "核心涉密人员已通过年审", "脱密期至", "家庭主要成员"):
        assert label in shown, label
    assert "中共党员" in shown and "群众" in shown and "核心" in shown
    assert 'value="add:members[0].family_members"' in form

    data = {"delegation_name": "测试团", "members[0].name": "张伟", "members[0].political_status": "cpc_member",
            "expected_version": str(item.version), "_action": "add:members[0].family_members"}
    form = _form(clerk.post(path, data).get_data(as_text=True))
    assert 'name="members[0].family_members[0].relation"' in form
    assert 'name="members[0].family_members[0].foreign_status"' in form
    assert 'value="cpc_member" selected' in form  # the member's own values are kept

    data = {**data, "members[0].family_members[0].relation": "配偶", "members[0].family_members[0].name": "刘芳",
            "_action": "add:members[0].family_members"}
    form = _form(clerk.post(path, data).get_data(as_text=True))
    assert 'value="刘芳"' in form and 'name="members[0].family_members[1].name"' in form
    form = _form(clerk.post(path, {**data, "_action": "remove:members[0].family_members[0]"}).get_data(as_text=True))
    assert "刘芳" not in form and "members[0].family_members[1]" not in form
