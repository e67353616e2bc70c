"""The server's typed model of a Camunda Form (form-js JSON, schemaVersion ~16).

Parsed once per deployed version (forms are immutable) and used twice: the web layer renders
inputs from it, and `validate.py` checks submissions against it. Data binding follows form-js:
a field's `key` may be dotted ("inviter.name_zh"), a group with a `path` nests its children under
that path, a group without one is layout only, and a repeating dynamic list holds a list of row
objects at its `path`, its children's keys being relative to one row.

A form that uses something we do not understand still loads: the component becomes display-only,
and a warning is logged and kept in `FormSpec.warnings`. Only a file that is not a form at all
raises (`load_form`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from engine.definitions.forms import load_form
from engine.errors import Message
from engine.forms import paths
from engine.places import options as places_options

log = logging.getLogger(__name__)

INPUT_TYPES = frozenset({"textfield", "textarea", "number", "datetime", "select", "radio", "checkbox",
                         "checklist", "taglist"})
OPTION_TYPES = frozenset({"select", "radio", "checklist", "taglist"})
MULTI_TYPES = frozenset({"checklist", "taglist"})
DISPLAY_TYPES = frozenset({"text", "html", "separator", "spacer"})
IGNORED_TYPES = frozenset({"button"})  # the page renders its own submit button
DATE_SUBTYPES = frozenset({"date", "time", "datetime"})
NAMED_PATTERNS = frozenset({"id_card", "passport_no"})
VALIDATION_TYPES = frozenset({"email", "phone"})
MAX_DEPTH = 16  # nesting of groups and lists; real forms use two or three

Kind = Literal["input", "group", "list", "display"]


@dataclass(frozen=True)
class Option:
    value: Any
    label: str
    label_en: str | None = None
    group: str | None = None  # shown as an <optgroup> (built-in country lists)
    group_en: str | None = None
    keywords: str | None = None  # what else the typeahead matches: code, English name, pinyin

    def group_for(self, lang: str = "zh") -> str | None:
        return self.group_en if lang.startswith("en") and self.group_en else self.group

    def label_for(self, lang: str = "zh") -> str:
        return self.label_en if lang.startswith("en") and self.label_en else self.label


@dataclass(frozen=True)
class Rules:
    """form-js `validate`, plus our named pattern. For a dynamic list, min/max count rows."""

    required: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    pattern_message: str | None = None  # the author's `patternErrorMessage` (Chinese)
    pattern_message_en: str | None = None  # properties["pattern_message_en"]
    validation_type: str | None = None  # "email" | "phone"
    pattern_name: str | None = None  # "id_card" | "passport_no", from properties["pattern_name"]


@dataclass(frozen=True)
class Field:
    """One form-js component. `path` is where its value lives relative to its scope — the form,
    or one row of the enclosing dynamic list — and already includes the paths of enclosing groups."""

    type: str
    kind: Kind
    id: str
    key: str | None = None  # as authored: `key` of an input, `path` of a group or list
    path: tuple[str, ...] = ()
    label: str = ""
    label_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    options: tuple[Option, ...] = ()
    options_key: str | None = None  # form-js `valuesKey`: the options are in the case data
    default: Any = None
    readonly: bool = False
    disabled: bool = False
    rules: Rules = field(default_factory=Rules)
    properties: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    children: tuple[Field, ...] = ()
    subtype: str | None = None  # datetime: "date" | "time" | "datetime"
    text: str | None = None  # text (markdown) and html components
    decimal_digits: int | None = None
    increment: Decimal | None = None
    as_string: bool = False  # number with `serializeToString`: stored as a decimal string
    disallow_past: bool = False  # datetime `disallowPassedDates`
    after: str | None = None  # properties["after"]: key of a date this one may not precede
    allow_add_remove: bool = True
    default_rows: int = 0
    raw: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_input(self) -> bool:
        return self.kind == "input"

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def is_list(self) -> bool:
        return self.kind == "list"

    @property
    def is_display(self) -> bool:
        return self.kind == "display"

    @property
    def accepts_input(self) -> bool:
        """Whether a submission may set it: read-only and disabled values stay as the case has them."""
        return self.kind in ("input", "group", "list") and not (self.readonly or self.disabled)

    @property
    def required(self) -> bool:
        return self.rules.required

    @property
    def multiple(self) -> bool:
        return self.type in MULTI_TYPES

    @property
    def min_rows(self) -> int | None:
        return int(self.rules.min) if self.is_list and self.rules.min is not None else None

    @property
    def max_rows(self) -> int | None:
        return int(self.rules.max) if self.is_list and self.rules.max is not None else None

    def label_for(self, lang: str = "zh") -> str:
        if lang.startswith("en") and self.label_en:
            return self.label_en
        return self.label or self.key or self.id

    def description_for(self, lang: str = "zh") -> str | None:
        return self.description_en if lang.startswith("en") and self.description_en else self.description

    def name_in(self, prefix: str = "") -> str:
        """The HTML input name and field-error key: `name_in("members[0]")` → "members[0].name"."""
        return paths.join(prefix, self.path)

    def options_in(self, context: Mapping[str, Any] | None = None) -> tuple[Option, ...]:
        """The options to offer and accept: static `values`, or those named by `valuesKey` in the
        case data (a list of {label, value} objects or plain values)."""
        if self.options_key is None:
            return self.options
        built_in = _built_in_options(self.options_key)
        if built_in is not None:
            return built_in
        found = paths.get_in(context or {}, self.options_key.split("."))
        return _options(found) if isinstance(found, list) else ()

    @property
    def empty_value(self) -> Any:
        """What form-js submits for an untouched field, and what we store for one."""
        if self.type in ("textfield", "textarea"):
            return ""
        if self.type == "checkbox":
            return False
        if self.multiple or self.is_list:
            return []
        return None


@dataclass(frozen=True)
class FormSpec:
    id: str
    components: tuple[Field, ...]
    schema_version: int | None = None
    warnings: tuple[Message, ...] = ()

    def walk(self) -> Iterator[Field]:
        """Every field, depth first, in form order."""
        yield from _walk(self.components)

    def inputs(self) -> Iterator[tuple[str, Field]]:
        """Every input with its path; a list's children appear as `members[].name`."""
        yield from _inputs(self.components, "")


