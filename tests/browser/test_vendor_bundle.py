"""The analyst's workspace bundle (webapp/static/vendor/modeler/waishi-modeler.js, built by
`make vendor` from webapp/assets/build.mjs) in Debian's Chromium: one page, served from 127.0.0.1
with the web app's Content-Security-Policy (no inline script, no eval), loads the bundle and the CSS
beside it the way the app's modeler pages do, and drives the global `WaishiModeler`:

- createModeler: processes/trip_staff.bpmn (lanes, camunda:formKey, Chinese names) imports without
  warnings and lints clean; the properties panel shows a user task's form key, renames it, and
  saveXML has the new name; the UI is Chinese (no untranslated string for user tasks, gateways,
  timers, call activities, business rule tasks, lanes, scripts, conditions); a broken copy gets
  our own lint rules' markers; token simulation toggles.
- createDmnEditor: processes/trip_limits.dmn opens as its decision table, in Chinese.
- createFormEditor: forms/trip_staff_apply.form opens, a field drags in from the palette (the form
  editor's own preact, see build.mjs), saveSchema round-trips.
- diff: a renamed and a removed task are reported, with the property names and old/new values.
- createViewer: read-only.

No bundle is a failure, never a skip: `make install` always builds it.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from engine.roles import TASK_ROLES
from webapp import CONTENT_SECURITY_POLICY

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "webapp" / "static" / "vendor"
BUNDLE = VENDOR / "modeler" / "waishi-modeler.js"
STAFF = REPO / "processes" / "trip_staff.bpmn"
LIMITS = REPO / "processes" / "trip_limits.dmn"
FORM = REPO / "forms" / "trip_staff_apply.form"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

CSS = [
    "modeler/diagram-js.css", "modeler/bpmn-js.css", "modeler/bpmn-font/css/bpmn-embedded.css",
    "modeler/properties-panel.css", "modeler/bpmn-js-token-simulation.css", "modeler/bpmn-js-bpmnlint.css",
    "modeler/dmn-js/dmn-js-shared.css", "modeler/dmn-js/dmn-js-drd.css", "modeler/dmn-js/dmn-js-decision-table.css",
    "modeler/dmn-js/dmn-js-decision-table-controls.css", "modeler/dmn-js/dmn-js-literal-expression.css",
    "modeler/dmn-js/dmn-js-boxed-expression.css", "modeler/dmn-js/dmn-js-boxed-expression-controls.css",
    "modeler/dmn-js/dmn-font/css/dmn-embedded.css",
    "modeler/form-js/form-js.css", "modeler/form-js/form-js-editor-base.css", "modeler/form-js/draggle.css",
    "modeler/waishi-modeler.css",
]
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>WaishiModeler</title>
<link rel="icon" href="data:,">
{links}
<style>
  body {{ margin: 0; }}
  .pane {{ display: flex; height: 700px; border-bottom: 1px solid #999; }}
  #canvas, #viewer {{ flex: 1; position: relative; }}
  #props {{ width: 340px; overflow: auto; }}
  #dmn, #form {{ height: 700px; overflow: auto; border-bottom: 1px solid #999; }}
</style></head>
<body>
  <div class="pane"><div id="canvas"></div><div id="props"></div></div>
  <div id="dmn"></div>
  <div id="form"></div>
  <div class="pane"><div id="viewer"></div></div>
  <script src="{bundle}"></script>
</body></html>
"""

# One untranslated string per element type is a failure: the dictionary is webapp/assets/i18n-zh.js.
VISITED = ["ut_head_sign", "gw_over_limit", "bt_head_sign_remind", "ca_passport_visa", "brt_limits",
           "st_init", "lane_unit_clerk", "f_over_limit", "f_within_limits", "p_trip_staff", "start", "end_done"]


class _Site(SimpleHTTPRequestHandler):
    """Static files with the web app's Content-Security-Policy, no log line per request."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        super().end_headers()

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def bundle_page_url(tmp_path_factory) -> Iterator[str]:
    if not BUNDLE.is_file():
        pytest.fail(f"{BUNDLE.relative_to(REPO)} is missing: run `make vendor` (part of `make install`; it needs "
                    "Node.js 20 and npm) to build the modeler bundle, then run the tests again.", pytrace=False)
    missing = [css for css in CSS if not (VENDOR / css).is_file()]
    assert not missing, f"not built by webapp/assets/build.mjs: {missing}"
    site = tmp_path_factory.mktemp("vendor-bundle")
    (site / "vendor").symlink_to(VENDOR, target_is_directory=True)
    links = "\n".join(f'<link rel="stylesheet" href="vendor/{css}">' for css in CSS)
    (site / "bundle.html").write_text(PAGE.format(links=links, bundle="vendor/modeler/waishi-modeler.js"),
                                      encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Site, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/bundle.html"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture
def page(browser, bundle_page_url):
    """The bundle page in a fresh context; a script error or a console error (a file not found, a
    Content-Security-Policy refusal) on it fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(bundle_page_url)
    assert page.evaluate("typeof WaishiModeler") == "object", "the bundle did not define WaishiModeler"
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def open_modeler(page, xml: str) -> list[str]:
    """createModeler on #canvas/#props in Chinese, `xml` imported; the import warnings."""
    return page.evaluate("""async (xml) => {
        window.modeler = WaishiModeler.createModeler(
            { container: '#canvas', propertiesParent: '#props', locale: 'zh' });
        const { warnings } = await modeler.importXML(xml);
        return warnings.map((w) => w.message);
    }""", xml)


