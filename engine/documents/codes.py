"""Verification codes printed on issued documents.

Ten characters of Crockford's base32 (no I, L, O, U) drawn with `secrets`: 50 bits, about 10^15
codes, so guessing one is futile even before the public page slows repeated misses down. People
type them from paper, so reading is forgiving: case, spaces and hyphens are ignored, O reads as 0
and I/L as 1.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str | None) -> str | None:
    """The code as stored, or None if `text` cannot be one."""
    if not text:
        return None
    cleaned = re.sub(r"[\s\-_]", "", text[:40]).upper().translate(_READ)
    return cleaned if _VALID.match(cleaned) else None


def grouped(code: str) -> str:
    """For print and screens: "ABCDE-FGHJK"."""
    return f"{code[:5]}-{code[5:]}"
