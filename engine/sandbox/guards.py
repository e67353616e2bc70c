"""Run-time guards and builtins that compiled diagram code sees (names fixed by `compiler.py`).

Two jobs: keep code away from Python's internals (attributes starting with `_`, frames, code and
function objects, `str.format`'s field access), and stop single operations that would build
enormous values in one C call, before the next `tick()` could notice (`10**10**10`, `'x' * 10**10`,
`'x'.center(10**10)`, `range(10**12)`, `f'{x:>999999999}'`).

Not covered: a single C call on a value that is small to build but huge to walk, e.g. a tuple
nested 60 deep with both halves shared (`t = (t, t)`), then `hash(t)`, `t == u` or `repr(t)`.
Ticks cannot interrupt it; only a separate process with a hard timeout could.
"""

from __future__ import annotations

import builtins
import functools
import operator
import re
import types
from datetime import date, time
from typing import Any

from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.sandbox.budget import refuse, tick, ticking
from engine.sandbox.compiler import BINOP_GUARDS, FORBIDDEN_ATTRIBUTES, FORMAT_GUARD, TICK

MAX_ITEMS = 1_000_000  # elements or characters one operation may produce
MAX_INT_BITS = 10_000  # size of an int one operation may produce
MAX_WIDTH = 100_000  # padding width / precision in format specs and str methods
MAX_SPEC = 1_000  # length of a format spec or strftime format

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_TEXT = (str, bytes, bytearray)

# Objects whose attributes lead to globals, frames or code: refuse every attribute of them.
_OPAQUE = (
    types.FunctionType, types.LambdaType, types.MethodType, types.BuiltinFunctionType,
    types.BuiltinMethodType, types.CodeType, types.FrameType, types.TracebackType,
    types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType, types.ModuleType,
    functools.partial,
)
_FORBIDDEN = INSPECT_ATTRIBUTES | FORBIDDEN_ATTRIBUTES


def _num(n: int) -> str:
    # Messages stay short, and repr() of a very large int would itself fail.
    return repr(n) if n.bit_length() <= 64 else f"<{n.bit_length()}-bit int>"


def _too_big(what_zh: str, what_en: str) -> None:
    refuse(f"运算结果过大：{what_zh}", f"Result would be too large: {what_en}")


# --- attribute, item and iteration access ---------------------------------------------------------

def guarded_getattr(obj: Any, name: str) -> Any:
    if not isinstance(name, str) or name.startswith("_") or name in _FORBIDDEN:
        refuse(f"不允许访问属性 {name!r}", f"Access to attribute {name!r} is not allowed")
    if isinstance(obj, _OPAQUE):
        refuse(
            f"不允许访问 {type(obj).__name__} 对象的属性 {name!r}",
            f"Access to attributes of {type(obj).__name__} objects is not allowed ({name!r})",
        )
    value = getattr(obj, name)
    sized = _SIZED_METHODS.get(name)
    if sized is not None:
        owners, method = sized
        owner = obj if isinstance(obj, type) else type(obj)
        if issubclass(owner, owners):
            # Bound on an instance: check that instance; looked up on the type: `self` comes first.
            return method if isinstance(obj, type) else functools.partial(method, obj)
    return value


def guarded_getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def guarded_getiter(obj: Any):
    return ticking(obj)


def _apply(func, *args, **kwargs):
    return func(*args, **kwargs)


# --- str/bytes methods that take a size -----------------------------------------------------------

def _pad(name: str):
    def method(s, width, *args):
        if isinstance(width, int) and width > MAX_WIDTH:
            _too_big(f"{name}() 宽度 {_num(width)}", f"{name}() width {_num(width)}")
        return getattr(s, name)(width, *args)

    return method


def _expandtabs(s, tabsize=8):
    if tabsize > 0 and len(s) + s.count("\t" if isinstance(s, str) else b"\t") * tabsize > MAX_ITEMS:
        _too_big("expandtabs()", "expandtabs()")
    return s.expandtabs(tabsize)


def _replace(s, old, new, count=-1):
    hits = s.count(old) if old else len(s) + 1
    if count >= 0:
        hits = min(hits, count)
    if len(s) + hits * (len(new) - len(old)) > MAX_ITEMS:
        _too_big("replace()", "replace()")
    return s.replace(old, new, count)


