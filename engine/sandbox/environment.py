"""The script-engine environment that runs diagram code compiled by `compiler.py`.

SpiffWorkflow's default environment calls plain `eval`/`exec` with the full builtins, and its
documented `safe_globals` recipe is escapable through `().__class__.__base__.__subclasses__()`.
Here code is compiled by RestrictedPython with our policy and runs against `guards.py`'s builtins
and guard functions, under a CPU budget (`budget.py`).

Finding a refusal after SpiffWorkflow wrapped it: `PythonScriptEngine` turns errors from scripts and
conditions into `WorkflowTaskException`, raised inside its `except` block, so the original
`SandboxViolation` is the wrapper's `__context__`. `find_violation(exc)` walks that chain.
"""

from __future__ import annotations

import logging
import math
import types
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import SandboxViolation
from engine.sandbox.budget import Budget, cpu_budget, current_budget, refuse
from engine.sandbox.compiler import compile_expression, compile_script
from engine.sandbox.guards import GUARDS, SAFE_BUILTINS
from engine.sandbox.helpers import HELPERS

log = logging.getLogger(__name__)

MAX_DATA_NODES = 100_000  # values task data may hold, counted through containers
MAX_DATA_DEPTH = 100

# What the state serializer stores (engine.runtime.state registers date and Decimal).
_SCALARS = (type(None), bool, int, str, date, timedelta, Decimal)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and executes scripts in the sandbox.

    Names visible to code, later ones winning: the helpers (`helpers.HELPERS`) and any extra
    `environment_globals`, SpiffWorkflow's external context (data objects), then the task data,
    so a form field called `date` hides the `date()` helper rather than the other way round.
    Names starting with `_` in the data are not visible (code cannot name them anyway) and the
    guard functions are set last, so data cannot replace them.
    """

    def __init__(self, environment_globals: dict[str, Any] | None = None) -> None:
        super().__init__({**HELPERS, **(environment_globals or {})})

    def _globals(self, context: dict, external_context: dict | None) -> dict[str, Any]:
        scope: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **self.globals}
        for source in (external_context or {}, context):
            scope.update((k, v) for k, v in source.items() if isinstance(k, str) and not k.startswith("_"))
        scope.update(GUARDS)
        return scope

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        code = compile_expression(expression)
        scope = self._globals(context, external_context)
        result = _run(lambda: eval(code, scope))
        # An expression can still grow the data in place (`l.append(...)` in a comprehension);
        # make sure the serializer will not be handed something it cannot finish.
        _is_data(context, [0])
        return result

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        code = compile_script(script)
        scope = self._globals(context, external_context)
        _run(lambda: exec(code, scope))
        self._copy_back(scope, context, external_context or {})
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise SandboxViolation("不支持服务任务", "Service tasks are not supported")

    def _copy_back(self, scope: dict[str, Any], context: dict, external_context: dict) -> None:
        """Put the script's variables into the task data: data only, and honour `del x`."""
        kept: dict[str, Any] = {}
        dropped: list[str] = []
        counter = [0]
        for name, value in scope.items():
            if name.startswith("_") or name in external_context:
                continue
            if name in self.globals and value is self.globals[name]:
                continue  # an untouched helper
            if callable(value) or isinstance(value, types.ModuleType):
                continue  # functions the script defined for itself
            if _is_data(value, counter):
                kept[name] = value
            else:
                dropped.append(name)
        if dropped:
            log.warning("script variables not kept in task data (not JSON data): %s", ", ".join(dropped))
        for name in [k for k in context if isinstance(k, str) and not k.startswith("_") and k not in kept]:
            del context[name]
        context.update(kept)


def _is_data(value: Any, counter: list[int]) -> bool:
    """JSON-like data the state serializer can store. Refuses (rather than walks) huge, deep or
    self-sharing structures, e.g. `l = [l, l]` forty times over, which no encoder would finish."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        counter[0] += 1
        if counter[0] > MAX_DATA_NODES or depth > MAX_DATA_DEPTH:
            refuse(
                f"任务数据过多或嵌套过深（最多 {MAX_DATA_NODES} 个值、{MAX_DATA_DEPTH} 层）；"
                "临时变量请用 del 删除",
                f"The task data is too large or too deep (at most {MAX_DATA_NODES} values, "
                f"{MAX_DATA_DEPTH} levels); del temporary variables",
            )
        if isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, (list, tuple)):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend((v, depth + 1) for v in item.values())
        elif not isinstance(item, _SCALARS):
            return False
    return True


def _run(fn: Callable[[], Any]) -> Any:
    outer = current_budget()
    budget_cm = nullcontext(outer) if outer is not None else cpu_budget()
    with budget_cm as budget:
        assert isinstance(budget, Budget)
        try:
            result = fn()
        except Exception as exc:
            if budget.violation is not None and budget.violation is not exc:
                raise budget.violation from exc  # the code caught a refusal and then failed otherwise
            if isinstance(exc, RecursionError):
                raise SandboxViolation("递归过深", "Recursion too deep") from exc
            if isinstance(exc, SyntaxError) or (exc.args and not isinstance(exc.args[0], str)):
                # SpiffWorkflow's error formatter assumes `args[0]` is text and `lineno` is set.
                raise RuntimeError(f"{type(exc).__name__}: {exc}").with_traceback(exc.__traceback__) from exc
            raise
        if budget.violation is not None:
            raise budget.violation  # refused, then swallowed by `except` in the code itself
        return result


def find_violation(exc: BaseException | None) -> SandboxViolation | None:
    """The SandboxViolation behind `exc` (e.g. a SpiffWorkflow WorkflowTaskException), if any."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, SandboxViolation):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def make_script_engine() -> PythonScriptEngine:
    """A SpiffWorkflow script engine that runs all diagram code in this sandbox.

    SpiffWorkflow does not serialize the script engine: a workflow restored by
    `BpmnWorkflowSerializer.deserialize_json` silently gets the unrestricted default engine.
    Callers must re-attach this one after every load (`wf.script_engine = engine`) and pass it
    when creating workflows (`BpmnWorkflow(spec, subprocess_specs, script_engine=engine)`).
    The engine holds no per-case state and can be shared between threads.
    """
    return PythonScriptEngine(environment=RestrictedEnvironment())
