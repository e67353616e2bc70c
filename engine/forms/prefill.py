"""The values a form shows when it opens: the case's own where it has them, else the form's
`defaultValue`, else the empty value — the same nesting the form posts back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.forms import paths
from engine.forms.model import Field, FormSpec


def initial_values(form: FormSpec, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Nested values for every input and list of the form, read-only ones included."""
    return _scope(form.components, data or {})


def blank_row(list_field: Field) -> dict[str, Any]:
    """A new row of a dynamic list, as the "add row" button shows it."""
    return _scope(list_field.children, {})


def _scope(fields: tuple[Field, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _fill(fields, data, out)
    return out


def _fill(fields: tuple[Field, ...], data: Mapping[str, Any], out: dict[str, Any]) -> None:
    for f in fields:
        if f.is_group:
            _fill(f.children, data, out)
        elif f.is_list:
            stored = paths.get_in(data, f.path)
            if isinstance(stored, list):
                rows = [_scope(f.children, r if isinstance(r, Mapping) else {}) for r in stored]
            else:
                rows = [blank_row(f) for _ in range(f.default_rows)]
            paths.set_in(out, f.path, rows)
        elif f.is_input:
            stored = paths.get_in(data, f.path)
            if stored is paths.MISSING:
                stored = f.default if f.default is not None else f.empty_value
            paths.set_in(out, f.path, stored)
