"""Data paths of form fields: `inviter.name_zh`, `members[2].name`.

One spelling serves three purposes, so they can never drift apart: the HTML `name` of an input,
the key of a field error, and the place of the value in the nested case data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

Segment = str | int

MISSING: Any = object()  # "the submission does not mention this field", distinct from null

_SEGMENT = re.compile(r"[^.\[\]\s]+")


def split_key(key: str) -> tuple[str, ...] | None:
    """A form-js `key` or `path` ("a.b") as segments, or None when it cannot be a data path."""
    parts = tuple(key.split("."))
    if not parts or not all(_SEGMENT.fullmatch(p) for p in parts):
        return None
    return parts


def join(prefix: str, segments: Iterable[Segment]) -> str:
    """`join("members[2]", ("name",))` → "members[2].name"; integers become `[i]`."""
    out = prefix
    for seg in segments:
        if isinstance(seg, int):
            out += f"[{seg}]"
        else:
            out = f"{out}.{seg}" if out else seg
    return out


def get_in(data: Any, segments: Iterable[str]) -> Any:
    """The value at `segments` in nested mappings, or MISSING when any step is absent."""
    node = data
    for seg in segments:
        if not isinstance(node, Mapping) or seg not in node:
            return MISSING
        node = node[seg]
    return node


def set_in(data: dict[str, Any], segments: tuple[str, ...], value: Any) -> None:
    node = data
    for seg in segments[:-1]:
        child = node.get(seg)
        if not isinstance(child, dict):
            child = node[seg] = {}
        node = child
    node[segments[-1]] = value
