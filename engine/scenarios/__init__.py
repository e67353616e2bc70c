"""Scenario files: one case of a deployed process driven from start to end with the real engine,
one user per role, on a deterministic clock, and its outcome checked (docs/scenarios.md).

    parse     load_scenario(path) / parse_scenario(table) → Scenario, or ScenarioInvalid
    runner    run_scenario(scenario, db) → ScenarioResult (the path taken, failures)
    databases ScenarioDatabases: a fresh SQLite copy per scenario, or one given database
    suite     run_files(paths, definitions=…, url=…) → [ScenarioResult]
"""

from engine.scenarios.databases import ScenarioDatabases, default_definitions, deploy_definitions
from engine.scenarios.errors import ScenarioInvalid, ScenarioProblem
from engine.scenarios.model import Scenario
from engine.scenarios.parse import load_scenario, parse_scenario
from engine.scenarios.result import ScenarioResult
from engine.scenarios.runner import run_scenario
from engine.scenarios.suite import run_files, scenario_files

__all__ = [
    "Scenario", "ScenarioDatabases", "ScenarioInvalid", "ScenarioProblem", "ScenarioResult", "default_definitions",
    "deploy_definitions", "load_scenario", "parse_scenario", "run_files", "run_scenario", "scenario_files",
]
