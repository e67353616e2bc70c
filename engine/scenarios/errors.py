"""Why a scenario file cannot be run: every problem at once, each saying where it is."""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import WaishiError


@dataclass(frozen=True)
class ScenarioProblem:
    where: str  # "step 3", "[expect]", "start_at"… (the file is named by the error)
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return f"{self.where}: {self.en if lang.startswith('en') else self.zh}"


class ScenarioInvalid(WaishiError):
    code = "scenario_invalid"

    def __init__(self, source: str, problems: list[ScenarioProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"场景文件 {source} 有 {len(problems)} 个问题",
                         f"Scenario file {source} has {len(problems)} problem(s)")

    def report(self, lang: str = "zh") -> str:
        return "\n".join([self.text(lang), *("  " + p.text(lang) for p in self.problems)])
