"""A scenario file as typed values: what `parse` produces and `runner` consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

CHINA = timezone(timedelta(hours=8), "CST")
DEFAULT_START = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)
DEFAULT_UNIT = "commerce"
DEFAULT_AFTER = timedelta(minutes=10)
STATUSES = ("running", "completed", "cancelled")


@dataclass(frozen=True)
class CompleteTask:
    """Complete one open user task, as a demo user holding `role` or as the user `user`."""

    role: str | None
    user: str | None
    task: str | None
    data: dict[str, Any]
    expect_error: str | None


@dataclass(frozen=True)
class FireTimers:
    """Run the timer command at the scenario clock; at least one timer must be due."""


@dataclass(frozen=True)
class DeliverMessage:
    message: str
    payload: dict[str, Any]
    expect_error: str | None


@dataclass(frozen=True)
class ExpectOpen:
    """A check between steps: exactly these tasks (BPMN ids) are open."""

    tasks: tuple[str, ...]


Action = CompleteTask | FireTimers | DeliverMessage | ExpectOpen


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as printed and as named in messages
    after: timedelta
    action: Action


@dataclass(frozen=True)
class Expect:
    status: str | None = None
    roles: tuple[str, ...] | None = None
    open: tuple[str, ...] | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtraUser:
    username: str
    unit: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    process: str
    start_at: datetime
    unit: str
    start_as: str | None
    start_user: str | None
    start_data: dict[str, Any]
    steps: tuple[Step, ...]
    expect: Expect
    users: tuple[ExtraUser, ...] = ()
    source: Path | None = None

    @property
    def label(self) -> str:
        return str(self.source) if self.source else self.name