def select(page, element_id: str) -> None:
    page.evaluate("(id) => modeler.get('selection').select(modeler.get('elementRegistry').get(id))", element_id)


def open_all_groups(page) -> None:
    headers = page.locator("#props .bio-properties-panel-group-header")
    for i in range(headers.count()):
        if "open" not in (headers.nth(i).get_attribute("class") or ""):
            headers.nth(i).click()


def broken_staff() -> str:
    """trip_staff.bpmn breaking each of our lint rules once."""
    xml = STAFF.read_text(encoding="utf-8")
    edits = [
        ('<bpmn:flowNodeRef>ut_apply</bpmn:flowNodeRef>', ''),  # ut_apply: in no lane
        ('<bpmn:lane id="lane_unit_head" name="unit_head">', '<bpmn:lane id="lane_unit_head" name="单位负责人">'),
        (' camunda:formKey="trip_staff_fao_check"', ''),  # ut_fao_check: no form key
        ('<bpmn:exclusiveGateway id="gw_over_limit" name="超限？" default="f_within_limits"/>',
         '<bpmn:exclusiveGateway id="gw_over_limit" name="超限？"/>'),  # conditions, no default
    ]
    for old, new in edits:
        assert xml.count(old) == 1, f"trip_staff.bpmn changed: update this test's edit {old!r}"
        xml = xml.replace(old, new)
    return xml


def without(xml: str, element_id: str) -> tuple[str, set[str]]:
    """`xml` without the flow node `element_id`, its sequence flows, lane references and DI; the
    ids removed."""
    root = etree.fromstring(xml.encode("utf-8"))
    ns = {"bpmn": BPMN_NS}
    gone = {element_id} | {f.get("id") for f in root.iterfind(".//bpmn:sequenceFlow", ns)
                           if element_id in (f.get("sourceRef"), f.get("targetRef"))}
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.get("id") in gone or el.get("bpmnElement") in gone or (
                el.tag == f"{{{BPMN_NS}}}flowNodeRef" and el.text in gone):
            el.getparent().remove(el)
    return etree.tostring(root, encoding="unicode"), gone


# -- the bundle ----------------------------------------------------------------------------------

def test_global_api_and_versions(page):
    api = page.evaluate("Object.fromEntries(Object.entries(WaishiModeler).map(([k, v]) => [k, typeof v]))")
    for name in ("createModeler", "createDmnEditor", "createFormEditor", "createViewer", "diff"):
        assert api.get(name) == "function", api
    pinned = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    versions = page.evaluate("WaishiModeler.versions")
    for package, version in versions.items():
        if package in pinned:
            assert pinned[package] == version, (package, version, pinned[package])
    assert versions["bpmn-js"] == pinned["bpmn-js"]


def test_lint_roles_are_the_engines_task_roles():
    roles = (REPO / "webapp" / "assets" / "bpmnlint-plugin-waishi" / "rules" / "roles.js").read_text(encoding="utf-8")
    assert set(re.findall(r"'([a-z_]+)'", roles)) == set(TASK_ROLES)


# -- the BPMN modeler ------------------------------------------------------------------------------

def test_modeler_edits_a_user_task_through_the_properties_panel(page):
    assert open_modeler(page, STAFF.read_text(encoding="utf-8")) == []
    page.evaluate("""() => { const canvas = modeler.get('canvas'); canvas.zoom(1.0);
        canvas.scrollToElement(modeler.get('elementRegistry').get('ut_head_sign')); }""")
    page.locator('#canvas .djs-element[data-element-id="ut_head_sign"]').click()
    assert page.locator("#props .bio-properties-panel-header-type").inner_text().strip() == "用户任务"
    groups = page.locator("#props .bio-properties-panel-group-header-title").all_inner_texts()
    assert {"常规", "用户分配", "表单"} <= set(groups), groups

    page.locator("#props .bio-properties-panel-group-header", has_text="表单").first.click()
    assert page.locator("#bio-properties-panel-formKey").input_value() == "trip_staff_head_sign"

    page.locator("#props .bio-properties-panel-group-header", has_text="常规").first.click()
    name = page.locator("#bio-properties-panel-name")
    assert name.input_value() == "单位负责人审签"
    name.fill("单位负责人审签并盖章")
    page.wait_for_function(
        "() => modeler.get('elementRegistry').get('ut_head_sign').businessObject.name === '单位负责人审签并盖章'")
    xml = page.evaluate("async () => (await modeler.saveXML({ format: true })).xml")
    task = re.search(r'<bpmn:userTask id="ut_head_sign"[^>]*>', xml)
    assert task and 'name="单位负责人审签并盖章"' in task.group(0), task
    assert 'camunda:formKey="trip_staff_head_sign"' in task.group(0)
    assert "bpmn.io" in page.locator("#canvas .bjs-powered-by").get_attribute("title").lower()


