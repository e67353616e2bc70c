"""Tiny BPMN writer with a grid layout (lanes stacked, nodes on columns/rows)."""

from xml.sax.saxutils import escape, quoteattr

COLW, ROWH, X0, LANE_LABEL = 160, 120, 220, 30
SIZES = {
    "start": (36, 36),
    "end": (36, 36),
    "gw": (50, 50),
    "user": (100, 80),
    "script": (100, 80),
    "rule": (100, 80),
    "boundary": (36, 36),
}


class P:
    def __init__(self, pid, name, doc, lanes, comment):
        self.pid, self.name, self.doc, self.lanes, self.comment = pid, name, doc, lanes, comment
        self.nodes, self.flows, self.order = {}, [], []

    def _add(self, kind, nid, name, lane, col, row, **kw):
        assert nid not in self.nodes, nid
        self.nodes[nid] = dict(kind=kind, id=nid, name=name, lane=lane, col=col, row=row, inc=[], out=[], **kw)
        self.order.append(nid)
        return nid

    def start(self, nid, name, lane, col, row=0):
        return self._add("start", nid, name, lane, col, row)

    def end(self, nid, name, lane, col, row=0):
        return self._add("end", nid, name, lane, col, row)

    def user(self, nid, name, lane, col, form, doc, row=0):
        return self._add("user", nid, name, lane, col, row, form=form, doc=doc)

    def script(self, nid, name, lane, col, script, doc, row=0):
        return self._add("script", nid, name, lane, col, row, script=script.strip("\n"), doc=doc)

    def rule(self, nid, name, lane, col, decision, doc, row=0):
        return self._add("rule", nid, name, lane, col, row, decision=decision, doc=doc)

    def gw(self, nid, name, lane, col, row=0, default=None):
        return self._add("gw", nid, name, lane, col, row, default=default)

    def boundary(self, nid, name, host, expr, date=False, cancel=False, slot=0):
        h = self.nodes[host]
        return self._add(
            "boundary",
            nid,
            name,
            h["lane"],
            h["col"],
            h["row"],
            host=host,
            expr=expr,
            date=date,
            cancel=cancel,
            slot=slot,
        )

    def flow(self, src, tgt, name=None, cond=None, fid=None):
        fid = fid or f"f_{src}_{tgt}"
        self.flows.append(dict(id=fid, src=src, tgt=tgt, name=name, cond=cond))
        self.nodes[src]["out"].append(fid)
        self.nodes[tgt]["inc"].append(fid)
        return fid

    # -- layout --------------------------------------------------------------------------------
    def _layout(self):
        rows = {ln: 0 for ln in self.lanes}
        for n in self.nodes.values():
            rows[n["lane"]] = max(rows[n["lane"]], n["row"] + (1 if n["kind"] == "boundary" else 0))
        top, self.lane_box = 80, {}
        maxcol = max(n["col"] for n in self.nodes.values())
        self.width = X0 + (maxcol + 1) * COLW + 60
        for ln in self.lanes:
            h = 140 + rows[ln] * ROWH
            self.lane_box[ln] = (top, h)
            top += h
        self.height = top - 80
        for n in self.nodes.values():
            w, h = SIZES[n["kind"]]
            if n["kind"] == "boundary":
                host = self.nodes[n["host"]]
                n["x"], n["y"] = host["x"] + 14 + n["slot"] * 40, host["y"] + 80 - 18
            else:
                ltop, _ = self.lane_box[n["lane"]]
                cx, cy = X0 + n["col"] * COLW, ltop + 70 + n["row"] * ROWH
                n["x"], n["y"] = cx - w // 2, cy - h // 2
            n["w"], n["h"] = w, h

    def _way(self, f):
        s, t = self.nodes[f["src"]], self.nodes[f["tgt"]]
        if s["kind"] == "boundary":
            sx, sy = s["x"] + 18, s["y"] + 36
            tx, ty = t["x"], t["y"] + t["h"] // 2
            return [(sx, sy), (sx, ty), (tx, ty)] if tx > sx else [(sx, sy), (sx, ty), (t["x"] + t["w"], ty)]
        sx, sy = s["x"] + s["w"], s["y"] + s["h"] // 2
        tx, ty = t["x"], t["y"] + t["h"] // 2
        if tx > sx:
            if sy == ty:
                return [(sx, sy), (tx, ty)]
            mx = sx + 20
            return [(sx, sy), (mx, sy), (mx, ty), (tx, ty)]
        # back edge: below both
        bx, by = s["x"] + s["w"] // 2, s["y"] + s["h"]
        ex, ey = t["x"] + t["w"] // 2, t["y"] + t["h"]
        low = max(by, ey) + 25
        return [(bx, by), (bx, low), (ex, low), (ex, ey)]

    def xml(self):
        self._layout()
        o = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<!-- {escape(self.comment)} -->",
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
            '                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"',
            '                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"',
            '                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"',
            '                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
            '                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
            f'                  id="defs_{self.pid}" targetNamespace="http://waishi.lanzhou/processes" exporter="waishi layout script" exporterVersion="1">',
            f'  <bpmn:collaboration id="collab_{self.pid}">',
            f'    <bpmn:participant id="p_{self.pid}" name={quoteattr(self.name)} processRef="{self.pid}"/>',
            "  </bpmn:collaboration>",
            f'  <bpmn:process id="{self.pid}" name={quoteattr(self.name)} isExecutable="true">',
            f"    <bpmn:documentation>{escape(self.doc)}</bpmn:documentation>",
            f'    <bpmn:laneSet id="ls_{self.pid}">',
        ]
        for ln in self.lanes:
            o.append(f'      <bpmn:lane id="lane_{ln}" name="{ln}">')
            for nid in self.order:
                if self.nodes[nid]["lane"] == ln:
                    o.append(f"        <bpmn:flowNodeRef>{nid}</bpmn:flowNodeRef>")
            o.append("      </bpmn:lane>")
        o.append("    </bpmn:laneSet>")
        for nid in self.order:
            n = self.nodes[nid]
            o.extend(self._node_xml(n))
        for f in self.flows:
            name = f" name={quoteattr(f['name'])}" if f["name"] else ""
            if f["cond"]:
                o.append(f'    <bpmn:sequenceFlow id="{f["id"]}"{name} sourceRef="{f["src"]}" targetRef="{f["tgt"]}">')
                o.append(
                    f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(f["cond"])}</bpmn:conditionExpression>'
                )
                o.append("    </bpmn:sequenceFlow>")
            else:
                o.append(f'    <bpmn:sequenceFlow id="{f["id"]}"{name} sourceRef="{f["src"]}" targetRef="{f["tgt"]}"/>')
        o.append("  </bpmn:process>")
        o.append(f'  <bpmndi:BPMNDiagram id="diagram_{self.pid}">')
        o.append(f'    <bpmndi:BPMNPlane id="plane_{self.pid}" bpmnElement="collab_{self.pid}">')
        o.append(f'      <bpmndi:BPMNShape id="p_{self.pid}_di" bpmnElement="p_{self.pid}" isHorizontal="true">')
        o.append(f'        <dc:Bounds x="100" y="80" width="{self.width}" height="{self.height}"/>')
        o.append("      </bpmndi:BPMNShape>")
        for ln in self.lanes:
            top, h = self.lane_box[ln]
            o.append(f'      <bpmndi:BPMNShape id="lane_{ln}_di" bpmnElement="lane_{ln}" isHorizontal="true">')
            o.append(f'        <dc:Bounds x="130" y="{top}" width="{self.width - 30}" height="{h}"/>')
            o.append("      </bpmndi:BPMNShape>")
        for nid in self.order:
            n = self.nodes[nid]
            marker = ' isMarkerVisible="true"' if n["kind"] == "gw" else ""
            o.append(f'      <bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"{marker}>')
            o.append(f'        <dc:Bounds x="{n["x"]}" y="{n["y"]}" width="{n["w"]}" height="{n["h"]}"/>')
            if n["kind"] in ("start", "end", "gw", "boundary") and n["name"]:
                o.append("        <bpmndi:BPMNLabel>")
                o.append(f'          <dc:Bounds x="{n["x"] - 22}" y="{n["y"] + n["h"] + 4}" width="80" height="20"/>')
                o.append("        </bpmndi:BPMNLabel>")
            o.append("      </bpmndi:BPMNShape>")
        for f in self.flows:
            o.append(f'      <bpmndi:BPMNEdge id="{f["id"]}_di" bpmnElement="{f["id"]}">')
            for x, y in self._way(f):
                o.append(f'        <di:waypoint x="{x}" y="{y}"/>')
            o.append("      </bpmndi:BPMNEdge>")
        o += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>", "</bpmn:definitions>", ""]
        return "\n".join(o)

    def _node_xml(self, n):
        k, nid = n["kind"], n["id"]
        name = f" name={quoteattr(n['name'])}" if n["name"] else ""
        io = [f"      <bpmn:incoming>{i}</bpmn:incoming>" for i in n["inc"]] + [
            f"      <bpmn:outgoing>{i}</bpmn:outgoing>" for i in n["out"]
        ]
        doc = [f"      <bpmn:documentation>{escape(n['doc'])}</bpmn:documentation>"] if n.get("doc") else []
        if k == "start":
            return [f'    <bpmn:startEvent id="{nid}"{name}>', *io, "    </bpmn:startEvent>"]
        if k == "end":
            return [f'    <bpmn:endEvent id="{nid}"{name}>', *io, "    </bpmn:endEvent>"]
        if k == "gw":
            d = f' default="{n["default"]}"' if n["default"] else ""
            return [f'    <bpmn:exclusiveGateway id="{nid}"{name}{d}>', *io, "    </bpmn:exclusiveGateway>"]
        if k == "user":
            return [
                f'    <bpmn:userTask id="{nid}"{name} camunda:formKey="{n["form"]}">',
                *doc,
                *io,
                "    </bpmn:userTask>",
            ]
        if k == "rule":
            return [
                f'    <bpmn:businessRuleTask id="{nid}"{name} camunda:decisionRef="{n["decision"]}">',
                *doc,
                *io,
                "    </bpmn:businessRuleTask>",
            ]
        if k == "script":
            return [
                f'    <bpmn:scriptTask id="{nid}"{name} scriptFormat="python">',
                *doc,
                *io,
                f"      <bpmn:script>{escape(n['script'])}</bpmn:script>",
                "    </bpmn:scriptTask>",
            ]
        if k == "boundary":
            tag = "timeDate" if n["date"] else "timeDuration"
            cancel = "true" if n["cancel"] else "false"
            return [
                f'    <bpmn:boundaryEvent id="{nid}"{name} attachedToRef="{n["host"]}" cancelActivity="{cancel}">',
                *io,
                f'      <bpmn:timerEventDefinition id="td_{nid}">',
                f'        <bpmn:{tag} xsi:type="bpmn:tFormalExpression">{escape(n["expr"])}</bpmn:{tag}>',
                "      </bpmn:timerEventDefinition>",
                "    </bpmn:boundaryEvent>",
            ]
        raise ValueError(k)