def _join(sep, iterable):
    items = list(ticking(iterable))
    total = sum(len(x) for x in items if isinstance(x, _TEXT)) + len(sep) * max(len(items) - 1, 0)
    if total > MAX_ITEMS:
        _too_big("join()", "join()")
    return sep.join(items)


def _to_bytes(n, length=1, *args, **kwargs):
    if isinstance(length, int) and length > MAX_ITEMS:
        _too_big(f"to_bytes() 长度 {_num(length)}", f"to_bytes() length {_num(length)}")
    return n.to_bytes(length, *args, **kwargs)


def _strftime(d, fmt):
    # C strftime may expand each directive a lot (e.g. widths); keep formats short.
    if isinstance(fmt, str) and len(fmt) > MAX_SPEC:
        _too_big("strftime() 格式过长", "strftime() format too long")
    return d.strftime(fmt)


_SIZED_METHODS: dict[str, tuple[type | tuple[type, ...], Any]] = {
    **{name: (_TEXT, _pad(name)) for name in ("zfill", "ljust", "rjust", "center")},
    "expandtabs": (_TEXT, _expandtabs),
    "replace": (_TEXT, _replace),
    "join": (_TEXT, _join),
    "to_bytes": (int, _to_bytes),
    "strftime": ((date, time), _strftime),
}


# --- operators ------------------------------------------------------------------------------------
# Each check looks only at sizes, so it costs next to nothing next to the operation it allows.

def _check_pow(base, exp) -> None:
    if isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1:
        if exp > MAX_INT_BITS or exp * base.bit_length() > MAX_INT_BITS:
            _too_big(f"{_num(base)} ** {_num(exp)}", f"{_num(base)} ** {_num(exp)}")


def _check_mul(a, b) -> None:
    for seq, n in ((a, b), (b, a)):
        if isinstance(seq, _SEQUENCES) and isinstance(n, int) and n > 0 and len(seq) * n > MAX_ITEMS:
            size, times = len(seq), _num(n)
            _too_big(f"长度为 {size} 的序列乘以 {times}", f"a sequence of length {size} times {times}")
    if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INT_BITS:
        _too_big("整数乘法", "integer multiplication")


def _check_lshift(a, b) -> None:
    if isinstance(a, int) and isinstance(b, int) and a and b > 0 and a.bit_length() + b > MAX_INT_BITS:
        _too_big(f"{_num(a)} << {_num(b)}", f"{_num(a)} << {_num(b)}")


