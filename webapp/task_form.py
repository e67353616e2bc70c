"""A task's Camunda Form as the page renders it, without JavaScript.

`build()` turns the engine's form model (`engine.forms.FormSpec`) and a set of values into a tree
of `FieldView`s the template (templates/tasks/_fields.html) renders one by one: every input named
by its data path (`Field.name_in`, so the browser posts what `unflatten` and the validator
expect), labelled in the page's language, with its description, required mark and error.

Values come from one of three places, always in the form's own nesting:
- the case (`initial_values`) when the form opens,
- the person's saved draft,
- the submission itself when the page is shown again (an error, or adding / removing a row of a
  dynamic list: those are submit buttons, `row_action()` edits the submitted rows).

Read-only and disabled fields show the case's value as text, never an input. Static text
components are Markdown rendered without raw HTML (so nothing authored can inject markup);
everything else is escaped by Jinja.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup

from engine.forms import blank_row, paths
from engine.forms.model import Field, FormSpec, Option

RESERVED = frozenset({"csrf_token", "expected_version", "_action"})
_TRUE = frozenset({"true", "on", "1", "yes", "checked"})
_ACTION = re.compile(r"(add|remove):([^\s]{1,300})")
_ROW = re.compile(r"(.+)\[([0-9]{1,6})\]")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def markdown(text: str | None) -> Markup:
    """Markdown as HTML, with raw HTML escaped and unsafe link targets (javascript:, data:…) refused."""
    return Markup(_markdown.render(text or ""))  # noqa: S704 - markdown-it escapes all raw HTML (html=False)


@dataclass
class OptionView:
    value: str
    label: str
    selected: bool
    id: str
    group: str | None = None
    keywords: str | None = None


@dataclass
class RowView:
    index: int
    prefix: str
    id: str
    fields: list[FieldView]
    may_remove: bool


@dataclass
class FieldView:
    field: Field
    kind: str  # input | group | list | display | readonly
    type: str
    name: str
    id: str
    label: str
    description: str | None = None
    required: bool = False
    error: str | None = None
    value: str = ""
    checked: bool = False
    options: list[OptionView] = field(default_factory=list)
    children: list[FieldView] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    html: Markup | None = None
    shown: str = ""  # a read-only field's value as text
    data: Any = None  # a read-only list or object, shown as the case page shows data
    input_type: str = "text"
    autofocus: bool = False
    may_add: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def described_by(self) -> str:
        ids = []
        if self.description:
            ids.append(f"{self.id}-desc")
        if self.error:
            ids.append(f"{self.id}-err")
        return " ".join(ids)


@dataclass
class ErrorLink:
    label: str
    message: str
    anchor: str | None


@dataclass
class FormView:
    fields: list[FieldView]
    errors: list[ErrorLink]

    @property
    def has_required(self) -> bool:
        return any(v.required for v in _walk(self.fields))


def submitted(form_data) -> dict[str, Any]:
    """The nested values of a POSTed task form (a werkzeug MultiDict), the page's own keys dropped."""
    from engine.forms import unflatten

    values = unflatten(form_data)
    for key in RESERVED:
        values.pop(key, None)
    return values


def build(form: FormSpec, values: Mapping[str, Any], case_data: Mapping[str, Any], lang: str, *,
          errors: Mapping[str, str] | None = None, focus: str | None = None) -> FormView:
    builder = _Builder(case_data, lang, dict(errors or {}), focus)
    views = builder.scope(form.components, values, "", top=True)
    return FormView(views, builder.summary(views))


