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
# TOML has no null: in `[expect.data]` these strings stand for a missing (or null) value.
NULL = "<null>"  # the key is absent, or its value is null
ABSENT = "<absent>"  # the key is absent


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


@dataclass(frozen=True)
class StartOther:
    """Start another case (of `process`), which the scenario then leaves alone; with `expect_error`
    the start must be refused and nothing may change. `role`/`user` None: the scenario's starter;
    `unit` None: the scenario's unit."""

    process: str
    role: str | None
    user: str | None
    unit: str | None
    data: dict[str, Any]
    expect_error: str | None


@dataclass(frozen=True)
class NotificationPattern:
    """What one expected notification must have; None fields match anything. `contains` is a
    substring of the Chinese or the English text."""

    kind: str | None = None
    role: str | None = None
    username: str | None = None
    contains: str | None = None

    def describe(self) -> str:
        shown = ", ".join(f'{k} = "{v}"' for k, v in (("kind", self.kind), ("role", self.role),
                                                         ("username", self.username), ("contains", self.contains))
                          if v is not None)
        return "{" + shown + "}"


@dataclass(frozen=True)
class ExpectNotifications:
    """A check between steps: each pattern matches a notification of the case (none: the case has none)."""

    patterns: tuple[NotificationPattern, ...]


Action = CompleteTask | FireTimers | DeliverMessage | ExpectOpen | StartOther | ExpectNotifications


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
    notifications: tuple[NotificationPattern, ...] | None = None
    unit_held: bool | None = None


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
    # [[given_prior_trips]]: trips entered in the person register (engine/persons) before the start.
    prior_trips: tuple[dict[str, Any], ...] = ()
    # [settings]: office settings (engine/office/settings.py keys) set before the start, restored after the run.
    settings: dict[str, str] = field(default_factory=dict)
    source: Path | None = None

    @property
    def label(self) -> str:
        return str(self.source) if self.source else self.name
