"""Where to go back to after a POST: only paths on this site, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "tasks.inbox") -> str:
    """`target` if it is a local path ("/cases/3?x=1"), else the default page. Refuses
    "//host", "https://host", backslash tricks and control characters."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        if not any(ord(c) < 32 for c in target):
            parts = urlsplit(target)
            if not parts.scheme and not parts.netloc:
                return target
    return url_for(default_endpoint)