def test_modeler_ui_is_chinese(page):
    open_modeler(page, STAFF.read_text(encoding="utf-8"))
    palette = page.evaluate("[...document.querySelectorAll('#canvas .djs-palette .entry[aria-label]')]"
                            ".map((e) => e.getAttribute('aria-label'))")
    assert "创建任务" in palette and "创建开始事件" in palette, palette
    headers = {}
    for element_id in VISITED:
        select(page, element_id)
        open_all_groups(page)
        headers[element_id] = page.locator("#props .bio-properties-panel-header-type").inner_text().strip()
    assert headers["ut_head_sign"] == "用户任务" and headers["gw_over_limit"] == "排他网关"
    assert headers["lane_unit_clerk"] == "泳道" and headers["ca_passport_visa"] == "调用活动"
    select(page, "ut_apply")
    page.evaluate("modeler.get('contextPad').open(modeler.get('elementRegistry').get('ut_apply'))")
    page.locator('#canvas .djs-context-pad .entry[data-action="replace"]').click()
    assert "业务规则任务" in page.locator(".djs-popup").inner_text()
    page.keyboard.press("Escape")
    missing = page.evaluate("[...WaishiModeler.i18n.missing.bpmn].sort()")
    assert missing == [], f"untranslated (add them to webapp/assets/i18n-zh.js): {missing}"


def test_trip_staff_lints_clean(page):
    open_modeler(page, STAFF.read_text(encoding="utf-8"))
    assert page.evaluate("async () => await modeler.get('linting').lint()") == {}
    page.wait_for_function("() => document.querySelector('.bjsl-button') && "
                           "document.querySelector('.bjsl-button').textContent.includes('没有问题')")


def test_our_lint_rules_mark_a_broken_diagram(page):
    open_modeler(page, broken_staff())
    issues = page.evaluate("async () => await modeler.get('linting').lint()")
    found = {(rule, issue["id"]) for rule, items in issues.items() for issue in items}
    assert {("waishi/user-task-in-role-lane", "ut_apply"), ("waishi/user-task-in-role-lane", "ut_head_sign"),
            ("waishi/user-task-form-key", "ut_fao_check"),
            ("waishi/exclusive-gateway-default", "gw_over_limit")} <= found, issues
    assert all(issue["category"] == "error" for rule, items in issues.items() if rule.startswith("waishi/")
               for issue in items)

    page.wait_for_function("() => document.querySelector('.bjsl-button').textContent.includes('个错误')")
    page.evaluate("""() => { const canvas = modeler.get('canvas'); canvas.zoom(1.0);
        canvas.scrollToElement(modeler.get('elementRegistry').get('ut_fao_check')); }""")
    marker = page.locator('#canvas .djs-overlays[data-container-id="ut_fao_check"] .bjsl-overlay')
    marker.hover()
    assert "用户任务没有表单键（camunda:formKey）" in marker.inner_text()


def test_token_simulation_toggles(page):
    open_modeler(page, STAFF.read_text(encoding="utf-8"))
    toggle = page.locator("#canvas .bts-toggle-mode")
    assert "令牌模拟" in toggle.inner_text()  # its literal English rewritten (dom-i18n.js)
    toggle.click()
    assert page.evaluate("modeler.get('toggleMode')._active") is True
    assert "令牌模拟" in toggle.inner_text()
    assert page.locator('#canvas [title="重置模拟"]').count() == 1
    page.locator('#canvas .djs-overlays[data-container-id="start"] .bts-context-pad').first.click()
    page.wait_for_function("() => document.querySelectorAll('#canvas .bts-token').length > 0")
    toggle.click()
    assert page.evaluate("modeler.get('toggleMode')._active") is False


# -- DMN, forms, diff, viewer ----------------------------------------------------------------------

