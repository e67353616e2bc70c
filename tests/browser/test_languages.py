"""The language switch: with English chosen, the inbox, a task page and the case page show no
Chinese in their own words (navigation, headings, labels, buttons, table headers, hints, badges,
accessible names); in Chinese, no English. What people and processes wrote — case data, process,
task and diagram names, people's and units' names, comments — may be in either language and is
taken out before looking: every such value is read from the database and the deployed BPMN, so
the check needs no markup in the templates. Also left out: text explicitly marked with another
`lang` (the switch's own "中文"/"English" button) and the forms' authored Markdown headings, which
are bilingual by design ("申请概要 / Application")."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from engine.queries.labels import field_labels
from engine.storage.models import AuditEvent, Case, DefinitionVersion, Unit, User, WorkItem
from tests.browser.conftest import CJK, REPO, scenario_step
from webapp.labels import humanize

HAPPY = "trip_staff_happy"

# Every text node and accessible text of the page, except <script>/<style>/<svg> (the diagram's
# labels are the BPMN's names), elements in another language than the page's, and authored
# Markdown of the forms (.form-text). Each comes with a short path saying where it is.
PAGE_TEXTS = """() => {
  const lang = document.documentElement.lang;
  const skip = el => el.closest('script, style, svg, template, .form-text') ||
                     [...ancestors(el)].some(a => a.hasAttribute('lang') && a !== document.documentElement &&
                                                  a.getAttribute('lang').slice(0, 2) !== lang.slice(0, 2));
  function* ancestors(el) { for (let a = el; a; a = a.parentElement) yield a; }
  const where = el => [...ancestors(el)].slice(0, 3).reverse().map(a => a.tagName.toLowerCase() +
                      (a.classList.length ? '.' + [...a.classList].join('.') : '')).join(' > ');
  const out = [{text: document.title, where: 'title'}];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const text = n.textContent.trim();
    if (text && !skip(n.parentElement)) out.push({text, where: where(n.parentElement)});
  }
  for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [data-failed]')) {
    if (skip(el)) continue;
    for (const attr of ['aria-label', 'placeholder', 'data-failed'])
      if (el.hasAttribute(attr)) out.push({text: el.getAttribute(attr), where: where(el) + ' @' + attr});
  }
  return out;
}"""

# Known gaps outside the templates, left out until fixed (then delete the entry). None at present.
KNOWN_ZH_GAPS: list[str] = []

# Words the Chinese pages may show as they are.
LATIN_OK = {"PDF", "SHA-256", "UTC+8", "QR", "BPMN", "PNG", "JPEG", "Word", "docx", "Excel", "xlsx", "OFD", "MB"}


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _keys(value: Any):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


def data_values(live_server) -> list[str]:
    """What users and analysts wrote, as the pages may show it: longest first.

    Also the names of case-data fields that no form labels (values the processes compute, such as
    `over_limit_codes`): the pages show them as the field name made readable ("Over limit codes"),
    in both languages, because no label exists for them anywhere. A known gap, reported; it is
    not the templates' words."""
    values: set[str] = set()
    for bpmn in (REPO / "processes").glob("*.bpmn"):
        values.update(re.findall(r'\bname="([^"]+)"', bpmn.read_text(encoding="utf-8")))
    with live_server.db.read() as s:
        values.update(s.scalars(select(User.display_name)))
        values.update(s.scalars(select(Unit.name_zh)))
        values.update(s.scalars(select(Unit.name_en)))
        values.update(s.scalars(select(WorkItem.name)))
        for title, data, version_id, content_hash in s.execute(
                select(Case.title, Case.data, Case.version_id, DefinitionVersion.content_hash)
                .join(DefinitionVersion, DefinitionVersion.id == Case.version_id)):
            values.add(title)
            values.update(_strings(data or {}))
            labelled = field_labels(s, version_id, content_hash).fields
            values.update(humanize(k) for k in _keys(data or {}) if k not in labelled)
        for payload in s.scalars(select(AuditEvent.payload).where(AuditEvent.command == "comment")):
            values.update(_strings(payload))
    values = {re.sub(r"\s+", " ", v.replace("&#10;", " ")).strip() for v in values}
    return sorted((v for v in values if v), key=len, reverse=True)


def own_words(page, values: list[str]) -> list[tuple[str, str]]:
    """(text left after taking out every data value, where) for each text of the page."""
    out = []
    for item in page.evaluate(PAGE_TEXTS):
        text = re.sub(r"\s+", " ", item["text"])
        for value in values:
            if value in text:
                text = text.replace(value, " ")
        out.append((text.strip(), item["where"]))
    return out


def pages_of(live_server, engine) -> tuple[int, list[str]]:
    """A case waiting for the FAO clerk's check; the inbox, its task page and its case page."""
    case_id = engine.start("trip_staff", "clerk_commerce")
    engine.complete(case_id, "ut_apply", "clerk_commerce", scenario_step(HAPPY, 0))
    engine.complete(case_id, "ut_head_sign", "head_commerce", scenario_step(HAPPY, 1))
    live_server.cases.comment("head_commerce", case_id, "请外办尽快受理")
    return case_id, ["/", "/?tab=claimable", live_server.task_url(case_id, "ut_fao_check"), f"/cases/{case_id}"]


def test_english_pages_show_no_chinese_of_their_own(live_server, engine, sign_in):
    case_id, urls = pages_of(live_server, engine)
    page = sign_in("fao_clerk", lang="en")
    assert page.locator("html").get_attribute("lang") == "en"
    values = data_values(live_server)
    for url in urls:
        page.goto(url)
        assert page.locator("h1").count() == 1
        left = [(text, where) for text, where in own_words(page, values) if CJK.search(text)]
        assert not left, f"untranslated Chinese on {url}: {left}"
    # and the English is really there: the chrome the brief names
    page.goto(urls[2])
    assert page.locator("nav.main-nav").inner_text().split()[:2] == ["My", "tasks"]
    assert page.get_by_role("button", name="Submit", exact=True).is_visible()
    assert page.get_by_role("button", name="Save draft").is_visible()


def test_chinese_pages_show_no_english_of_their_own(live_server, engine, sign_in):
    case_id, urls = pages_of(live_server, engine)
    page = sign_in("fao_clerk")
    assert page.locator("html").get_attribute("lang") == "zh-Hans-CN"
    values = sorted(data_values(live_server) + KNOWN_ZH_GAPS, key=len, reverse=True)
    for url in urls:
        page.goto(url)
        left = []
        for text, where in own_words(page, values):
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9+\-]*[A-Za-z0-9]", text) if w not in LATIN_OK]
            if words:
                left.append((words, text, where))
        assert not left, f"untranslated English on {url}: {left}"
    page.goto(urls[2])
    assert page.get_by_role("button", name="提交", exact=True).is_visible()
