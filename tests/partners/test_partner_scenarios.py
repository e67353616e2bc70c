"""The scenarios of sister_city, ngo_activity and journalist_interview (processes/scenarios/): each
passes with the real engine (and replays), and together they match every row of the three
decision tables — a new row without a scenario fails here. (tests/test_scenarios.py runs the same
files among all the others; this module is the targeted run and the coverage check.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.authoring.rule_hits import recording
from engine.scenarios import load_scenario, run_scenario
from tests.conftest import TESTS
from tests.partners.conftest import SPECS

REPO = TESTS.parent
PROCESSES = ("sister_city", "ngo_activity", "journalist_interview")
TABLES = {"sister_city": "sister_city_preconditions", "ngo_activity": "ngo_filing",
          "journalist_interview": "journalist_route"}
FILES = sorted(p for p in (REPO / "processes" / "scenarios").glob("*.toml") if p.stem.startswith(PROCESSES))
HITS: dict[str, set[str]] = {}


def _rows(table: str) -> set[str]:
    tree = etree.parse(str(REPO / "processes" / f"{table}.dmn"))
    return {r.get("id") for r in tree.iter("{https://www.omg.org/spec/DMN/20191111/MODEL/}rule")}


def test_each_procedure_has_scenarios():
    for process in PROCESSES:
        assert any(p.stem.startswith(process) for p in FILES), process


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path, shipped_db):
    scenario = load_scenario(path)
    with recording() as hits:
        result = run_scenario(scenario, shipped_db, specs=SPECS, lang="en")
    assert result.ok, result.report("en")
    assert hits, "every scenario of these procedures runs its decision table"
    HITS.setdefault(scenario.process, set()).update(hits)


@pytest.mark.parametrize("process", PROCESSES)
def test_every_rule_row_is_matched_by_a_scenario(process, request):
    if process not in HITS:  # run alone (-k): drive this process's scenarios here, only for their hits
        # (they share one database, so numbers drawn differ from their expectations: test_scenario
        # checks the outcomes)
        db = request.getfixturevalue("shipped_db")
        for path in FILES:
            if path.stem.startswith(process):
                with recording() as hits:
                    run_scenario(load_scenario(path), db, specs=SPECS, lang="en")
                HITS.setdefault(process, set()).update(hits)
    rows = _rows(TABLES[process])
    assert rows and rows <= HITS[process], f"rows without a scenario: {sorted(rows - HITS[process])}"
