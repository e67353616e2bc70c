"""Comparing two versions of a form-js form (`.form` JSON), field by field.

Fields are matched by the data they bind: an input by its `key`, a dynamic list or a group with a
path by its `path`, anything else by its `id` (or, lacking one, its type and position). The path
shown is dotted through the groups and lists that nest data, so a list `members` with a child
`name` gives `members.name`; a group without a path is layout only and adds nothing. Compared per
field: every top-level property but the matching ones and the layout (label, type, readonly,
disabled, defaultValue, description, text, …), each `validate.*` (required, min, max, pattern,
minLength, maxLength, …), each `properties.*` (label_en, pattern_name, …), `conditional.*`, and
the options (`values`). Absent readonly, disabled and validate.required count as false.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.authoring.compare_bpmn import PropertyChange, Serialisable, frozen_map
from engine.definitions.forms import MAX_FORM_BYTES
from engine.errors import InvalidInput

MAX_DEPTH = 32  # nesting of groups and lists
_MATCHING = frozenset({"id", "key", "path", "components", "layout", "validate", "properties", "conditional",
                       "values"})
_FALSE_BY_DEFAULT = ("readonly", "disabled", "validate.required")


@dataclass(frozen=True)
class FieldRef(Serialisable):
    path: str
    type: str
    label: str


@dataclass(frozen=True)
class FieldChange(Serialisable):
    path: str
    type: str
    label: str
    changes: tuple[PropertyChange, ...]

    def get(self, name: str) -> PropertyChange | None:
        return next((c for c in self.changes if c.name == name), None)


@dataclass(frozen=True)
class FormDiff(Serialisable):
    form_id_before: str
    form_id_after: str
    added: tuple[FieldRef, ...]
    removed: tuple[FieldRef, ...]
    changed: Mapping[str, FieldChange]  # field path → its changes, in the new form's order

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.form_id_before != self.form_id_after)


@dataclass(frozen=True)
class FormField:
    path: str
    type: str
    label: str
    properties: Mapping[str, str]  # name → canonical JSON of the value
    shown: Mapping[str, str]  # name → the value as an analyst reads it


@dataclass(frozen=True)
class Form:
    id: str
    fields: Mapping[str, FormField]


def form_diff(old: bytes, new: bytes, *, filename: str = "form.form") -> FormDiff:
    """The field changes from form `old` to form `new`; `InvalidInput` for what is not a form."""
    before, after = load_form(old, filename), load_form(new, filename)
    added = tuple(_ref(f) for p, f in after.fields.items() if p not in before.fields)
    removed = tuple(_ref(f) for p, f in before.fields.items() if p not in after.fields)
    changed: dict[str, FieldChange] = {}
    for path, now in after.fields.items():
        was = before.fields.get(path)
        if was is None or was.properties == now.properties:
            continue
        names = [n for n in was.properties if was.properties[n] != now.properties.get(n)]
        names += [n for n in now.properties if n not in was.properties]
        changes = tuple(PropertyChange(n, was.shown.get(n), now.shown.get(n)) for n in names)
        changed[path] = FieldChange(path, now.type, now.label, changes)
    return FormDiff(before.id, after.id, added, removed, frozen_map(changed))


def _ref(f: FormField) -> FieldRef:
    return FieldRef(f.path, f.type, f.label)


def load_form(data: bytes, filename: str = "form.form") -> Form:
    """A form's fields by path, reduced to what the comparison looks at."""
    if not isinstance(data, bytes | bytearray | str):
        raise _invalid(filename, "内容不是字节串", "the content is not bytes")
    if len(data) > MAX_FORM_BYTES:
        raise _invalid(filename, f"文件过大（上限 {MAX_FORM_BYTES} 字节）", f"too large (limit {MAX_FORM_BYTES} bytes)")

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        schema = json.loads(data, parse_constant=refuse)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _invalid(filename, f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise _invalid(filename, "顶层不是 JSON 对象", "the top level is not a JSON object")
    components = schema.get("components", [])
    if not isinstance(components, list):
        raise _invalid(filename, "components 不是列表", "'components' is not a list")
    fields: dict[str, FormField] = {}
    _walk(components, "", 0, fields, filename)
    form_id = schema.get("id")
    return Form(form_id if isinstance(form_id, str) else "", frozen_map(fields))


def _invalid(filename: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"表单 {filename} 无法比较：{zh}", f"cannot compare the form {filename}: {en}",
                        file=filename)


def _walk(components: list[Any], prefix: str, depth: int, out: dict[str, FormField], filename: str) -> None:
    if depth > MAX_DEPTH:
        raise _invalid(filename, f"组件嵌套超过 {MAX_DEPTH} 层", f"components nest deeper than {MAX_DEPTH} levels")
    for index, comp in enumerate(components):
        if not isinstance(comp, dict):
            continue
        kind = comp.get("type") if isinstance(comp.get("type"), str) else ""
        key, data_path = _name(comp.get("key")), _name(comp.get("path"))
        if key:
            path = _join(prefix, key)
        elif data_path:
            path = _join(prefix, data_path)
        else:
            path = _join(prefix, _name(comp.get("id")) or f"{kind or 'component'}[{index}]")
        n, unique = 1, path
        while unique in out:
            n += 1
            unique = f"{path}~{n}"
        props = _properties(comp)
        label = comp.get("label") if isinstance(comp.get("label"), str) else ""
        out[unique] = FormField(unique, kind, label, frozen_map({k: _canonical(v) for k, v in props.items()}),
                                frozen_map({k: _shown(k, v) for k, v in props.items()}))
        children = comp.get("components")
        if isinstance(children, list):
            _walk(children, _join(prefix, data_path) if data_path and not key else prefix, depth + 1, out, filename)


def _name(value: Any) -> str:
    return value if isinstance(value, str) and value else ""


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _properties(comp: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {k: v for k, v in comp.items() if k not in _MATCHING}
    for group in ("validate", "properties", "conditional"):
        inner = comp.get(group)
        if isinstance(inner, dict):
            props.update({f"{group}.{k}": v for k, v in inner.items()})
        elif inner is not None:
            props[group] = inner
    if "values" in comp:
        props["values"] = comp["values"]
    for name in _FALSE_BY_DEFAULT:
        props.setdefault(name, False)
    return props


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _shown(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if name == "values" and isinstance(value, list):
        return "; ".join(_option(o) for o in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _option(option: Any) -> str:
    if isinstance(option, dict) and "value" in option:
        label = option.get("label")
        label_en = option.get("label_en")
        text = f"{option['value']}: {label}" if isinstance(label, str) else str(option["value"])
        return f"{text} ({label_en})" if isinstance(label_en, str) and label_en else text
    return _canonical(option)