def load_form_spec(data: bytes, filename: str) -> FormSpec:
    """A `.form` file as a FormSpec; `DefinitionInvalid` when it is not a form at all."""
    return parse_form(load_form(data, filename))


def parse_form(schema: Mapping[str, Any]) -> FormSpec:
    """The model of an already shape-checked form-js schema (see `engine.definitions.forms`)."""
    parser = _Parser(str(schema.get("id") or ""))
    components = parser.components(schema.get("components") or [], (), 0)
    parser.check_scopes(components)
    version = schema.get("schemaVersion")
    return FormSpec(id=parser.form_id, components=components,
                    schema_version=version if isinstance(version, int) else None, warnings=tuple(parser.warnings))


def scope_inputs(fields: tuple[Field, ...]) -> Iterator[Field]:
    """The inputs of one scope: through groups, but not into dynamic lists (each row is a scope)."""
    for f in fields:
        if f.is_input:
            yield f
        elif f.is_group:
            yield from scope_inputs(f.children)


def find_in_scope(fields: tuple[Field, ...], ref: str) -> Field | None:
    """The input a cross-field reference names: by key, or by its dotted path within the scope."""
    for f in scope_inputs(fields):
        if ref in (f.key, ".".join(f.path)):
            return f
    return None


# -- parsing --------------------------------------------------------------------------------


