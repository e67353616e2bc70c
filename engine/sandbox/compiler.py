"""Compile diagram code (gateway conditions, script tasks) under Waishi's restricted policy.

RestrictedPython rewrites attribute, item and iteration access into calls to guard functions
(`_getattr_`, `_getitem_`, `_getiter_`, ...) and refuses names starting with `_` at compile time.
Our policy adds what it lacks against denial of service: a `_tick_()` at the top of every loop
and function body (the CPU budget), and guarded calls for the operators that can build enormous
values in one step (`**`, `*`, `<<`, `%`, f-string format specs). The guards themselves live
in `guards.py`; the names below are the contract between the two modules.
"""

from __future__ import annotations

import ast
import textwrap
import types
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec

from engine.errors import SandboxViolation

TICK = "_tick_"
FORMAT_GUARD = "_format_"
BINOP_GUARDS: dict[type[ast.operator], str] = {
    ast.Pow: "_pow_",
    ast.Mult: "_mul_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}
# Refused at compile time with a clear message; `_getattr_` refuses them again at run time.
FORBIDDEN_ATTRIBUTES = frozenset({"format", "format_map", "mro", "func_globals", "func_code"})

_FILENAME = "<string>"  # SpiffWorkflow looks for this name in tracebacks to report the failing line


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _located(new: ast.AST, old: ast.AST) -> ast.AST:
    # Generated nodes take the source position of the node they replace (tracebacks, line numbers).
    return ast.fix_missing_locations(ast.copy_location(new, old))


class WaishiPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus CPU ticks and size-guarded operators."""

    def _with_tick(self, node):
        if isinstance(node, (ast.For, ast.While, ast.FunctionDef)):
            node.body.insert(0, _located(ast.Expr(_call(TICK)), node.body[0] if node.body else node))
        return node

    def visit_For(self, node: ast.For):
        return self._with_tick(super().visit_For(node))

    def visit_While(self, node: ast.While):
        return self._with_tick(super().visit_While(node))

    def visit_FunctionDef(self, node: ast.FunctionDef):
        # A tick per call bounds recursion that never loops (e.g. exponential fib).
        return self._with_tick(super().visit_FunctionDef(node))

    def visit_Lambda(self, node: ast.Lambda):
        node = super().visit_Lambda(node)
        if isinstance(node, ast.Lambda):
            # `_tick_()` returns None, so `None or body` evaluates the body after ticking.
            node.body = _located(ast.BoolOp(op=ast.Or(), values=[_call(TICK), node.body]), node.body)
        return node

    def visit_BinOp(self, node: ast.BinOp):
        node = super().visit_BinOp(node)
        guard = BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        return _located(_call(guard, node.left, node.right), node)

    def visit_FormattedValue(self, node: ast.FormattedValue):
        node = super().visit_FormattedValue(node)
        if node.format_spec is None:
            return node
        # f"{x:>{n}}": hand value, conversion and the evaluated spec to a guard that checks widths.
        call = _call(FORMAT_GUARD, node.value, ast.Constant(node.conversion), node.format_spec)
        guarded = _located(call, node)
        return _located(ast.FormattedValue(value=guarded, conversion=-1, format_spec=None), node)

    def visit_Attribute(self, node: ast.Attribute):
        if node.attr in FORBIDDEN_ATTRIBUTES:
            self.error(node, f'"{node.attr}" is not allowed (use an f-string instead of str.format).')
        return super().visit_Attribute(node)

    def visit_Name(self, node: ast.Name):
        if node.id in ("print", "printed"):
            # RestrictedPython would need a `_print_` collector; its output would go nowhere anyway.
            self.error(node, '"print" is not available in diagram code.')
        return super().visit_Name(node)

    def visit_Import(self, node: ast.Import):
        self.error(node, "Imports are not allowed.")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom):
        self.error(node, "Imports are not allowed.")
        return node

    def visit_ClassDef(self, node: ast.ClassDef):
        # Classes bring dunder methods and metaclasses; diagram code does not need them.
        self.error(node, "Class definitions are not allowed.")
        return node


def _violation(kind_zh: str, kind_en: str, src: str, errors: list[str] | tuple[str, ...]) -> SandboxViolation:
    detail = "; ".join(errors)
    return SandboxViolation(
        f"{kind_zh}无法编译或含有被禁止的写法：{detail}",
        f"{kind_en} could not be compiled or uses a forbidden construct: {detail}",
        source=src,
        errors=list(errors),
    )


def _compile(compiler, src: str, prepare, kind_zh: str, kind_en: str) -> types.CodeType:
    if not isinstance(src, str):
        raise _violation(kind_zh, kind_en, repr(src), [f"expected text, got {type(src).__name__}"])
    src = prepare(src)
    try:
        result = compiler(src, filename=_FILENAME, policy=WaishiPolicy)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        # e.g. null bytes, `return` outside a function, absurdly nested source. Never let a bare
        # SyntaxError out: SpiffWorkflow's formatter compares its `lineno` (maybe None) with 0.
        raise _violation(kind_zh, kind_en, src, [f"{type(exc).__name__}: {exc}"]) from None
    if result.errors or result.code is None:
        raise _violation(kind_zh, kind_en, src, result.errors or ["unknown error"])
    return result.code


@lru_cache(maxsize=2048)
def compile_expression(src: str) -> types.CodeType:
    """Compile a condition or other expression; surrounding whitespace (XML indentation) is ignored."""
    return _compile(compile_restricted_eval, src, str.strip, "表达式", "Expression")


@lru_cache(maxsize=1024)
def compile_script(src: str) -> types.CodeType:
    """Compile a script task's code. Common indentation is removed but lines keep their numbers, so
    SpiffWorkflow's "error on line N" still points at the right line of the original text."""
    return _compile(compile_restricted_exec, src, textwrap.dedent, "脚本", "Script")
