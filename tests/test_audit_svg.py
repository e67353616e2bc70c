"""The server-side BPMN diagram (engine/audit/svg.py): shapes from the DI, states, flows taken,
badges, heat, escaping, and clear errors for files that cannot be drawn. No database."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.audit.svg import element_kinds, flow_index, render_svg, wrap
from engine.errors import DefinitionInvalid, NotFound, WaishiError

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
CONFORMANCE = Path("/work/shared/conformance/files")
SVG = "{http://www.w3.org/2000/svg}"
TRIP = (PROCESSES / "trip_staff.bpmn").read_bytes()


def _tree(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def _element(root: etree._Element, element_id: str) -> etree._Element:
    found = [el for el in root.iter() if el.get("data-element-id") == element_id]
    assert len(found) == 1, element_id
    return found[0]


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _texts(el: etree._Element) -> str:
    return "".join(el.itertext())


def test_trip_staff_draws_every_shape_and_edge_of_its_di():
    root = _tree(render_svg(TRIP, "trip_staff"))
    assert root.tag == f"{SVG}svg"
    di = etree.fromstring(TRIP)
    shapes = {s.get("bpmnElement") for s in di.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
    edges = {s.get("bpmnElement") for s in di.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
    drawn = {el.get("data-element-id") for el in root.iter() if el.get("data-element-id")}
    assert shapes | edges == drawn
    assert "el-userTask" in _classes(_element(root, "ut_apply"))
    assert _element(root, "gw_route").find(f"{SVG}polygon") is not None  # a diamond
    assert _element(root, "start").find(f"{SVG}circle") is not None
    # Chinese names are written, lanes named by their role in Chinese, vertically
    text = _texts(root)
    assert "填写出访申请" in text and "申请单位经办人（外事专办员）" in text
    lane = _element(root, "lane_unit_clerk").find(f"{SVG}text")
    assert lane.get("transform", "").startswith("rotate(-90")
    assert "Unit clerk" in _texts(_tree(render_svg(TRIP, "trip_staff", lang="en")))


def test_viewbox_fits_the_diagram_with_a_margin():
    root = _tree(render_svg(TRIP, "trip_staff"))
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    assert (float(root.get("width")), float(root.get("height"))) == (w, h)
    # The pool is the outermost shape: x=150 y=80 5550×2330
    assert x == 130 and y == 60
    assert x + w >= 5700 + 20 and y + h >= 2410 + 20


def test_states_flows_overlays_and_heat():
    svg = render_svg(TRIP, "trip_staff", states={"start": "completed", "ut_apply": "current",
                                                 "brt_route": "cancelled", "st_init": "bogus"},
                     flows={"f_start"}, overlays={"ut_apply": "12", "f_init": "7"},
                     heat={"ut_head_sign": 1.0, "ut_fao_check": 0.0})
    root = _tree(svg)
    start, apply, route = (_element(root, i) for i in ("start", "ut_apply", "brt_route"))
    assert "el-completed" in _classes(start) and start.find(f"{SVG}circle").get("stroke") == "#52b415"
    rect = apply.find(f"{SVG}rect")
    assert "el-current" in _classes(apply) and (rect.get("stroke"), rect.get("fill")) == ("#ff9800", "#fff3e0")
    assert "el-cancelled" in _classes(route) and route.find(f"{SVG}rect").get("stroke-dasharray")
    assert not {"el-bogus", "el-completed"} & _classes(_element(root, "st_init"))
    taken, other = _element(root, "f_start"), _element(root, "f_apply")
    assert "el-taken" in _classes(taken) and taken.find(f"{SVG}polyline").get("stroke") == "#52b415"
    assert taken.find(f"{SVG}polygon") is not None  # the arrowhead
    assert float(taken.find(f"{SVG}polyline").get("stroke-width")) > float(
        other.find(f"{SVG}polyline").get("stroke-width"))
    assert other.find(f"{SVG}polyline").get("stroke") not in ("#52b415", "#333333")  # light grey
    badges = [_texts(b) for b in root.iter(f"{SVG}g") if b.get("class") == "badge"]
    assert sorted(badges) == ["12", "7"]
    assert _element(root, "ut_head_sign").find(f"{SVG}rect").get("fill") == "#d7301f"
    assert _element(root, "ut_fao_check").find(f"{SVG}rect").get("fill") == "#fff7bc"


def test_heat_wins_over_the_state_fill_but_not_the_stroke():
    root = _tree(render_svg(TRIP, "trip_staff", states={"ut_apply": "completed"}, heat={"ut_apply": 0.5}))
    rect = _element(root, "ut_apply").find(f"{SVG}rect")
    assert rect.get("stroke") == "#52b415" and rect.get("fill") not in ("#e8f5e0", "#ffffff")


def test_without_a_path_flows_are_drawn_dark():
    root = _tree(render_svg(TRIP, "trip_staff"))
    assert _element(root, "f_apply").find(f"{SVG}polyline").get("stroke") == "#333333"


def test_labels_and_titles_are_escaped():
    hostile = b'name="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"'
    bpmn = TRIP.replace('name="填写出访申请"'.encode(), hostile)
    svg = render_svg(bpmn, "trip_staff", title='<b onload="x">', overlays={"ut_apply": '"><script>'})
    assert "<script" not in svg and "<b " not in svg
    root = _tree(svg)
    assert "<script>alert(\"x\")</script>" in _texts(_element(root, "ut_apply"))
    assert root.find(f"{SVG}title").text == '<b onload="x">'


def test_hostile_element_ids_stay_attribute_values():
    path = CONFORMANCE / "camunda-modeler/xss.bpmn"
    if not path.exists():
        pytest.skip("conformance corpus not present")
    root = _tree(render_svg(path.read_bytes(), "Process_1f6kxcw"))
    assert _element(root, '"><').tag == f"{SVG}g"


def test_wrapping_cjk_per_character_latin_per_word():
    assert wrap("不属本流程，告知改用领导出访流程", 90) == ["不属本流程，告", "知改用领导出访", "流程"]
    assert wrap("Collapsed Sub-Process", 90) == ["Collapsed Sub-", "Process"]
    assert wrap("一二三四五六七八九十" * 3, 60, max_lines=2)[-1].endswith("…")
    assert wrap("记录意见。", 48) == ["记录意见。"]  # closing punctuation never starts a line


def test_flow_index_and_element_kinds():
    flows = flow_index(TRIP, "trip_staff")
    assert flows[("start", "st_init")] == "f_start"
    assert flows[("gw_route", "ut_head_sign")] == "f_route_ok"
    kinds = element_kinds(TRIP, "trip_staff")
    assert kinds["ut_apply"] == "userTask" and kinds["gw_route"] == "exclusiveGateway"
    assert kinds["bt_head_sign_remind"] == "boundaryEvent" and kinds["f_start"] == "sequenceFlow"
    assert "trip_staff" not in kinds


def test_embedded_subprocess_flows_are_indexed():
    path = CONFORMANCE / "SpiffWorkflow/transaction.bpmn"
    if not path.exists():
        pytest.skip("conformance corpus not present")
    content = path.read_bytes()
    root = etree.fromstring(content)
    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    nested = [f for sp in root.iter(f"{bpmn}transaction", f"{bpmn}subProcess") for f in sp.iter(f"{bpmn}sequenceFlow")]
    assert nested
    assert set(flow_index(content, "Main_Process").values()) >= {f.get("id") for f in nested}


@pytest.mark.parametrize("name", sorted(p.name for p in PROCESSES.glob("*.bpmn")))
def test_every_shipped_diagram_renders(name):
    content = (PROCESSES / name).read_bytes()
    process_id = etree.fromstring(content).find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process").get("id")
    root = _tree(render_svg(content, process_id, title=name))
    assert len([el for el in root.iter() if el.get("data-element-id")]) > 10


def test_errors_are_waishi_errors_in_both_languages():
    with pytest.raises(NotFound) as missing:
        render_svg(TRIP, "no_such_process")
    assert missing.value.text("zh") != missing.value.text("en")
    no_di = TRIP[:TRIP.index(b"<bpmndi:BPMNDiagram")] + b"</bpmn:definitions>"
    with pytest.raises(NotFound) as undrawn:
        render_svg(no_di, "trip_staff")
    assert "BPMN DI" in undrawn.value.text("zh") and "BPMN DI" in undrawn.value.text("en")
    for bad in (b"<bpmn:definitions", b"", b"\x89PNG\r\n\x1a\nxx", "not bytes"):
        with pytest.raises(DefinitionInvalid):
            render_svg(bad, "trip_staff")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        flow_index(TRIP, "nope")


def test_the_conformance_corpus_never_raises_anything_else():
    files = sorted(p for p in CONFORMANCE.rglob("*") if p.is_file()) if CONFORMANCE.exists() else []
    if not files:
        pytest.skip("conformance corpus not present")
    drawn = 0
    for path in files:
        content = path.read_bytes()
        try:
            ids = [p.get("id") or "" for p in etree.fromstring(content, etree.XMLParser(
                resolve_entities=False, no_network=True, load_dtd=False)).iter(
                "{http://www.omg.org/spec/BPMN/20100524/MODEL}process")]
        except etree.XMLSyntaxError:
            ids = []
        for process_id in ids or ["missing"]:
            try:
                _tree(render_svg(content, process_id, states={"x": "completed"}, overlays={"x": "1"}))
                flow_index(content, process_id)
                element_kinds(content, process_id)
                drawn += 1
            except WaishiError:
                pass
    assert drawn > 40
