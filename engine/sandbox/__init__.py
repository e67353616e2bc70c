"""The sandbox that runs diagram code (gateway conditions, script tasks).

- `compiler`: RestrictedPython compilation with Waishi's policy (`compile_expression`, `compile_script`).
- `guards`: the guard functions and builtins compiled code runs against.
- `budget`: the per-command CPU budget (`cpu_budget`) checked by the code's ticks.
- `helpers`: date and working-day helpers every expression and script can call.
- `environment`: the SpiffWorkflow environment and `make_script_engine()`.
"""

from engine.sandbox.budget import cpu_budget
from engine.sandbox.compiler import compile_expression, compile_script
from engine.sandbox.environment import RestrictedEnvironment, find_violation, make_script_engine

__all__ = [
    "RestrictedEnvironment",
    "compile_expression",
    "compile_script",
    "cpu_budget",
    "find_violation",
    "make_script_engine",
]
