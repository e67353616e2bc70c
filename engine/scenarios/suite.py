"""Run many scenario files: expand folders, read each file, run each in its own database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from engine.errors import Message
from engine.scenarios.databases import ScenarioDatabases
from engine.scenarios.errors import ScenarioInvalid
from engine.scenarios.parse import load_scenario
from engine.scenarios.result import ScenarioResult
from engine.scenarios.runner import run_scenario


def scenario_files(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; a folder stands for its `*.toml` files (sorted). A folder without any is
    an error, which also catches `--definitions a b` swallowing a definitions folder as a FILE."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                raise FileNotFoundError(f"no scenario files (*.toml) in {p}")
            files.extend(found)
        else:
            files.append(p)
    return files


def run_files(paths: Sequence[str | Path], *, definitions: Sequence[Path] | None = None, url: str | None = None,
              echo: Callable[[str], None] | None = None, lang: str = "zh") -> list[ScenarioResult]:
    """Run each file (see `ScenarioDatabases` for where). A file that cannot be read is a failed
    result listing its problems. Raises DefinitionInvalid when the definitions do not deploy."""
    results = []
    with ScenarioDatabases(definitions, url) as databases:
        for path in scenario_files(paths):
            try:
                scenario = load_scenario(path)
            except ScenarioInvalid as exc:
                result = ScenarioResult(name="?", source=path,
                                        failures=[Message(exc.report("zh"), exc.report("en"))])
                if echo:
                    echo(f"== {path}")
                    echo(result.verdict(lang))
                results.append(result)
                continue
            with databases.database() as db:
                results.append(run_scenario(scenario, db, specs=databases.specs, echo=echo, lang=lang))
    return results