class _Parser:
    def __init__(self, form_id: str) -> None:
        self.form_id = form_id
        self.warnings: list[Message] = []
        self._seen = 0

    def warn(self, zh: str, en: str) -> None:
        log.warning("form %s: %s", self.form_id, en)
        self.warnings.append(Message(f"表单 {self.form_id}：{zh}", f"form {self.form_id}: {en}"))

    def components(self, raws: Any, base: tuple[str, ...], depth: int) -> tuple[Field, ...]:
        out: list[Field] = []
        for raw in raws if isinstance(raws, list) else ():
            if isinstance(raw, dict):
                parsed = self.component(raw, base, depth)
                if parsed is not None:
                    out.append(parsed)
        return tuple(out)

    def component(self, raw: dict[str, Any], base: tuple[str, ...], depth: int) -> Field | None:
        self._seen += 1
        kind_of = raw.get("type")
        type_ = kind_of if isinstance(kind_of, str) else "?"
        common = self._common(raw, type_)
        if type_ in IGNORED_TYPES:
            return None
        if type_ in DISPLAY_TYPES:
            text = raw.get("text") if type_ == "text" else raw.get("content")
            return Field(kind="display", text=text if isinstance(text, str) else None, **common)
        if type_ in INPUT_TYPES:
            return self._input(raw, type_, base, common)
        if type_ in ("group", "dynamiclist"):
            if depth >= MAX_DEPTH:
                self.warn(f"组件 {common['id']} 嵌套超过 {MAX_DEPTH} 层，按只读显示处理",
                          f"component {common['id']} is nested deeper than {MAX_DEPTH}; shown as display only")
                return Field(kind="display", **common)
            return self._container(raw, type_, base, depth, common)
        self.warn(f"不支持的组件类型 {type_!r}（{common['id']}），按只读显示处理",
                  f"unsupported component type {type_!r} ({common['id']}); shown as display only")
        return Field(kind="display", **common)

    def _common(self, raw: dict[str, Any], type_: str) -> dict[str, Any]:
        props = raw.get("properties")
        properties = {str(k): str(v) for k, v in props.items()} if isinstance(props, dict) else {}
        return {
            "type": type_,
            "id": _text(raw.get("id")) or f"{type_}_{self._seen}",
            # form-js gives a datetime `dateLabel`/`timeLabel` instead of a `label`.
            "label": _text(raw.get("label")) or _text(raw.get("dateLabel")) or _text(raw.get("timeLabel")) or "",
            "label_en": properties.get("label_en") or None,
            "description": _text(raw.get("description")),
            "description_en": properties.get("description_en") or None,
            "readonly": raw.get("readonly") is True,
            "disabled": raw.get("disabled") is True,
            "properties": MappingProxyType(properties),
            "raw": MappingProxyType(raw),
        }

    def _input(self, raw: dict[str, Any], type_: str, base: tuple[str, ...], common: dict[str, Any]) -> Field:
        key = raw.get("key")
        segments = paths.split_key(key) if isinstance(key, str) else None
        if segments is None:
            self.warn(f"输入组件 {common['id']} 的 key {key!r} 无效，按只读显示处理",
                      f"input {common['id']} has no usable key ({key!r}); shown as display only")
            return Field(kind="display", **common)
        extra: dict[str, Any] = {}
        if type_ in OPTION_TYPES:
            extra.update(self._option_source(raw, common["id"]))
        if type_ == "number":
            digits = raw.get("decimalDigits")
            extra["decimal_digits"] = digits if isinstance(digits, int) and digits >= 0 else None
            extra["increment"] = self._decimal(raw.get("increment"), "increment", common["id"])
            extra["as_string"] = raw.get("serializeToString") is True
        if type_ == "datetime":
            subtype = raw.get("subtype", "date")
            if subtype not in DATE_SUBTYPES:
                self.warn(f"日期组件 {common['id']} 的 subtype {subtype!r} 无效，按日期处理",
                          f"datetime {common['id']} has an unknown subtype {subtype!r}; treated as a date")
                subtype = "date"
            extra["subtype"] = subtype
            extra["disallow_past"] = raw.get("disallowPassedDates") is True
            extra["after"] = common["properties"].get("after") or None
        return Field(kind="input", key=key, path=base + segments, default=raw.get("defaultValue"),
                     rules=self._rules(raw, common), **common, **extra)

    def _container(self, raw: dict[str, Any], type_: str, base: tuple[str, ...], depth: int,
                   common: dict[str, Any]) -> Field:
        path = raw.get("path")
        segments = paths.split_key(path) if isinstance(path, str) and path else ()
        if segments is None:
            self.warn(f"容器 {common['id']} 的 path {path!r} 无效，按只读显示处理",
                      f"container {common['id']} has an unusable path {path!r}; shown as display only")
            return Field(kind="display", **common)
        repeating = type_ == "dynamiclist" and raw.get("isRepeating", True) is not False
        if repeating and not segments:
            self.warn(f"动态列表 {common['id']} 没有 path，无法保存各行数据，按只读显示处理",
                      f"dynamic list {common['id']} has no path to hold its rows; shown as display only")
            return Field(kind="display", **common)
        if not repeating:
            # A non-repeating dynamic list behaves exactly like a group in form-js.
            full = base + segments
            return Field(kind="group", key=path if segments else None, path=full,
                         children=self.components(raw.get("components"), full, depth + 1), **common)
        rows = raw.get("defaultRepetitions")
        return Field(kind="list", key=path, path=base + segments, rules=self._row_rules(raw, common),
                     children=self.components(raw.get("components"), (), depth + 1),
                     allow_add_remove=raw.get("allowAddRemove", True) is not False,
                     default_rows=rows if isinstance(rows, int) and 0 <= rows <= 100 else 1, **common)

    def _option_source(self, raw: dict[str, Any], field_id: str) -> dict[str, Any]:
        if isinstance(raw.get("valuesKey"), str) and raw["valuesKey"]:
            return {"options_key": raw["valuesKey"]}
        if "valuesExpression" in raw:
            # FEEL runs only in the browser; without the options no value can be checked, so none is accepted.
            self.warn(f"组件 {field_id} 的选项来自 FEEL 表达式，服务器无法校验，将拒绝任何取值",
                      f"the options of {field_id} come from a FEEL expression the server cannot evaluate; "
                      "every value will be refused")
        return {"options": _options(raw.get("values"))}

    def _rules(self, raw: dict[str, Any], common: dict[str, Any]) -> Rules:
        spec = raw.get("validate") if isinstance(raw.get("validate"), dict) else {}
        fid, props = common["id"], common["properties"]
        validation_type = spec.get("validationType") or None
        if validation_type is not None and validation_type not in VALIDATION_TYPES:
            self.warn(f"组件 {fid} 的 validationType {validation_type!r} 不受支持，已忽略",
                      f"validationType {validation_type!r} of {fid} is not supported; ignored")
            validation_type = None
        pattern_name = props.get("pattern_name") or None
        if pattern_name is not None and pattern_name not in NAMED_PATTERNS:
            self.warn(f"组件 {fid} 的 pattern_name {pattern_name!r} 未定义（可用：id_card、passport_no），已忽略",
                      f"pattern_name {pattern_name!r} of {fid} is unknown (known: id_card, passport_no); ignored")
            pattern_name = None
        return Rules(
            required=spec.get("required") is True,
            min=self._decimal(spec.get("min"), "validate.min", fid),
            max=self._decimal(spec.get("max"), "validate.max", fid),
            min_length=_count(spec.get("minLength")),
            max_length=_count(spec.get("maxLength")),
            pattern=self._pattern(spec.get("pattern"), fid),
            pattern_message=_text(spec.get("patternErrorMessage")),
            pattern_message_en=props.get("pattern_message_en") or None,
            validation_type=validation_type,
            pattern_name=pattern_name,
        )

    def _row_rules(self, raw: dict[str, Any], common: dict[str, Any]) -> Rules:
        """Row bounds: `validate.min/max` in the JSON, or properties `min_rows`/`max_rows`, which the
        form editor can set (its panel offers no validation for lists)."""
        spec = raw.get("validate") if isinstance(raw.get("validate"), dict) else {}
        props, fid = common["properties"], common["id"]
        low = self._decimal(spec.get("min", props.get("min_rows")), "min_rows", fid)
        high = self._decimal(spec.get("max", props.get("max_rows")), "max_rows", fid)
        return Rules(required=spec.get("required") is True, min=low, max=high)

    def _decimal(self, value: Any, what: str, field_id: str) -> Decimal | None:
        if value is None or value == "":
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value))
            if not number.is_finite():
                raise InvalidOperation
            return number
        except InvalidOperation:
            self.warn(f"组件 {field_id} 的 {what} 不是数字（{value!r}），已忽略",
                      f"{what} of {field_id} is not a number ({value!r}); ignored")
            return None

    def _pattern(self, source: Any, field_id: str) -> re.Pattern[str] | None:
        if not isinstance(source, str) or not source:
            return None
        # form-js runs `new RegExp(pattern).test(value)`: unanchored, \d and \w ASCII-only.
        python_source = source.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
        try:
            return re.compile(python_source, re.ASCII)
        except re.error as exc:
            self.warn(f"组件 {field_id} 的正则表达式无效（{exc}），已忽略",
                      f"the pattern of {field_id} is not a valid regular expression ({exc}); ignored")
            return None

    def check_scopes(self, fields: tuple[Field, ...]) -> None:
        """Per scope (the form, a list row): no two fields bind the same data, and `after` names a
        date of the same scope. Offenders are reported; `after` that resolves nowhere is ignored."""
        seen: dict[tuple[str, ...], str] = {}
        for f in _bindings(fields):
            if f.path in seen:
                shown = ".".join(f.path)
                self.warn(f"{seen[f.path]} 与 {f.id} 绑定同一数据 {shown}",
                          f"{seen[f.path]} and {f.id} bind the same data {shown}")
            seen[f.path] = f.id
            if f.is_list:
                self.check_scopes(f.children)
            elif f.after is not None:
                target = find_in_scope(fields, f.after)
                if target is None or target.type != "datetime":
                    self.warn(f"{f.id} 的 after 引用 {f.after!r} 不是同一范围内的日期字段，已忽略",
                              f"'after' of {f.id} names {f.after!r}, which is not a date field of the same "
                              "scope; ignored")