# printf-style conversions: %(key)flags width .precision
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_PRINTF_B = re.compile(rb"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _wide(digits: str | bytes) -> bool:
    return len(digits) > len(str(MAX_WIDTH)) or int(digits) > MAX_WIDTH


def _check_mod(a, b) -> None:
    if not isinstance(a, _TEXT):
        return
    for match in (_PRINTF if isinstance(a, str) else _PRINTF_B).finditer(a):
        for width in match.groups():
            if width in ("*", b"*"):
                refuse("格式中不允许使用 * 宽度", "A '*' width in a format is not allowed")
            if width and _wide(width):
                shown = width[:20].decode() if isinstance(width, bytes) else width[:20]
                _too_big(f"格式宽度 {shown}", f"format width {shown}")


def guarded_pow(base, exp, mod=None):
    if mod is None:
        _check_pow(base, exp)
        return pow(base, exp)
    return pow(base, exp, mod)  # modular: the result is smaller than `mod`


def guarded_mul(a, b):
    _check_mul(a, b)
    return a * b


def guarded_lshift(a, b):
    _check_lshift(a, b)
    return a << b


def guarded_mod(a, b):
    _check_mod(a, b)
    return a % b


_DIGITS = re.compile(r"\d+")
_CONVERSIONS = {-1: None, ord("s"): str, ord("r"): repr, ord("a"): ascii}


def guarded_format(value, conversion: int, spec: str) -> str:
    """f"{value!conv:spec}" with the width/precision in `spec` bounded."""
    convert = _CONVERSIONS[conversion]
    if convert is not None:
        value = convert(value)
    if len(spec) > MAX_SPEC:
        _too_big("格式说明过长", "format spec too long")
    for digits in _DIGITS.findall(spec):
        if _wide(digits):
            _too_big(f"格式宽度 {digits}", f"format width {digits}")
    return format(value, spec)


# `x op= y` keeps Python's in-place semantics (a list extended stays the same list).
_INPLACE = {
    "+=": (None, operator.iadd), "-=": (None, operator.isub), "*=": (_check_mul, operator.imul),
    "/=": (None, operator.itruediv), "//=": (None, operator.ifloordiv), "%=": (_check_mod, operator.imod),
    "**=": (_check_pow, operator.ipow), "<<=": (_check_lshift, operator.ilshift),
    ">>=": (None, operator.irshift), "&=": (None, operator.iand), "|=": (None, operator.ior),
    "^=": (None, operator.ixor), "@=": (None, operator.imatmul),
}


def guarded_inplacevar(op: str, x, y):
    if op not in _INPLACE:
        refuse(f"不支持的运算符 {op}", f"Unsupported operator {op}")
    check, apply = _INPLACE[op]
    if check is not None:
        check(x, y)
    return apply(x, y)


# --- builtins -------------------------------------------------------------------------------------

def guarded_range(*args: int) -> range:
    r = range(*args)
    try:
        size = len(r)
    except OverflowError:
        size = MAX_ITEMS + 1
    if size > MAX_ITEMS:
        _too_big(f"range() 长度超过 {MAX_ITEMS}", f"range() longer than {MAX_ITEMS}")
    return r


def guarded_sum(iterable, start=0):
    if not isinstance(start, (int, float, complex)):
        # sum(lists, []) concatenates quadratically inside one C call.
        refuse("sum() 只能对数字求和", "sum() only adds numbers")
    return sum(iterable, start)


def _lazy(fn):
    # Iterators built by these run inside C consumers (list(), sorted(), dict()...): tick per item.
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return ticking(fn(*args, **kwargs))

    return wrapper


_UNSAFE_BUILTINS = {
    "__build_class__", "_getattr_",  # class definitions are refused at compile time
    "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",  # would escape `except Exception`
}

SAFE_BUILTINS: dict[str, Any] = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS}
SAFE_BUILTINS.update({
    name: getattr(builtins, name)
    for name in ("min", "max", "any", "all", "sorted", "list", "dict", "set", "frozenset", "tuple",
                 "len", "round", "abs", "str", "int", "float", "bool", "isinstance")
})
SAFE_BUILTINS.update({
    name: _lazy(getattr(builtins, name)) for name in ("enumerate", "reversed", "map", "filter", "zip")
})
SAFE_BUILTINS.update({"range": guarded_range, "pow": guarded_pow, "sum": guarded_sum})


def _unavailable(name: str):
    def stub(*args, **kwargs):
        refuse(f"图中的代码不能使用 {name}()", f"{name}() is not available in diagram code")

    stub.__name__ = name
    return stub


# A clear refusal instead of a NameError. Builtins sit below the task data, so a form field
# called `type` or `format` still reads as data.
SAFE_BUILTINS.update({
    name: _unavailable(name)
    for name in ("open", "getattr", "setattr", "delattr", "hasattr", "type", "vars", "dir", "eval", "exec",
                 "compile", "globals", "locals", "__import__", "input", "breakpoint", "help", "memoryview",
                 "super", "object", "iter", "next", "exit", "quit", "format", "bytes", "bytearray",
                 "classmethod", "staticmethod", "property", "aiter", "anext")
})

_BINOPS = {"_pow_": guarded_pow, "_mul_": guarded_mul, "_lshift_": guarded_lshift, "_mod_": guarded_mod}
assert set(_BINOPS) == set(BINOP_GUARDS.values())

# Names the compiled code calls (RestrictedPython's and ours). They are set last in the globals
# so that task data cannot shadow them (code cannot name them: names starting with `_` are refused).
GUARDS: dict[str, Any] = {
    "_getattr_": guarded_getattr,
    "_getitem_": guarded_getitem,
    "_getiter_": guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": guarded_inplacevar,
    "_apply_": _apply,
    TICK: tick,
    FORMAT_GUARD: guarded_format,
    **_BINOPS,
}
