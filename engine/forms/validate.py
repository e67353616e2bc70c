"""Server-side validation of a form submission: the only way user input reaches case data.

`validate_submission` returns the clean data — values coerced to their types, and only the keys
the form declares and lets the user edit — or raises `InvalidInput` whose `field_errors` hold one
Chinese/English message per wrong field, keyed by the field's path (`members[2].name`). The
browser may check too (form-js does), but nothing it says is trusted.

Values arrive either as JSON types or as HTML form strings (see `engine.forms.html.unflatten`),
so every coercion accepts both. An untouched field is stored as form-js's empty value ("" for
text, None for numbers, dates and single choices, False for a checkbox, [] for lists), so a
submitted form always replaces everything it shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import InvalidInput, Message
from engine.forms import messages, paths, patterns
from engine.forms.model import Field, FormSpec, Option, find_in_scope, scope_inputs
from engine.forms.paths import MISSING
from engine.sandbox.helpers import CHINA_TZ

MAX_TEXT = 20_000  # characters in one text value; far above any real field, well below abuse
MAX_ROWS = 500  # rows of one dynamic list, whatever the form allows
MAX_DIGITS = 28  # significant digits of a number (the decimal context's precision)
MAX_NUMBER_TEXT = 64

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # PostgreSQL JSON cannot even hold \x00
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_TIME = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_TEXT = re.compile(_TIME)
_DATETIME_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]" + _TIME)
_TRUE = frozenset({"on", "true", "1", "yes", "checked"})
_FALSE = frozenset({"", "off", "false", "0", "no"})


class _Refused(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message


_INVALID: Any = object()


def validate_submission(form: FormSpec, data: Mapping[str, Any] | None, *,
                        context: Mapping[str, Any] | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """The clean data of a submission to `form`, or `InvalidInput` with every field error.

    `context` is the case data: it supplies options named by `valuesKey` and the other date of an
    `after` rule when that date is read-only here. `today` (China time) enables
    `disallowPassedDates`; without it that check is skipped.
    """
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        msg = messages.not_an_object()
        raise InvalidInput(msg.zh, msg.en)
    check = _Check(context or {}, today)
    clean = check.scope(form.components, data, "", top=True)
    if check.errors:
        msg = messages.summary(len(check.errors))
        raise InvalidInput(msg.zh, msg.en, field_errors=check.errors)
    return clean


class _Check:
    def __init__(self, context: Mapping[str, Any], today: dt.date | None) -> None:
        self.context = context
        self.today = today
        self.errors: dict[str, Message] = {}

    def scope(self, fields: tuple[Field, ...], src: Mapping[str, Any], prefix: str, *, top: bool) -> dict[str, Any]:
        """One scope — the form, or one row of a dynamic list — checked into a fresh dict."""
        out: dict[str, Any] = {}
        self._fields(fields, src, out, prefix)
        self._order(fields, out, prefix, top=top)
        return out

    def _fields(self, fields: tuple[Field, ...], src: Mapping[str, Any], out: dict[str, Any], prefix: str) -> None:
        for f in fields:
            if not f.accepts_input:
                continue
            if f.is_group:
                self._fields(f.children, src, out, prefix)
                continue
            name = f.name_in(prefix)
            raw = paths.get_in(src, f.path)
            try:
                value = self._rows(f, raw, name) if f.is_list else _COERCE[f.type](self, f, raw)
            except _Refused as refused:
                self.errors[name] = refused.message
                continue
            paths.set_in(out, f.path, value)

    def _rows(self, f: Field, raw: Any, name: str) -> list[dict[str, Any]]:
        if raw is MISSING or raw is None:
            rows: list[Any] = []
        elif isinstance(raw, list):
            rows = raw
        elif isinstance(raw, Mapping) and all(isinstance(k, str) and k.isdigit() for k in raw):
            rows = [raw[k] for k in sorted(raw, key=int)]  # {"0": {...}, "1": {...}} from some clients
        else:
            raise _Refused(messages.not_rows(f))
        if len(rows) > MAX_ROWS:
            raise _Refused(messages.too_many_rows(f, MAX_ROWS))
        bound = self._bound_rows(f, name)
        if bound is not None and len(rows) != len(bound):
            raise _Refused(messages.rows_fixed(f, len(bound)))
        out = []
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                self.errors[f"{name}[{i}]"] = messages.not_row(f)
                continue
            clean = self.scope(f.children, row, f"{name}[{i}]", top=False)
            # A row bound to a recorded one updates it: what this form shows read-only, or does not
            # show at all, stays as recorded instead of being dropped from the stored list.
            out.append({**bound[i], **clean} if bound is not None and isinstance(bound[i], Mapping) else clean)
        low = f.min_rows if f.min_rows is not None else (1 if f.required else None)
        if low is not None and len(rows) < low:
            raise _Refused(messages.too_few_rows(f, low))
        if f.max_rows is not None and len(rows) > f.max_rows:
            raise _Refused(messages.too_many_rows(f, f.max_rows))
        return out

    def _bound_rows(self, f: Field, name: str) -> list[Any] | None:
        """The recorded rows a top-level list is bound to, when some of its fields are read-only:
        such a form annotates existing rows (e.g. passport numbers per member) rather than
        replacing the list. None for ordinary, fully editable lists."""
        if "[" in name or not _shows_read_only(f.children):
            return None
        recorded = paths.get_in(self.context, f.path)
        return list(recorded) if isinstance(recorded, list) else None

    def _order(self, fields: tuple[Field, ...], out: dict[str, Any], prefix: str, *, top: bool) -> None:
        """`after` rules: a date may not precede the other date of its scope. When that other date
        is read-only here, the case's stored value counts (top level only: rows have no stored twin)."""
        for f in scope_inputs(fields):
            name = f.name_in(prefix)
            if f.after is None or not f.accepts_input or name in self.errors:
                continue
            mine = paths.get_in(out, f.path)
            other_field = find_in_scope(fields, f.after)
            if not isinstance(mine, str) or other_field is None or other_field.type != "datetime":
                continue
            if other_field.accepts_input:
                other = paths.get_in(out, other_field.path)
            else:
                other = paths.get_in(self.context, other_field.path) if top else None
            if isinstance(other, str) and other and _earlier(mine, other):
                self.errors[name] = messages.before(f, other_field)

    # -- coercion, one function per form-js type ---------------------------------------------

    def text(self, f: Field, raw: Any) -> str:
        raw = _single(f, raw)
        if raw is MISSING or raw is None:
            value = ""
        elif isinstance(raw, str):
            value = raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            value = str(raw)
        else:
            raise _Refused(messages.not_text(f))
        value = value.replace("\r\n", "\n").strip()
        if len(value) > MAX_TEXT:
            raise _Refused(messages.too_long(f, MAX_TEXT))
        if _CONTROL.search(value):
            raise _Refused(messages.bad_characters(f))
        if not value:
            return _required(f, "")
        rules = f.rules
        if rules.min_length is not None and len(value) < rules.min_length:
            raise _Refused(messages.too_short(f, rules.min_length))
        if rules.max_length is not None and len(value) > rules.max_length:
            raise _Refused(messages.too_long(f, rules.max_length))
        for check in (patterns.NAMED.get(rules.pattern_name or ""),
                      patterns.VALIDATION_TYPES.get(rules.validation_type or "")):
            if check is not None:
                value, problem = check(value)
                if problem is not None:
                    raise _Refused(problem(f))
        if rules.pattern is not None and not rules.pattern.search(value):
            raise _Refused(messages.pattern(f))
        return value

    def number(self, f: Field, raw: Any) -> int | float | str | None:
        raw = _single(f, raw)
        number = _decimal(f, raw)
        if number is None:
            return _required(f, None)
        digits = max(0, -int(number.normalize().as_tuple().exponent))
        if f.decimal_digits is not None and digits > f.decimal_digits:
            raise _Refused(messages.not_integer(f) if f.decimal_digits == 0
                           else messages.too_many_decimals(f, f.decimal_digits))
        try:
            if f.increment is not None and f.increment > 0 and number % f.increment != 0:
                raise _Refused(messages.not_multiple(f, f.increment))
        except InvalidOperation:
            raise _Refused(messages.not_multiple(f, f.increment)) from None
        if f.rules.min is not None and number < f.rules.min:
            raise _Refused(messages.too_small(f, f.rules.min))
        if f.rules.max is not None and number > f.rules.max:
            raise _Refused(messages.too_large(f, f.rules.max))
        if f.as_string:
            try:
                if f.decimal_digits is not None:
                    return format(number.quantize(Decimal(1).scaleb(-f.decimal_digits)), "f")
                return format(number.normalize(), "f")
            except InvalidOperation:
                raise _Refused(messages.not_number(f)) from None
        return int(number) if number == number.to_integral_value() else float(number)

    def datetime(self, f: Field, raw: Any) -> str | None:
        raw = _single(f, raw)
        if isinstance(raw, dt.date | dt.time):
            raw = raw.isoformat()  # dt.datetime is a dt.date too
        if raw is MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
            return _required(f, None)
        value = _parse_when(f.subtype or "date", raw.strip()) if isinstance(raw, str) else None
        if value is None:
            raise _Refused(messages.not_date(f))
        if f.disallow_past and self.today is not None and f.subtype != "time" \
                and value[:10] < self.today.isoformat():
            raise _Refused(messages.in_the_past(f))
        return value

    def choice(self, f: Field, raw: Any) -> Any:
        raw = _single(f, raw)
        if raw is MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
            return _required(f, None)
        return _match(f, f.options_in(self.context), raw)

    def checkbox(self, f: Field, raw: Any) -> bool:
        # A list happens with the hidden-input idiom: <input type=hidden value=false> + the checkbox.
        values = [] if raw is MISSING or raw is None else raw if isinstance(raw, list) else [raw]
        value = any(_flag(f, v) for v in values)
        if f.required and not value:
            raise _Refused(messages.required(f))
        return value

    def many(self, f: Field, raw: Any) -> list[Any]:
        if raw is MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
            values: list[Any] = []
        elif isinstance(raw, list):
            values = raw
        else:
            values = [raw]
        options = f.options_in(self.context)
        out: list[Any] = []
        for v in values:
            if v is None or (isinstance(v, str) and not v.strip()):
                continue  # an empty hidden input keeps the key present when nothing is ticked
            matched = _match(f, options, v)
            if matched not in out:
                out.append(matched)
        if f.required and not out:
            raise _Refused(messages.required(f))
        return out


