"""Running engine steps with a CPU budget, turning SpiffWorkflow's exceptions into ours.

A diagram's script or condition that fails must reach the user as a clear message and roll the
command back; a sandbox refusal must stay recognisable even though SpiffWorkflow wraps it.
"""

from __future__ import annotations

from collections.abc import Callable

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import SandboxViolation, WaishiError
from engine.sandbox import cpu_budget


class EngineFailure(WaishiError):
    """The diagram itself failed while running (bad expression, no matching gateway condition)."""

    code = "engine"
    http_status = 422


def run_engine(wf: BpmnWorkflow, before: Callable[[], object] | None = None) -> None:
    try:
        with cpu_budget():
            if before is not None:
                before()
            wf.do_engine_steps()
    except WaishiError:
        raise
    except SpiffWorkflowException as exc:
        violation = _find_violation(exc)
        if violation is not None:
            raise violation from exc
        raise EngineFailure(f"流程执行出错：{_describe(exc)}", f"The process failed: {_describe(exc)}") from exc
    except RecursionError as exc:
        raise EngineFailure("流程执行出错：递归过深", "The process failed: recursion too deep") from exc


def _find_violation(exc: BaseException) -> SandboxViolation | None:
    seen = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, SandboxViolation):
            return cur
        inner = getattr(cur, "error", None) or getattr(cur, "exception", None)
        cur = inner if isinstance(inner, BaseException) else (cur.__cause__ or cur.__context__)
    return None


def _describe(exc: SpiffWorkflowException) -> str:
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None)
    where = f" [{spec.bpmn_id or spec.name}]" if spec is not None else ""
    return f"{exc}{where}"
