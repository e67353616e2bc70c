"""`validate` over every file of the shared BPMN/DMN conformance corpus (shared/conformance).

Each file (with the companions sources.json lists) is validated in a forked child with a time
limit, so a hostile file that hung or blew up the parser fails its own test instead of the suite.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import traceback
from dataclasses import asdict
from pathlib import Path

import pytest

from engine.definitions import kinds
from engine.definitions import problems as codes
from engine.definitions.bundle import DefinitionBundle
from engine.definitions.validation import validate

TIME_LIMIT_S = 20.0
# MANIFEST `features` that mark a hostile or non-diagram upload, which must be refused at the XML stage.
HOSTILE_FEATURES = {"external-entity", "doctype", "entity-declaration", "empty-file", "binary:png",
                    "root:svg", "not-well-formed-xml"}


def shared_dir() -> Path | None:
    env = os.environ.get("WAISHI_SHARED")
    # An explicit setting is never second-guessed; otherwise shared/ sits beside the repository
    # (…/<repo>/tests/this_file → …/shared).
    candidate = Path(env) if env else Path(__file__).resolve().parents[2] / "shared"
    return candidate if (candidate / "conformance" / "MANIFEST.tsv").is_file() else None


def corpus() -> list[dict]:
    shared = shared_dir()
    if shared is None:
        return [{"file": None}]
    root = shared / "conformance"
    sources = {e["file"]: e for e in json.loads((root / "sources.json").read_text(encoding="utf-8"))}
    with (root / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [{**row, "root": str(root), "companions": sources.get(row["file"], {}).get("companions", [])}
            for row in rows]


def bundle_for(entry: dict) -> DefinitionBundle:
    root = Path(entry["root"])
    bundle = DefinitionBundle()
    for rel in [entry["file"], *entry["companions"]]:
        path = root / rel
        # Anything that is not DMN or a form was uploaded as a diagram (the PNG, for instance).
        kind = kinds.kind_of(path.name) or kinds.BPMN
        bundle.add(kind, path.name, path.read_bytes())
    return bundle


def _child(conn, entry: dict) -> None:
    try:
        report = validate(bundle_for(entry))
        conn.send(("ok", {
            "ok": report.ok,
            "problems": [asdict(p) for p in report.problems],
            "warnings": [asdict(p) for p in report.warnings],
            "process_ids": report.process_ids,
        }))
    except BaseException:  # the assertion under test: nothing may escape validate()
        conn.send(("exception", traceback.format_exc()))
    finally:
        conn.close()


def validate_guarded(entry: dict) -> dict:
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, entry), daemon=True)
    proc.start()
    sender.close()
    try:
        message = receiver.recv() if receiver.poll(TIME_LIMIT_S) else ("timeout", None)
    except EOFError:
        message = ("died", None)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    status, payload = message
    if status == "timeout":
        pytest.fail(f"validate() took longer than {TIME_LIMIT_S}s on {entry['file']}")
    if status == "died":
        pytest.fail(f"validate() killed its process on {entry['file']} (exit code {proc.exitcode})")
    if status == "exception":
        pytest.fail(f"an exception escaped validate() on {entry['file']}:\n{payload}")
    return payload


def executable_count(parse_result: str) -> int:
    # "ok — 2 executable of 3 process(es): …"
    if not parse_result.startswith("ok"):
        return 0
    words = parse_result.split()
    return int(words[2]) if len(words) > 2 and words[2].isdigit() else 0


ENTRIES = corpus()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] or "missing-shared" for e in ENTRIES])
def test_conformance_file(entry):
    if entry["file"] is None:
        where = os.environ.get("WAISHI_SHARED") or Path(__file__).resolve().parents[2] / "shared"
        pytest.fail(f"the conformance corpus was not found at {where}/conformance/MANIFEST.tsv: set "
                    "WAISHI_SHARED to the shared/ folder, or check shared/ out beside the repository")
    result = validate_guarded(entry)
    problems = result["problems"]
    for p in problems + result["warnings"]:
        assert p["zh"].strip() and p["en"].strip(), p
        assert p["code"] in codes.STAGES, p
        assert not p["extra"].get("internal"), f"validator crashed: {p['en']}"
    assert result["ok"] == (not problems)
    assert result["ok"] or len(problems) >= 1

    features = set(entry["features"].split(","))
    if features & HOSTILE_FEATURES:
        main = Path(entry["file"]).name
        assert not result["ok"]
        assert any(p["code"] == codes.XML and p["file"] == main for p in problems), problems

    if executable_count(entry["parse_result"]) >= 1:
        parse_failures = [p["en"] for p in problems if p["code"] == codes.PARSE]
        assert not parse_failures, f"MANIFEST: SpiffWorkflow parses this; we did not: {parse_failures}"