_COERCE: dict[str, Callable[[_Check, Field, Any], Any]] = {
    "textfield": _Check.text, "textarea": _Check.text, "number": _Check.number, "datetime": _Check.datetime,
    "select": _Check.choice, "radio": _Check.choice, "checkbox": _Check.checkbox,
    "checklist": _Check.many, "taglist": _Check.many,
}


def _shows_read_only(fields: tuple[Field, ...]) -> bool:
    for c in fields:
        if c.is_group and _shows_read_only(c.children):
            return True
        if c.is_input and not c.accepts_input:
            return True
    return False


def _single(f: Field, raw: Any) -> Any:
    """A repeated HTML key arrives as a list; a single-valued field takes exactly one."""
    if isinstance(raw, list):
        if len(raw) > 1:
            raise _Refused(messages.single_value(f))
        return raw[0] if raw else None
    return raw


def _required(f: Field, empty: Any) -> Any:
    if f.required:
        raise _Refused(messages.required(f))
    return empty


def _decimal(f: Field, raw: Any) -> Decimal | None:
    if raw is MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise _Refused(messages.not_number(f))
    if isinstance(raw, int):
        text = str(raw) if abs(raw) < 10 ** MAX_DIGITS else ""
    elif isinstance(raw, float):
        text = repr(raw)
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        raise _Refused(messages.not_number(f))
    if len(text) > MAX_NUMBER_TEXT or not _NUMBER.fullmatch(text):
        raise _Refused(messages.not_number(f))  # also NaN, Infinity, 1_000, full-width digits
    number = Decimal(text)
    if len(number.normalize().as_tuple().digits) > MAX_DIGITS or number.adjusted() > MAX_DIGITS:
        raise _Refused(messages.not_number(f))
    return number + 0  # -0 → 0


