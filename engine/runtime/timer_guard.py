"""A bound on timer durations computed from case data.

SpiffWorkflow turns a duration into a date one month at a time, so `"P99999999Y"` — easy to reach
from a form value in `f"P{n}Y"` — would keep a worker busy for minutes outside the sandbox's CPU
budget (the loop is the library's, not diagram code). Durations over a century are refused
before that loop starts."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.errors import SandboxViolation

MAX_MONTHS = 1200

_original = TimerEventDefinition.parse_iso_duration


def _bounded_parse_iso_duration(expression):
    parsed = _original(expression)
    months = parsed.get("years", 0) * 12 + parsed.get("months", 0)
    if months > MAX_MONTHS:
        raise SandboxViolation(f"定时器时长过长：{expression}（上限 100 年）",
                               f"Timer duration too long: {expression} (at most 100 years)")
    return parsed


def install() -> None:
    TimerEventDefinition.parse_iso_duration = staticmethod(_bounded_parse_iso_duration)


install()
