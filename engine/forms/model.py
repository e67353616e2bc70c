"""The server's typed model of a Camunda Form (form-js JSON, schemaVersion ~16).

Parsed once per deployed version (forms are immutable) and used twice: the web layer renders
inputs from it, and `validate.py` checks submissions against it. Data binding follows form-js:
a field's `key` may be dotted ("inviter.name_zh"), a group with a `path` nests its children under
that path, a group without one is layout only, and a repeating dynamic list holds a list of row
objects at its `path`, its children's keys being relative to one row.

The parser that builds it is `parse.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from engine.errors import Message
from engine.forms import paths
from engine.places import options as places_options

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
