"""Languages: Chinese by default, English complete, the switch remembered; catalogs complete and
current with the sources; times in Beijing time; English chrome free of Chinese characters."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

from babel.messages.pofile import read_po
from sqlalchemy import select

from engine.storage.models import Case, User, WorkItem
from tests.helpers import open_item
from tests.web.conftest import TRANSLATIONS, text_of

LOCALES = ("zh_Hans_CN", "en")
CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _catalog(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def test_both_catalogs_are_complete():
    for locale in LOCALES:
        catalog = _catalog(locale)
        assert len(catalog) > 150, locale
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{locale}: empty msgstr for {message.id!r}"
            assert not message.fuzzy, f"{locale}: fuzzy entry {message.id!r}"


def test_catalogs_hold_every_string_of_the_sources(tmp_path):
    """Strings added to templates or Python without `make translations-update` fail here."""
    pot = tmp_path / "messages.pot"
    webapp = TRANSLATIONS.parent
    subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()", "-q", "extract",
                    "-F", str(webapp / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), str(webapp)],
                   check=True)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    for locale in LOCALES:
        have = {m.id for m in _catalog(locale) if m.id}
        missing = wanted - have
        assert not missing, f"{locale} lacks {sorted(map(str, missing))[:10]} — run `make translations-update`"


def test_chinese_by_default_and_the_switch_is_remembered(make_web):
    clerk = make_web("clerk_commerce")
    page = clerk.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in page and "我的待办" in page and ">English</button>" in page

    response = clerk.post("/lang", {"lang": "en", "next": "/cases"})
    assert response.status_code == 302 and response.headers["Location"] == "/cases"
    assert "waishi_lang=en" in response.headers["Set-Cookie"]
    for path in ("/", "/start", "/notifications"):
        page = clerk.get(path).get_data(as_text=True)
        assert '<html lang="en">' in page and "My tasks" in page and "我的待办" not in page, path

    clerk.post("/lang", {"lang": "zh", "next": "/"})
    assert "我的待办" in clerk.get("/").get_data(as_text=True)
    assert clerk.post("/lang", {"lang": "fr"}).status_code == 400
    # The choice also applies before signing in.
    assert "Sign in" in make_web().english().get("/login").get_data(as_text=True)


def test_times_are_shown_in_beijing_time(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval", at=datetime(2026, 3, 2, 17, 30, tzinfo=UTC))
    page = make_web("fao_clerk").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "2026-03-03 01:30" in page  # 17:30 UTC is 01:30 the next day in Beijing
    assert 'datetime="2026-03-02T17:30:00+00:00"' in page


def _data_values(db) -> set[str]:
    """Everything the pages show that is data, not chrome: people's names, process, task and case
    titles, and the case data itself."""
    values: set[str] = set()
    with db.read() as s:
        values |= set(s.scalars(select(User.display_name)))
        values |= set(s.scalars(select(WorkItem.name)))
        values |= set(s.scalars(select(Case.title)))
        for data in s.scalars(select(Case.data)):
            stack = [data]
            while stack:
                item = stack.pop()
                if isinstance(item, dict):
                    stack.extend(item.values())
                elif isinstance(item, list):
                    stack.extend(item)
                elif isinstance(item, str):
                    values.add(item)
    from engine.storage.models import DefinitionVersion

    with db.read() as s:
        values |= {n for n in s.scalars(select(DefinitionVersion.name)) if n}
    return values | _authored_texts(db)


def _authored_texts(db) -> set[str]:
    """What analysts wrote in the deployed definitions (form labels, descriptions and options,
    diagram element names): content, shown as written where the author gave no English."""
    import json

    from engine.queries.diagram import element_names
    from engine.storage.models import DefinitionBlob, DefinitionFile

    texts: set[str] = set()
    with db.read() as s:
        files = s.execute(select(DefinitionFile.kind, DefinitionBlob.content)
                          .join(DefinitionBlob, DefinitionBlob.sha256 == DefinitionFile.sha256)).all()
    for kind, content in files:
        if kind == "bpmn":
            texts |= set(element_names(content).values())
        elif kind == "form":
            stack = [json.loads(content)]
            while stack:
                item = stack.pop()
                if isinstance(item, dict):
                    for key in ("label", "description", "text", "dateLabel", "timeLabel"):
                        if isinstance(item.get(key), str):
                            texts.add(item[key])
                    stack.extend(item.values())
                elif isinstance(item, list):
                    stack.extend(item)
    return {t for t in texts if t}


def _chrome(page: str, data: set[str]) -> str:
    """The page's visible text without data values and without text marked as another language
    (the language switch shows its own name, 中文)."""
    page = re.sub(r'(?s)<(\w+)[^>]*\blang="zh-Hans"[^>]*>.*?</\1>', " ", page)
    text = text_of(page)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def test_english_inbox_case_and_task_pages_have_no_chinese_chrome(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    item = open_item(db, case_id, "ut_apply")
    service.claim("clerk_commerce", case_id, item.task_id, expected_version=item.version)
    item = open_item(db, case_id, "ut_apply")
    service.complete_task("clerk_commerce", case_id, item.task_id, {"applicant": "张三", "days": 8, "countries": 2},
                          expected_version=item.version)
    second = service.start_case("clerk_commerce", "test_approval")
    head_item = open_item(db, case_id, "ut_head")
    data = _data_values(db)

    clerk = make_web("clerk_commerce").english()
    head = make_web("head_commerce").english()
    pages = {
        "inbox mine": clerk.get("/?tab=mine"),
        "inbox claimable": clerk.get("/?tab=claimable"),
        "inbox done": clerk.get("/?tab=done"),
        "case": clerk.get(f"/cases/{case_id}"),
        "cases": clerk.get("/cases"),
        "task done": clerk.get(f"/cases/{case_id}/tasks/{item.task_id}"),
        "task open": head.get(f"/cases/{case_id}/tasks/{head_item.task_id}"),
        "start": clerk.get("/start"),
        "notifications": clerk.get("/notifications"),
        "error": clerk.get("/cases/999999"),
    }
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        left = CJK.findall(_chrome(page, data))
        assert not left, f"{name}: Chinese characters in the English chrome: {''.join(left)!r}"
    # The data itself is shown as entered.
    assert "张三" in pages["case"].get_data(as_text=True)
    assert f"#{second}" in pages["inbox claimable"].get_data(as_text=True)


def test_chinese_pages_are_in_chinese(service, db, make_web):
    case_id = service.start_case("clerk_commerce", "test_approval")
    clerk = make_web("clerk_commerce")
    for path in ("/?tab=claimable", f"/cases/{case_id}", "/start", "/notifications"):
        text = text_of(clerk.get(path).get_data(as_text=True))
        for english in ("My tasks", "Sign out", "Case summary", "Status", "Process", "Notifications"):
            assert english not in text, (path, english)
