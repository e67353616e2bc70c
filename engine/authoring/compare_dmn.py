"""Comparing the decision tables of two versions of a DMN file, decision by decision (by id).

Per decision: its name, hit policy (absent = UNIQUE), aggregation, description and — for a
literal-expression decision — its expression; the input and output columns (label, expression,
name, type, allowed values), matched by id; and the rules row by row, matched by their `id`.
A row's cells are its input entries then its output entries, in the column order of its table;
cells are compared by column, so adding or removing a column does not shift the other cells. An
empty input entry means "any", like "-". A rule's description (its source and date) is part of
the comparison. Rows keep the order of the new table; removed rows stand where they stood.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.authoring.compare_bpmn import PropertyChange, Serialisable, property_changes, text_of
from engine.definitions import kinds
from engine.definitions.xmlsafe import parse_xml

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"


@dataclass(frozen=True)
class Column:
    key: str  # the column's id (or its position when it has none)
    kind: str  # "input" | "output"
    header: str  # what a table shows on top: label, else expression or name
    properties: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rule:
    key: str  # the rule's id (or its position when it has none)
    description: str | None
    inputs: tuple[str, ...]  # the input entries' texts
    outputs: tuple[str, ...]  # the output entries' texts


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    properties: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class ColumnChange(Serialisable):
    column_id: str
    kind: str  # "input" | "output"
    header: str
    status: str  # added | removed | changed
    changes: tuple[PropertyChange, ...]


@dataclass(frozen=True)
class RowDiff(Serialisable):
    rule_id: str
    status: str  # added | removed | changed | same
    # One cell per column, inputs then outputs, as in the old / the new table ("-" for an empty
    # input entry); empty when the row was added / removed.
    before: tuple[str, ...]
    after: tuple[str, ...]
    changed_cells: tuple[int, ...]  # indexes into `after` of the cells that differ
    description_before: str | None
    description_after: str | None


@dataclass(frozen=True)
class DecisionDiff(Serialisable):
    decision_id: str
    name: str
    status: str  # added | removed | changed | same
    changes: tuple[PropertyChange, ...]  # hitPolicy, name, aggregation, description, expression
    columns: tuple[ColumnChange, ...]
    headers_before: tuple[str, ...]
    headers_after: tuple[str, ...]
    rows: tuple[RowDiff, ...]

    @property
    def has_changes(self) -> bool:
        return self.status != SAME


def dmn_diff(old: bytes, new: bytes, *, filename: str = "decision.dmn") -> list[DecisionDiff]:
    """Every decision of either file, in the new file's order then the removed ones.

    Malformed or hostile XML is `DefinitionInvalid` (from `parse_xml`)."""
    before, after = decisions(old, filename), decisions(new, filename)
    out = [_decision_diff(before.get(d), now) for d, now in after.items()]
    out += [_decision_diff(was, None) for d, was in before.items() if d not in after]
    return out


def decisions(data: bytes, filename: str = "decision.dmn") -> dict[str, Decision]:
    """The decisions of a DMN file by id, reduced to what the comparison looks at."""
    root = parse_xml(data, filename, kind=kinds.DMN).getroot()
    ns = etree.QName(root).namespace
    out: dict[str, Decision] = {}
    for index, el in enumerate(root.iterchildren(f"{{{ns}}}decision")):
        decision = _decision(el, ns, index)
        out.setdefault(decision.id, decision)
    return out


def _decision(el: etree._Element, ns: str | None, index: int) -> Decision:
    def child(parent: etree._Element | None, name: str) -> etree._Element | None:
        return None if parent is None else parent.find(f"{{{ns}}}{name}")

    table = child(el, "decisionTable")
    props = {"name": el.get("name") or "", "description": text_of(child(el, "description"))}
    if table is not None:
        props["hitPolicy"] = table.get("hitPolicy") or "UNIQUE"
        props["aggregation"] = table.get("aggregation") or ""
    literal = child(el, "literalExpression")
    if literal is not None:
        props["expression"] = text_of(child(literal, "text"))
    columns: list[Column] = []
    rules: list[Rule] = []
    if table is not None:
        for kind in ("input", "output"):
            for i, col in enumerate(table.iterchildren(f"{{{ns}}}{kind}")):
                expression = child(col, "inputExpression")
                values = child(col, f"{kind}Values")
                col_props = {"label": col.get("label") or "", "expression": text_of(child(expression, "text")),
                             "name": col.get("name") or "",
                             "typeRef": (expression if kind == "input" and expression is not None else col).get(
                                 "typeRef") or "",
                             "values": text_of(child(values, "text"))}
                header = col_props["label"] or col_props["expression"] or col_props["name"] or col.get("id") or ""
                key = _unique(col.get("id") or f"#{kind}{i + 1}", {c.key for c in columns})
                columns.append(Column(key, kind, header, tuple(col_props.items())))
        seen: set[str] = set()
        for i, rule in enumerate(table.iterchildren(f"{{{ns}}}rule")):
            key = _unique(rule.get("id") or f"#{i + 1}", seen)
            seen.add(key)
            description = child(rule, "description")
            entries = {kind: tuple(text_of(child(e, "text")) for e in rule.iterchildren(f"{{{ns}}}{kind}Entry"))
                       for kind in ("input", "output")}
            rules.append(Rule(key, None if description is None else text_of(description), entries["input"],
                              entries["output"]))
    decision_id = el.get("id") or f"#{index + 1}"
    return Decision(decision_id, props["name"], tuple(props.items()), tuple(columns), tuple(rules))


def _unique(key: str, seen: set[str]) -> str:
    n, out = 1, key
    while out in seen:
        n += 1
        out = f"{key}~{n}"
    return out


def _decision_diff(was: Decision | None, now: Decision | None) -> DecisionDiff:
    shown = now or was
    assert shown is not None
    changes = property_changes(dict(was.properties) if was else {}, dict(now.properties) if now else {})
    old_cols = {c.key: c for c in was.columns} if was else {}
    new_cols = {c.key: c for c in now.columns} if now else {}
    columns: list[ColumnChange] = []
    if was and now:
        for key, col in new_cols.items():
            if key not in old_cols:
                columns.append(ColumnChange(key, col.kind, col.header, ADDED, ()))
            elif col.kind != old_cols[key].kind or col.properties != old_cols[key].properties:
                diff = property_changes(dict(old_cols[key].properties), dict(col.properties))
                if col.kind != old_cols[key].kind:
                    diff = (PropertyChange("kind", old_cols[key].kind, col.kind), *diff)
                columns.append(ColumnChange(key, col.kind, col.header, CHANGED, diff))
        columns += [ColumnChange(k, c.kind, c.header, REMOVED, ()) for k, c in old_cols.items() if k not in new_cols]
    rows = _rows(was, now)
    if was is None or now is None:
        status = ADDED if was is None else REMOVED
    else:
        status = CHANGED if changes or columns or any(r.status != SAME for r in rows) else SAME
    return DecisionDiff(shown.id, shown.name, status, changes if was and now else (), tuple(columns),
                        tuple(c.header for c in was.columns) if was else (),
                        tuple(c.header for c in now.columns) if now else (), rows)


def _rows(was: Decision | None, now: Decision | None) -> tuple[RowDiff, ...]:
    if was is None or now is None:
        if now is not None:
            return tuple(RowDiff(r.key, ADDED, (), _cells(now, r), (), None, r.description) for r in now.rules)
        return tuple(_removed(was, r) for r in was.rules) if was is not None else ()
    old_rules = {r.key: r for r in was.rules}
    new_keys = {r.key for r in now.rules}
    # Removed rows go right after the row that preceded them in the old table and still exists.
    removed_after: dict[str | None, list[Rule]] = {}
    anchor: str | None = None
    for rule in was.rules:
        if rule.key in new_keys:
            anchor = rule.key
        else:
            removed_after.setdefault(anchor, []).append(rule)
    out = [_removed(was, r) for r in removed_after.get(None, [])]
    for rule in now.rules:
        old = old_rules.get(rule.key)
        if old is None:
            out.append(RowDiff(rule.key, ADDED, (), _cells(now, rule), (), None, rule.description))
        else:
            cells = _changed_cells(was, old, now, rule)
            status = CHANGED if cells is None or cells or old.description != rule.description else SAME
            out.append(RowDiff(rule.key, status, _cells(was, old), _cells(now, rule), tuple(cells or ()),
                               old.description, rule.description))
        out += [_removed(was, r) for r in removed_after.get(rule.key, [])]
    return tuple(out)


def _removed(was: Decision, rule: Rule) -> RowDiff:
    return RowDiff(rule.key, REMOVED, _cells(was, rule), (), (), rule.description, None)


def _changed_cells(was: Decision, old: Rule, now: Decision, new: Rule) -> list[int] | None:
    """Indexes into the new row of the cells that differ, compared by column; None when only a
    cell of a column the new table no longer has differs."""
    inputs = {c.key for c in (*was.columns, *now.columns) if c.kind == "input"}

    def empty(key: str) -> str:
        return "-" if key in inputs or key.startswith("#extra-input") else ""

    before = dict(_by_column(was, old))
    after = _by_column(now, new)
    changed = [i for i, (key, value) in enumerate(after) if before.get(key, empty(key)) != value]
    gone = set(before) - {key for key, _ in after}
    if not changed and any(before[key] != empty(key) for key in gone):
        return None
    return changed


def _cells(decision: Decision, rule: Rule) -> tuple[str, ...]:
    return tuple(value for _, value in _by_column(decision, rule))


def _by_column(decision: Decision, rule: Rule) -> list[tuple[str, str]]:
    """The row's cells keyed by column, inputs then outputs; an empty input entry means "any": "-"."""
    out: list[tuple[str, str]] = []
    for kind, entries in (("input", rule.inputs), ("output", rule.outputs)):
        keys = [c.key for c in decision.columns if c.kind == kind]
        keys += [f"#extra-{kind}{i + 1}" for i in range(len(keys), len(entries))]  # entries without a column
        for i, key in enumerate(keys):
            value = entries[i] if i < len(entries) else ""
            out.append((key, value or ("-" if kind == "input" else "")))
    return out
