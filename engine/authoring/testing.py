"""Testing a draft before it is deployed: its scenarios — the shipped ones of its process
(`processes/scenarios/<process>_*.toml`, copied into the draft when it is opened, so the analyst
can fix one a change breaks) and those the analyst wrote — each
run by the real scenario runner in a throwaway database with the draft deployed. Each result
keeps the path the case took (elements completed, flows taken — as its events recorded them,
read before the scenario database is thrown away) to draw on the diagram, the decision-table rows
it matched (to tell which scenarios exercise a changed row) and the first mismatch.

`run_files` runs scenarios on any set of files; `run_draft` on a draft's own, and the impact of a
draft (impact.py) also runs them on the version the draft came from. A run depends on nothing but
the files (scenarios carry their own clock, the databases are new), so the last runs are kept by
the hash of their files: running the scenarios, then seeing the impact, then deploying the same
draft runs each set once."""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from engine.authoring import rule_hits
from engine.authoring.drafts import Draft, files_of_kind
from engine.errors import DefinitionInvalid
from engine.scenarios.databases import REPO_ROOT, ScenarioDatabases
from engine.scenarios.errors import ScenarioInvalid
from engine.scenarios.parse import load_scenario
from engine.scenarios.runner import run_scenario
from engine.storage.models import AuditEvent

SHIPPED = REPO_ROOT / "processes" / "scenarios"


@dataclass(frozen=True)
class ScenarioRun:
    name: str  # the file name
    title: str
    ok: bool
    first_failure_zh: str = ""
    first_failure_en: str = ""
    lines: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    flows: tuple[str, ...] = ()
    shipped: bool = True
    rules: tuple[str, ...] = ()  # ids of the decision-table rows matched, each once


@dataclass(frozen=True)
class TestRun:
    runs: list[ScenarioRun] = field(default_factory=list)
    problems: list = field(default_factory=list)  # the draft did not deploy: its validation problems

    @property
    def passed(self) -> list[str]:
        return [r.name for r in self.runs if r.ok]

    @property
    def failed(self) -> list[str]:
        return [r.name for r in self.runs if not r.ok]


def shipped_scenarios(process_id: str) -> list[Path]:
    return sorted(SHIPPED.glob(f"{process_id}_*.toml")) if SHIPPED.is_dir() else []


def run_draft(draft: Draft, *, only: set[str] | None = None) -> TestRun:
    """Run the draft's scenarios (all, or the names in `only`)."""
    return run_files(draft.process_id, draft.files, only=only)


_RUNS: OrderedDict[str, TestRun] = OrderedDict()
_RUNS_LOCK = threading.Lock()
_KEEP_RUNS = 16


def run_files(process_id: str, files: Mapping[str, str], *, only: set[str] | None = None) -> TestRun:
    """Deploy `files` ("kind:name" → text, as a draft holds them) in throwaway databases and run
    the scenarios among them (all, or the names in `only`); a set run before is not run again."""
    key = _key(process_id, files, only)
    with _RUNS_LOCK:
        if key in _RUNS:
            _RUNS.move_to_end(key)
            return _RUNS[key]
    run = _run_files(process_id, files, only)
    with _RUNS_LOCK:
        _RUNS[key] = run
        while len(_RUNS) > _KEEP_RUNS:
            _RUNS.popitem(last=False)
    return run


def _key(process_id: str, files: Mapping[str, str], only: set[str] | None) -> str:
    digest = hashlib.sha256(process_id.encode())
    for name, text in sorted(files.items()):
        digest.update(b"\0" + name.encode() + b"\0" + text.encode())
    digest.update(b"\1" + "\0".join(sorted(only)).encode() if only is not None else b"\2")
    return digest.hexdigest()


def _run_files(process_id: str, files: Mapping[str, str], only: set[str] | None) -> TestRun:
    with tempfile.TemporaryDirectory(prefix="waishi-draft-") as tmp:
        folder = Path(tmp)
        for kind, suffix_dir in (("bpmn", "processes"), ("dmn", "processes"), ("form", "forms")):
            (folder / suffix_dir).mkdir(exist_ok=True)
            for name, text in files_of_kind(files, kind).items():
                (folder / suffix_dir / name).write_text(text)
        shipped = {p.name for p in shipped_scenarios(process_id)}
        sources = [(name, text, name in shipped) for name, text in files_of_kind(files, "scenario").items()]
        runs = []
        try:
            with ScenarioDatabases([folder / "processes", folder / "forms"]) as databases:
                for name, text, is_shipped in sources:
                    if only is not None and name not in only:
                        continue
                    runs.append(_run_one(databases, name, text, is_shipped, folder))
        except DefinitionInvalid as exc:
            return TestRun(runs, list(exc.problems))
    return TestRun(runs)


def _run_one(databases: ScenarioDatabases, name: str, text: str, shipped: bool, folder: Path) -> ScenarioRun:
    path = folder / "scenarios" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    try:
        scenario = load_scenario(path)
    except ScenarioInvalid as exc:
        return ScenarioRun(name, name, False, exc.report("zh"), exc.report("en"), shipped=shipped)
    with databases.database() as db, rule_hits.recording() as hits:
        result = run_scenario(scenario, db, specs=databases.specs)
        elements: tuple[str, ...] = ()
        flows: tuple[str, ...] = ()
        if result.case_id is not None:
            with db.read() as session:
                paths = [(p or {}).get("path") or {} for p in session.scalars(
                    select(AuditEvent.payload).where(AuditEvent.case_id == result.case_id).order_by(AuditEvent.seq))]
            elements = tuple(dict.fromkeys(e for p in paths for e in p.get("completed") or ()))
            flows = tuple(dict.fromkeys(f for p in paths for f in p.get("flows") or ()))
    first = result.failures[0] if result.failures else None
    return ScenarioRun(name, scenario.name, result.ok, first.zh if first else "", first.en if first else "",
                       tuple(line.zh for line in result.lines), elements, flows, shipped,
                       tuple(dict.fromkeys(hits)))
