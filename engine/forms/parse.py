"""Reading a Camunda Form (form-js JSON) into the model of `model.py`.

A form that uses something we do not understand still loads: the component becomes display-only,
and a warning is logged and kept in `FormSpec.warnings`. Only a file that is not a form at all
raises (`load_form`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from engine.definitions.forms import load_form
from engine.errors import Message
from engine.forms import paths
from engine.forms.model import (
    DATE_SUBTYPES,
    DISPLAY_TYPES,
    IGNORED_TYPES,
    INPUT_TYPES,
    MAX_DEPTH,
    NAMED_PATTERNS,
    OPTION_TYPES,
    VALIDATION_TYPES,
    Field,
    FormSpec,
    Rules,
    _bindings,
    _count,
    _options,
    _text,
    find_in_scope,
)

log = logging.getLogger(__name__)


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


