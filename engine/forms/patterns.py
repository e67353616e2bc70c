"""Built-in formats: resident ID numbers, passport numbers, email addresses, phone numbers.

Each check takes the text as typed and returns the value to store (normalised) and, when the text
is wrong, a message factory; the caller adds the field's label.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from engine.errors import Message
from engine.forms import messages
from engine.forms.model import Field

Check = Callable[[str], tuple[str, Callable[[Field], Message] | None]]

# GB 11643-1999: weights 2^(17-i) mod 11 and the check character table of ISO 7064 MOD 11-2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
# The WHATWG definition of a valid email address (what <input type="email"> accepts).
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
_MOBILE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}[0-9]{7,8}(?:[0-9]{1,6})?")  # area code, number, extension
_INTERNATIONAL = re.compile(r"(?:\+|00)[1-9][0-9]{6,14}")  # E.164: at most 15 digits


def id_card_check_char(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def check_id_card(text: str) -> tuple[str, Callable[[Field], Message] | None]:
    value = text.strip().upper()
    if not _ID_SHAPE.fullmatch(value):
        return value, messages.id_card_format
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return value, messages.id_card_birth
    if born.year < 1900:
        return value, messages.id_card_birth
    if id_card_check_char(value[:17]) != value[17]:
        return value, messages.id_card_check
    return value, None


def check_passport_no(text: str) -> tuple[str, Callable[[Field], Message] | None]:
    value = text.strip().upper()
    return value, None if _PASSPORT.fullmatch(value) else messages.passport_no


def check_email(text: str) -> tuple[str, Callable[[Field], Message] | None]:
    value = text.strip()
    return value, None if _EMAIL.fullmatch(value) and len(value) <= 254 else messages.email


def check_phone(text: str) -> tuple[str, Callable[[Field], Message] | None]:
    """Chinese mobile or landline (area code, optional extension) or an international number.
    Spaces, hyphens and brackets are separators people type; they are kept as typed."""
    value = text.strip()
    compact = re.sub(r"[\s\-()]", "", value)
    ok = any(p.fullmatch(compact) for p in (_MOBILE, _LANDLINE, _INTERNATIONAL))
    return value, None if ok else messages.phone


NAMED: dict[str, Check] = {"id_card": check_id_card, "passport_no": check_passport_no}
VALIDATION_TYPES: dict[str, Check] = {"email": check_email, "phone": check_phone}
