"""Every diagram of the shared conformance corpus imported into an analyst's draft (its
companions with it) and the draft validated: each file is kept or refused with a message naming
the problem, and the draft's validation answers with a report — never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.authoring.drafts import DraftService
from engine.errors import DefinitionInvalid, WaishiError
from engine.storage.models import DefinitionVersion
from tests.test_conformance import ENTRIES, HOSTILE_FEATURES


def stored_name(path: Path) -> str:
    """What the analyst names the file on import: a diagram saved as `.bpmn20.xml` gets `.bpmn`."""
    return path.name if path.suffix in (".bpmn", ".dmn", ".form") else path.name + ".bpmn"


def import_file(drafts: DraftService, path: Path) -> str | None:
    """Import as the web page does (UTF-8 text); None if kept, else the refusal shown."""
    try:
        text = path.read_bytes().decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return "not UTF-8 text"  # the page's own message (webapp/authoring.py save_file)
    name = stored_name(path)
    try:
        drafts.save_file("analyst", "test_approval", name, text)
    except DefinitionInvalid as err:
        assert err.problems and all(p.zh and p.en for p in err.problems), err.problems
        return "; ".join(p.en for p in err.problems)
    except WaishiError as err:
        assert err.text("zh") and err.text("en")
        return err.text("en")
    return None


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] or "missing-shared" for e in ENTRIES])
def test_a_conformance_file_imports_into_a_draft_or_is_refused_with_a_message(entry, deployed):
    assert entry["file"], "../shared/conformance is missing: the corpus must sit beside the repository"
    with deployed.read() as s:
        version_id = s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.process_id == "test_approval"))
    drafts = DraftService(deployed)
    drafts.open("analyst", version_id)
    root = Path(entry["root"])
    answers = {rel: import_file(drafts, root / rel) for rel in [entry["file"], *entry["companions"]]}
    refused = {rel: why for rel, why in answers.items() if why is not None}
    assert all(refused.values())
    if set(entry["features"].split(",")) & HOSTILE_FEATURES:
        assert entry["file"] in refused, f"{entry['file']} was kept in the draft"  # never stored
    kept = drafts.get("analyst", "test_approval").files
    names = {key.split(":", 1)[1] for key in kept}
    assert {stored_name(root / rel) for rel in answers if rel not in refused} <= names
    report = drafts.validate("analyst", "test_approval")
    assert all(p.zh and p.en for p in report.problems + report.warnings)
