"""Errors and problems that carry their message in both of the product's languages.

The engine has no request and no locale, so every message a person may read is built here in
Chinese and English and the caller picks one (`text(lang)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class WaishiError(Exception):
    """Base for every error the engine raises on purpose. `code` is stable for callers and tests."""

    code = "error"
    http_status = 400

    def __init__(self, zh: str, en: str, **details: Any) -> None:
        self.message = Message(zh, en)
        self.details = details
        super().__init__(str(self.message))

    def text(self, lang: str = "zh") -> str:
        return self.message.text(lang)


class NotFound(WaishiError):
    code = "not_found"
    http_status = 404


class Forbidden(WaishiError):
    code = "forbidden"
    http_status = 403


class Conflict(WaishiError):
    """Stale or double submit, a task no longer READY, a case already finished."""

    code = "conflict"
    http_status = 409


class InvalidInput(WaishiError):
    code = "invalid"
    http_status = 400

    def __init__(self, zh: str, en: str, field_errors: dict[str, Message] | None = None, **details: Any):
        super().__init__(zh, en, **details)
        self.field_errors = field_errors or {}


class SandboxViolation(WaishiError):
    """Diagram code tried something the sandbox forbids, failed to compile, or ran too long."""

    code = "sandbox"


@dataclass
class Problem:
    """One finding of definition validation, located by file, element id and line where known."""

    zh: str
    en: str
    file: str | None = None
    element_id: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" refuses the deploy, "warning" is reported only
    code: str = "invalid"
    extra: dict[str, Any] = field(default_factory=dict)

    def where(self) -> str:
        parts = [p for p in (self.file, self.element_id and f"#{self.element_id}",
                             self.line and f"line {self.line}") if p]
        return " ".join(parts)

    def text(self, lang: str = "zh") -> str:
        msg = self.en if lang.startswith("en") else self.zh
        where = self.where()
        return f"{where}: {msg}" if where else msg


class DefinitionInvalid(WaishiError):
    code = "definition_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(
            f"定义未通过校验，共 {len(errors)} 个问题",
            f"The definition failed validation with {len(errors)} problem(s)",
        )