def _parse_when(subtype: str, text: str) -> str | None:
    """`text` in the canonical form of its subtype: 'YYYY-MM-DD', 'HH:MM' or 'YYYY-MM-DDTHH:MM'.
    Times with an offset are moved to China time, which is what the office's calendar means."""
    try:
        if subtype == "date":
            return dt.date.fromisoformat(text).isoformat() if _DATE_TEXT.fullmatch(text) else None
        if subtype == "time":
            if not _TIME_TEXT.fullmatch(text):
                return None
            t = dt.time.fromisoformat(text)
            if t.tzinfo is not None:
                t = dt.datetime.combine(dt.date(2000, 1, 3), t).astimezone(CHINA_TZ).time()
            return t.strftime("%H:%M")
        if not _DATETIME_TEXT.fullmatch(text):
            return None
        when = dt.datetime.fromisoformat(text)
        if when.tzinfo is not None:
            when = when.astimezone(CHINA_TZ)
        return when.strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return None  # the right shape but not a real date: 2026-02-30, 25:00


def _earlier(mine: str, other: str) -> bool:
    """Whether `mine` is strictly before `other`; a date against a date-time compares the days."""
    mine_is_time, other_is_time = bool(_TIME_TEXT.fullmatch(mine)), bool(_TIME_TEXT.fullmatch(other))
    if mine_is_time or other_is_time:
        return mine_is_time and other_is_time and mine < other
    if len(mine) == 10 or len(other) == 10:
        return mine[:10] < other[:10]
    return mine[:16] < other[:16]


def _match_key(value: Any) -> str:
    # HTML sends "1" for an option whose value is 1, and "true" for True.
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _match(f: Field, options: tuple[Option, ...], raw: Any) -> Any:
    if isinstance(raw, str | int | float | bool):
        wanted = _match_key(raw.strip() if isinstance(raw, str) else raw)
        for option in options:
            if _match_key(option.value) == wanted:
                return option.value
    raise _Refused(messages.not_option(f))


def _flag(f: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Refused(messages.not_bool(f))