def test_dmn_editor_opens_the_decision_table_in_chinese(page):
    xml = LIMITS.read_text(encoding="utf-8")
    view = page.evaluate("""async (xml) => {
        window.dmn = WaishiModeler.createDmnEditor({ container: '#dmn', locale: 'zh' });
        const { warnings } = await dmn.importXML(xml);
        const view = dmn.getActiveView();
        return { warnings: warnings.map((w) => w.message), type: view.type, id: view.element.id };
    }""", xml)
    assert view == {"warnings": [], "type": "decisionTable", "id": "trip_limits"}
    assert page.locator("#dmn tbody tr").count() == xml.count("<rule ")
    assert "命中策略" in page.locator("#dmn .hit-policy").inner_text()
    assert "出访国家数（含经停）" in page.locator("#dmn thead").inner_text()
    page.locator("#dmn tbody td.input-cell").first.click(button="right")
    assert "在下方添加规则" in page.locator(".context-menu").inner_text()
    page.keyboard.press("Escape")
    assert page.evaluate("[...WaishiModeler.i18n.missing.dmn]") == []
    saved = page.evaluate("async () => (await dmn.saveXML({ format: true })).xml")
    assert 'id="trip_limits"' in saved and saved.count("<rule ") == xml.count("<rule ")


def test_form_editor_opens_edits_and_saves_a_form(page):
    schema = json.loads(FORM.read_text(encoding="utf-8"))
    warnings = page.evaluate("""async (schema) => {
        window.formEditor = WaishiModeler.createFormEditor({ container: '#form', locale: 'zh' });
        return (await formEditor.importSchema(schema)).warnings.map(String);
    }""", schema)
    assert warnings == []
    palette = page.locator("#form .fjs-palette")
    assert "文本框" in palette.inner_text() and "Text field" not in palette.inner_text()
    assert page.locator('#form .fjs-palette input[placeholder="搜索组件"]').count() == 1
    assert "团组名称" in page.locator("#form .fjs-form-field label").all_inner_texts()[1]
    page.locator('#form [data-id="f_delegation_name"]').first.click()
    assert "团组名称" in page.locator("#form .fjs-properties-panel .bio-properties-panel-header").inner_text()
    assert "常规" in page.locator("#form .fjs-properties-panel").inner_text()

    # drag a number field from the palette under the delegation name
    source = page.locator('#form .fjs-palette-field[data-field-type="number"]').bounding_box()
    target = page.locator('#form [data-id="f_delegation_name"]').first.bounding_box()
    start = (source["x"] + 20, source["y"] + 20)
    end = (target["x"] + 200, target["y"] + target["height"] - 5)
    page.mouse.move(*start)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(start[0] + (end[0] - start[0]) * step / 20, start[1] + (end[1] - start[1]) * step / 20)
    page.mouse.up()
    page.wait_for_function(f"() => formEditor.saveSchema().components.length === {len(schema['components']) + 1}")
    saved = page.evaluate("formEditor.saveSchema()")
    assert saved["id"] == schema["id"]
    assert [c["type"] for c in saved["components"]].count("number") == \
        [c["type"] for c in schema["components"]].count("number") + 1
    assert page.locator("#form .fjs-powered-by").count() == 1


def test_diff_reports_a_renamed_and_a_removed_task(page):
    old = STAFF.read_text(encoding="utf-8")
    assert old.count('name="单位负责人审签"') == 1
    new, removed_ids = without(old.replace('name="单位负责人审签"', 'name="单位负责人签字"'), "st_head_sign_remind")
    assert removed_ids == {"st_head_sign_remind", "f_head_sign_remind", "f_head_sign_remind_end"}

    same = page.evaluate("async (xml) => await WaishiModeler.diff(xml, xml)", old)
    assert same == {"added": [], "removed": [], "changed": [], "layoutChanged": []}

    result = page.evaluate("async ([a, b]) => await WaishiModeler.diff(a, b)", [old, new])
    assert result["added"] == []
    assert {item["id"] for item in result["removed"]} == removed_ids
    assert {"id": "st_head_sign_remind", "type": "bpmn:ScriptTask", "name": "发送待办提醒"} in result["removed"]
    changed = {item["id"]: item for item in result["changed"]}
    assert set(changed) == {"ut_head_sign"}, changed
    assert changed["ut_head_sign"]["type"] == "bpmn:UserTask"
    assert changed["ut_head_sign"]["properties"] == ["name"]
    assert changed["ut_head_sign"]["attrs"]["name"] == {"oldValue": "单位负责人审签", "newValue": "单位负责人签字"}


def test_viewer_is_read_only(page):
    result = page.evaluate("""async (xml) => {
        const viewer = WaishiModeler.createViewer({ container: '#viewer' });
        const { warnings } = await viewer.importXML(xml);
        return { warnings: warnings.length, modeling: !!viewer.get('modeling', false),
                 hasTask: !!viewer.get('elementRegistry').get('ut_apply') };
    }""", STAFF.read_text(encoding="utf-8"))
    assert result == {"warnings": 0, "modeling": False, "hasTask": True}
