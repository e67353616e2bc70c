"""Flat HTML form fields → the nested dict `validate_submission` expects.

The web layer names inputs by their data path (`Field.name_in`): `applicant`, `inviter.name_zh`,
`members[0].name`. A browser posts those names flat; this rebuilds the structure. It knows nothing
about the form: types ("on" for a ticked checkbox, "12" for a number) are the validator's job, and
keys the form does not declare (the CSRF token, `expected_version`) are dropped there.

Row indices are compacted in index order (rows removed in the browser leave gaps), so a page that
re-renders after an error must render from the returned rows, where `members[1]` means the
second row that was sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_NAME = re.compile(r"[^.\[\]\s]+(?:\.[^.\[\]\s]+|\[[0-9]{1,6}\])*")
_PART = re.compile(r"\.?([^.\[\]\s]+)|\[([0-9]{1,6})\]")


class _Rows(dict):
    """Rows by index while building; becomes a list at the end."""


class _Leaves(list):
    """The values of a name that was sent more than once."""


def unflatten(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Rebuild nested data from flat names. `items` is a mapping (a value may be a list of the
    values of a repeated name) or (name, value) pairs such as `request.form.items(multi=True)`;
    a name given more than once yields a list. Names that are not paths, or that contradict an
    earlier name (`a` as text and `a.b`), are ignored. A werkzeug MultiDict (`request.form`) may be
    passed as it is: its `lists()` keeps repeated names, which its plain `items()` would not."""
    if hasattr(items, "lists"):
        pairs = items.lists()
    elif isinstance(items, Mapping):
        pairs = items.items()
    else:
        pairs = items
    root: dict[Any, Any] = {}
    for name, value in pairs:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            continue
        segments = [int(i) if i else key for key, i in _PART.findall(name)]
        for v in value if isinstance(value, list) else [value]:
            _put(root, segments, v)
    return _finish(root)


def _put(node: dict[Any, Any], segments: list[str | int], value: Any) -> None:
    for seg, nxt in zip(segments, segments[1:], strict=False):
        if isinstance(seg, int) != isinstance(node, _Rows):
            return
        child = node.get(seg)
        if child is None:
            child = node[seg] = _Rows() if isinstance(nxt, int) else {}
        elif not isinstance(child, dict) or isinstance(child, _Rows) != isinstance(nxt, int):
            return
        node = child
    last = segments[-1]
    if isinstance(last, int) != isinstance(node, _Rows):
        return
    if last not in node:
        node[last] = value
    elif isinstance(node[last], _Leaves):
        node[last].append(value)
    elif not isinstance(node[last], dict):
        node[last] = _Leaves([node[last], value])


def _finish(node: Any) -> Any:
    if isinstance(node, _Rows):
        return [_finish(node[i]) for i in sorted(node)]
    if isinstance(node, dict):
        return {k: _finish(v) for k, v in node.items()}
    if isinstance(node, _Leaves):
        return list(node)
    return node