def form(fid, components):
    import json

    out = {
        "type": "default",
        "id": fid,
        "schemaVersion": 16,
        "exporter": {"name": "waishi form script", "version": "1"},
        "components": [],
    }
    used = set()
    for c in components:
        c = dict(c)
        base = "c_" + (c.get("key") or c.get("type"))
        cid, i = base, 2
        while cid in used:
            cid, i = f"{base}_{i}", i + 1
        used.add(cid)
        c["id"] = cid
        out["components"].append(c)
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def text(md):
    return {"type": "text", "text": md}


def field(kind, key, label, en, required=False, readonly=False, maxlen=None, values=None, **extra):
    c = {"type": kind, "key": key, "label": label}
    if readonly:
        c["readonly"] = True
    v = {}
    if required and not readonly:
        v["required"] = True
    if maxlen and not readonly:
        v["maxLength"] = maxlen
    for k in ("min", "max", "pattern"):
        if k in extra:
            v[k] = extra.pop(k)
    if v:
        c["validate"] = v
    props = {"label_en": en}
    props.update(extra.pop("props", {}))
    c["properties"] = props
    if kind == "datetime":
        c["subtype"], c["dateLabel"] = "date", label
    if kind == "number":
        c["decimalDigits"] = extra.pop("digits", 0)
    if values is not None:
        c["values"] = [{"label": lab, "value": val} for val, lab in values]
    c.update(extra)
    return c
