"""The audit workspace through the web app: who may open it, what each page shows, the exports,
and the proof over the whole URL map that an auditor changes nothing."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.storage.models import (
    Attachment,
    AuditEvent,
    Case,
    Document,
    Notification,
    NotificationRead,
    Setting,
    TaskDraft,
    Unit,
    User,
    WorkItem,
)
from tests.conftest import T0
from tests.helpers import Walker, open_item
from tests.web.conftest import text_of
from webapp.auth import READ_ONLY_POSTS


@pytest.fixture
def finished(app, service):
    w = Walker(service, T0)
    w.start({"members": [{"name": "张伟", "id_card_no": "620102197505122018"}], "itinerary": [{"country": "DE"}]})
    w.apply()
    w.complete("ut_head", decision="return", comment="请补充")
    w.apply(days=9)
    w.complete("ut_head", decision="reject", comment="不符合规定")
    return w.case_id


def test_auditor_lands_in_the_workspace_and_others_are_kept_out(make_web, finished):
    auditor = make_web("auditor")
    assert auditor.get("/").headers["Location"].endswith("/audit/")
    page = auditor.get("/audit/").get_data(as_text=True)
    assert 'data-testid="audit-search"' in page and "/audit/heatmap" in page
    for who in ("fao_clerk", "clerk_commerce", "admin", "analyst"):
        client = make_web(who)
        for path in ("/audit/", f"/audit/cases/{finished}", "/audit/heatmap", "/audit/log", "/audit/seals",
                     f"/audit/cases/{finished}/events.json", f"/audit/cases/{finished}/verify"):
            assert client.get(path).status_code == 403, (who, path)
    assert make_web().get("/audit/").status_code in (302, 401)


def test_search_page_finds_by_member_and_exports_csv(make_web, finished):
    auditor = make_web("auditor")
    page = auditor.get("/audit/?person=张伟").get_data(as_text=True)
    assert f'data-case="{finished}"' in page and "1 个案件" in text_of(page) or "1 case" in text_of(page)
    assert 'data-case' not in auditor.get("/audit/?person=nobody").get_data(as_text=True)
    bad = auditor.get("/audit/?number=abc&from=2026-13-01").get_data(as_text=True)
    assert 'id="err-number"' in bad and 'id="err-from"' in bad
    export = auditor.get("/audit/search.csv?country=德国")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "case" and [r[0] for r in rows[1:]] == [str(finished)]


def test_replay_page_steps_and_fragment(make_web, finished):
    auditor = make_web("auditor")
    page = auditor.get(f"/audit/cases/{finished}?step=3").get_data(as_text=True)
    assert 'data-testid="replay-ok"' in page and 'data-step="3"' in page
    markers = json.loads(re.search(r"data-markers='([^']*)'", page).group(1).replace("&#34;", '"'))
    assert markers["states"]["ut_apply"] == "current" and markers["states"]["ut_head"] == "completed"
    assert "请补充" in page  # what the head submitted at step 3
    fragment = auditor.get(f"/audit/cases/{finished}/steps/1").get_data(as_text=True)
    assert fragment.lstrip().startswith('<div class="replay-step"') and 'data-step="1"' in fragment
    last = auditor.get(f"/audit/cases/{finished}?step=999").get_data(as_text=True)
    assert 'data-step="5"' in last  # clamped to the last step
    bpmn = auditor.get(f"/audit/cases/{finished}/diagram.bpmn")
    assert bpmn.status_code == 200 and b"test_approval" in bpmn.data


def test_verify_page_and_exports(make_web, finished, service):
    auditor = make_web("auditor")
    page = auditor.get(f"/audit/cases/{finished}/verify").get_data(as_text=True)
    assert 'data-ok="true"' in page
    exported = json.loads(auditor.get(f"/audit/cases/{finished}/events.json").get_data(as_text=True))
    assert [e["seq"] for e in exported["events"]] == [1, 2, 3, 4, 5]
    events_csv = auditor.get(f"/audit/cases/{finished}/events.csv").get_data(as_text=True)
    assert events_csv.lstrip("\ufeff").startswith("seq,at,actor,command")
    assert auditor.get(f"/audit/cases/{finished}/events.xml").status_code == 404


def test_verify_page_names_the_first_break(make_web, finished, service):
    from tests.helpers import _bypass_triggers, events

    ev = events(service.db, finished)[2]
    _bypass_triggers(service.db, "UPDATE audit_events SET actor = 'mallory' WHERE id = :i", {"i": ev.id})
    auditor = make_web("auditor")
    page = auditor.get(f"/audit/cases/{finished}/verify").get_data(as_text=True)
    assert 'data-ok="false"' in page and 'data-kind="hash_mismatch"' in page
    assert "事件 3" in text_of(page)
    assert 'data-testid="replay-findings"' in auditor.get(f"/audit/cases/{finished}").get_data(as_text=True)


def test_heatmap_page(make_web, finished, service):
    auditor = make_web("auditor")
    page = auditor.get("/audit/heatmap").get_data(as_text=True)
    assert 'data-testid="heatmap-total"' in page and 'data-task="ut_apply"' in page
    assert 'data-element="ut_head"' in page


def test_access_log_lists_each_look(make_web, finished):
    auditor = make_web("auditor")
    auditor.get("/audit/?person=张伟")
    auditor.get(f"/audit/cases/{finished}")
    auditor.get(f"/cases/{finished}")
    page = auditor.get("/audit/log").get_data(as_text=True)
    commands = re.findall(r'data-command="([a-z_]+)"', page)
    assert commands[:3] == ["audit_case", "audit_replay", "audit_search"]


# -- the whole URL map ----------------------------------------------------------------------------

# Routes an auditor may post to: signing in and out, the language, and the public document check
# (it reads an uploaded PDF and changes nothing) — and nothing else.
ALLOWED_POSTS = {"auth.login", "auth.logout", "i18n.switch", "documents.verify_lookup", "documents.verify_upload"}


def test_the_read_only_allow_list_is_what_the_test_expects():
    assert READ_ONLY_POSTS == ALLOWED_POSTS


def _counts(db) -> dict[str, int]:
    with db.read() as s:
        out = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in
               (Case, WorkItem, TaskDraft, Attachment, Document, Notification, NotificationRead, Setting, Unit,
                User)}
        out["events"] = s.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(~AuditEvent.command.like("audit_%"))) or 0
        out["cases_seq"] = s.scalar(select(func.sum(Case.seq))) or 0
    return out


def test_every_mutating_route_refuses_the_auditor(app, make_web, service):
    w = Walker(service, T0)
    w.start()
    item = open_item(service.db, w.case_id, "ut_apply")
    values = {"case_id": w.case_id, "task_id": item.task_id, "username": "clerk_commerce", "code": "commerce",
              "day": "2026-05-01", "notification_id": 1, "document_id": 1, "attachment_id": 1, "seal_id": 1,
              "version_id": 1, "k": 1, "fmt": "csv", "process_id": "test_approval",
              "name": "x.bpmn", "kind": "bpmn", "partner_id": 1}
    auditor = make_web("auditor")
    token = auditor.token("/audit/")
    before = _counts(service.db)
    checked = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}
        if not methods or rule.endpoint in ALLOWED_POSTS or rule.endpoint == "static":
            continue
        path = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in methods:
            response = auditor.client.open(path, method=method, data={
                "csrf_token": token, "text": "x", "reason": "x", "lang": "en", "process_id": "test_approval",
                "_action": "submit", "applicant": "x", "days": "1", "countries": "1", "expected_version": "1"})
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            checked.append(rule.endpoint)
    assert len(checked) >= 20  # the map really was walked
    assert _counts(service.db) == before
    # Reading stays open: every GET of the workspace answers.
    assert auditor.get(f"/cases/{w.case_id}").status_code == 200
    assert auditor.get(f"/audit/cases/{w.case_id}").status_code == 200


def test_auditor_sees_no_start_or_task_controls(make_web, finished, service):
    w = Walker(service, T0 + timedelta(days=1))
    w.start()
    page = make_web("auditor").get(f"/cases/{w.case_id}").get_data(as_text=True)
    assert "cancel" not in re.findall(r'action="[^"]*"', page).__str__()
