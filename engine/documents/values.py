"""Reading case data into a document: a value as text, object or list, whatever the data holds
(a field may be missing or of another type in an older version's case)."""

from __future__ import annotations

from typing import Any


def as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