def _options(values: Any) -> tuple[Option, ...]:
    out: list[Option] = []
    for item in values if isinstance(values, list) else ():
        if isinstance(item, dict) and "value" in item and isinstance(item["value"], str | int | float | bool):
            label = _text(item.get("label")) or str(item["value"])
            out.append(Option(item["value"], label, _text(item.get("label_en")), _text(item.get("group")),
                              _text(item.get("group_en")), _text(item.get("keywords"))))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            out.append(Option(item, str(item)))
    return tuple(out)


@cache
def _built_in_options(key: str) -> tuple[Option, ...] | None:
    """Option lists the engine supplies under a `valuesKey` (countries, nationalities)."""
    found = places_options.built_in(key)
    return None if found is None else _options(list(found))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _bindings(fields: tuple[Field, ...]) -> Iterator[Field]:
    """The inputs and lists of one scope (through groups)."""
    for f in fields:
        if f.is_input or f.is_list:
            yield f
        elif f.is_group:
            yield from _bindings(f.children)


def _walk(fields: tuple[Field, ...]) -> Iterator[Field]:
    for f in fields:
        yield f
        yield from _walk(f.children)


def _inputs(fields: tuple[Field, ...], prefix: str) -> Iterator[tuple[str, Field]]:
    for f in fields:
        if f.is_input:
            yield f.name_in(prefix), f
        elif f.is_group:
            yield from _inputs(f.children, prefix)
        elif f.is_list:
            yield from _inputs(f.children, f.name_in(prefix) + "[]")
