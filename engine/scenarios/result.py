"""What a scenario run produced: the path taken, line by line, and what went wrong, if anything.
Every line and failure carries both languages; the caller picks one when printing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import Message


class StepFailed(Exception):
    """Stops a scenario run: the scenario cannot go on (or a check failed) for the reason given."""

    def __init__(self, zh: str, en: str) -> None:
        self.message = Message(zh, en)
        super().__init__(en)


@dataclass
class ScenarioResult:
    name: str
    source: Path | None = None
    case_id: int | None = None
    lines: list[Message] = field(default_factory=list)
    failures: list[Message] = field(default_factory=list)
    seconds: float = 0.0
    # An exception that is not a WaishiError (an engine or runner bug), kept for the traceback.
    exception: BaseException | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def label(self) -> str:
        return str(self.source) if self.source else self.name

    def failure_text(self, lang: str = "zh") -> str:
        return "\n".join(f.text(lang) for f in self.failures)

    def verdict(self, lang: str = "zh") -> str:
        if self.ok:
            return f"OK ({self.seconds:.2f} s)"
        head = "失败" if not lang.startswith("en") else "FAILED"
        return f"{head} ({self.seconds:.2f} s)\n" + "\n".join("  " + f.text(lang) for f in self.failures)

    def report(self, lang: str = "zh") -> str:
        """The whole run as the CLI prints it: header, one line per step, verdict."""
        return "\n".join([f"== {self.label}: {self.name}", *(line.text(lang) for line in self.lines),
                          self.verdict(lang)])
