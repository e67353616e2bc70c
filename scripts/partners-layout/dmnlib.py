from xml.sax.saxutils import escape


def dmn(did, name, comment, description, hit, inputs, outputs, rows):
    """inputs: [(id, label, expr, type)], outputs: [(name, label, type)], rows: [(rid, desc, [entries], [outs])]"""
    o = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {escape(comment)} -->",
        f'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_{did}"',
        f'             name="{did}" namespace="http://waishi.lanzhou/decisions">',
        f'  <decision id="{did}" name="{escape(name)}">',
        f"    <description>{escape(description)}</description>",
        f'    <decisionTable id="dt_{did}" hitPolicy="{hit}">',
    ]
    for iid, label, expr, typ in inputs:
        o.append(f'      <input id="in_{iid}" label="{escape(label)}">')
        o.append(
            f'        <inputExpression id="ie_{iid}" typeRef="{typ}"><text>{escape(expr)}</text></inputExpression>'
        )
        o.append("      </input>")
    for oname, label, typ in outputs:
        o.append(f'      <output id="out_{oname}" label="{escape(label)}" name="{oname}" typeRef="{typ}"/>')
    for rid, desc, entries, outs in rows:
        o.append(f'      <rule id="{rid}">')
        o.append(f"        <description>{escape(desc)}</description>")
        for (iid, *_), e in zip(inputs, entries, strict=False):
            o.append(f'        <inputEntry id="{rid}_{iid}"><text>{escape(e)}</text></inputEntry>')
        for (oname, *_), v in zip(outputs, outs, strict=False):
            o.append(f'        <outputEntry id="{rid}_{oname}"><text>{escape(v)}</text></outputEntry>')
        o.append("      </rule>")
    o += ["    </decisionTable>", "  </decision>", "</definitions>", ""]
    return "\n".join(o)