def row_action(form: FormSpec, values: dict[str, Any], action: str) -> str | None:
    """Apply "add:<list>" or "remove:<list>[i]" to the submitted values in place. Returns the name
    to put the focus on (the new row, or the list after a removal), or None when the action does
    not name a list of this form whose rows may change."""
    found = _ACTION.fullmatch(action or "")
    if not found:
        return None
    verb, target = found.groups()
    if verb == "add":
        hit = _find_list(form.components, values, "", target)
        if hit is None:
            return None
        f, rows = hit
        if not f.allow_add_remove or (f.max_rows is not None and len(rows) >= f.max_rows):
            return None
        rows.append(blank_row(f))
        return f"{target}[{len(rows) - 1}]"
    row = _ROW.fullmatch(target)
    if row is None:
        return None
    hit = _find_list(form.components, values, "", row.group(1))
    if hit is None:
        return None
    f, rows = hit
    index = int(row.group(2))
    if not f.allow_add_remove or index >= len(rows):
        return None
    del rows[index]
    return row.group(1)


def _find_list(fields: tuple[Field, ...], scope: dict[str, Any], prefix: str,
               target: str) -> tuple[Field, list[Any]] | None:
    for f in fields:
        if f.is_group:
            hit = _find_list(f.children, scope, prefix, target)
            if hit is not None:
                return hit
        elif f.is_list and f.accepts_input:
            name = f.name_in(prefix)
            rows = paths.get_in(scope, f.path)
            if name == target:
                if not isinstance(rows, list):
                    rows = []
                    paths.set_in(scope, f.path, rows)
                return f, rows
            if target.startswith(name + "[") and isinstance(rows, list):
                found = re.match(r"\[([0-9]{1,6})\]", target[len(name):])
                if found and int(found.group(1)) < len(rows) and isinstance(rows[int(found.group(1))], dict):
                    i = int(found.group(1))
                    hit = _find_list(f.children, rows[i], f"{name}[{i}]", target)
                    if hit is not None:
                        return hit
    return None


def _key(value: Any) -> str:
    """How a value is spelled in HTML (and matched against options, as the validator does)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flag(value: Any) -> bool:
    if isinstance(value, list):
        return any(_flag(v) for v in value)
    if isinstance(value, bool):
        return value
    return isinstance(value, str | int) and _key(value).strip().lower() in _TRUE


class _Builder:
    def __init__(self, case_data: Mapping[str, Any], lang: str, errors: dict[str, str], focus: str | None) -> None:
        self.case_data = case_data
        self.lang = lang
        self.errors = errors
        self.focus = focus
        self.focused = False

    def scope(self, fields: tuple[Field, ...], values: Mapping[str, Any], prefix: str, *, top: bool) -> list[FieldView]:
        return [self.one(f, values, prefix, top=top) for f in fields]

    def one(self, f: Field, values: Mapping[str, Any], prefix: str, *, top: bool) -> FieldView:
        bound = (f.is_input or f.is_list or f.is_group) and bool(f.path)
        name = f.name_in(prefix) if bound else f"{prefix}{'.' if prefix else ''}{f.id}"
        view = FieldView(field=f, kind=f.kind, type=f.type, name=name, id=_html_id(name if bound else f"c-{name}"),
                         label=f.label_for(self.lang) if (f.label or f.key) else "",
                         description=f.description_for(self.lang), required=f.required,
                         error=self.errors.get(name) if bound else None)
        if f.is_display:
            view.label = f.label_for(self.lang) if f.label else ""
            if f.type == "text":
                view.html = markdown(f.text)
            elif f.type == "html":
                view.html = markdown(f.text)  # raw HTML is shown as text, never interpreted
            return view
        if f.is_group:
            view.children = self.scope(f.children, values, prefix, top=top)
            return view
        if not f.accepts_input:
            source = self.case_data if top else values
            return self._readonly(view, paths.get_in(source, f.path))
        raw = paths.get_in(values, f.path)
        if f.is_list:
            return self._list(view, f, raw)
        return self._input(view, f, raw)

    def _list(self, view: FieldView, f: Field, raw: Any) -> FieldView:
        rows = raw if isinstance(raw, list) else []
        view.may_add = f.allow_add_remove and (f.max_rows is None or len(rows) < f.max_rows)
        for i, row in enumerate(rows):
            prefix = f"{view.name}[{i}]"
            row_values = row if isinstance(row, Mapping) else {}
            children = self.scope(f.children, row_values, prefix, top=False)
            row_error = self.errors.get(prefix)
            if row_error:
                view.error = f"{view.error} {row_error}" if view.error else row_error
            view.rows.append(RowView(index=i, prefix=prefix, id=_html_id(prefix), fields=children,
                                     may_remove=f.allow_add_remove))
        if self.focus == view.name and not self.focused:
            view.autofocus = True  # after a removal: the list's add button
            self.focused = True
        return view

    def _input(self, view: FieldView, f: Field, raw: Any) -> FieldView:
        if raw is paths.MISSING:
            raw = None
        if self.focus and not self.focused and view.name.startswith(self.focus + "."):
            view.autofocus = True
            self.focused = True
        rules = f.rules
        if f.type in ("textfield", "textarea", "number", "datetime"):
            value = raw[0] if isinstance(raw, list) and raw else raw
            view.value = "" if isinstance(value, list) else _key(value)
        if f.type == "textfield":
            view.input_type = {"email": "email", "phone": "tel"}.get(rules.validation_type or "", "text")
            view.attrs = {"maxlength": rules.max_length, "minlength": rules.min_length}
        elif f.type == "textarea":
            view.attrs = {"maxlength": rules.max_length, "minlength": rules.min_length}
        elif f.type == "number":
            view.input_type = "text"
            view.attrs = {"inputmode": "numeric" if f.decimal_digits == 0 else "decimal"}
        elif f.type == "datetime":
            view.input_type = {"date": "date", "time": "time", "datetime": "datetime-local"}[f.subtype or "date"]
        elif f.type == "checkbox":
            view.checked = _flag(raw)
        elif f.type in ("select", "radio", "checklist", "taglist"):
            chosen = {_key(v) for v in raw} if isinstance(raw, list) else {_key(raw)} if raw is not None else set()
            view.options = [OptionView(value=_key(o.value), label=o.label_for(self.lang),
                                       selected=_key(o.value) in chosen, id=f"{view.id}-{i}",
                                       group=o.group_for(self.lang), keywords=o.keywords)
                            for i, o in enumerate(f.options_in(self.case_data))]
        return view

    def _readonly(self, view: FieldView, value: Any) -> FieldView:
        view.kind = "readonly"
        if value is paths.MISSING:
            value = None
        options = {(_key(o.value)): o for o in self.field_options(view.field)}

        def show(v: Any) -> str:
            if v is None or v == "":
                return "—"
            if isinstance(v, bool):
                return _("Yes") if v else _("No")
            option: Option | None = options.get(_key(v))
            return option.label_for(self.lang) if option else _key(v)

        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict | list) for v in value)):
            view.data = value
            return view
        if isinstance(value, list):
            view.shown = "、".join(show(v) for v in value) if value else "—"
            return view
        view.shown = show(value)
        view.value = _key(value)
        return view

    def field_options(self, f: Field) -> tuple[Option, ...]:
        return f.options_in(self.case_data)

    def summary(self, views: list[FieldView]) -> list[ErrorLink]:
        placed: dict[str, tuple[str, str]] = {}
        for v in _walk(views):
            if v.error and v.name not in placed:
                placed[v.name] = (v.label, v.id)
        out = [ErrorLink(label, self.errors.get(name) or "", anchor) for name, (label, anchor) in placed.items()
               if name in self.errors]
        for name, message in self.errors.items():
            if name not in placed and not any(name.startswith(p + "[") for p in placed):
                out.append(ErrorLink("", message, None))
        return out


def _walk(views: list[FieldView]):
    for v in views:
        yield v
        yield from _walk(v.children)
        for row in v.rows:
            yield from _walk(row.fields)


def _html_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_\-.\[\]]", lambda m: f"_{ord(m.group(0)):x}_", name)
