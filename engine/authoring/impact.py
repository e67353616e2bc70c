"""What a change reaches, before and after it is deployed.

- `cases_touched`: the running cases of a version that sit on, or have passed, an element the
  change touches (changed or removed elements, and tasks whose decision, form or called process
  changed — `VersionDiff.touched`). Such a case cannot be migrated to the new version; the others
  can.
- `draft_impact`: for an analyst's draft, compared with the version it was opened from: the
  diff, those cases, and each changed decision-table row with the scenarios that exercise it —
  the scenarios that matched the row on the old version and on the draft (each scenario is run on
  both: a removed row can only be matched by the old one, an added row only by the draft). A
  changed row no scenario matches is a change nothing tests, and is flagged as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.authoring.compare import CaseImpact, VersionDiff, impact, version_diff_of_bundles
from engine.authoring.compare_bpmn import Serialisable
from engine.authoring.drafts import DraftService, files_of_version
from engine.authoring.migrate import executed
from engine.authoring.testing import TestRun, run_draft, run_files
from engine.definitions.cache import bundle_of
from engine.errors import NotFound
from engine.storage.models import Case, DefinitionVersion, WorkItem


@dataclass(frozen=True)
class RuleImpact(Serialisable):
    file: str
    decision_id: str
    decision_name: str
    rule_id: str
    status: str  # added | removed | changed
    description: str  # the row's source and date, as it is after the change (before, if removed)
    before: tuple[str, ...]  # scenarios that matched the row on the old version
    after: tuple[str, ...]  # … and on the draft

    @property
    def untested(self) -> bool:
        return not self.before and not self.after


@dataclass(frozen=True)
class DraftImpact:
    process_id: str
    base_version_id: int
    base_version: int
    diff: VersionDiff
    running: int  # running cases on the base version
    cases: list[CaseImpact]
    rules: list[RuleImpact]
    tests_before: TestRun | None = None
    tests_after: TestRun | None = None
    touched_ids: list[str] = field(default_factory=list)  # to mark on the draft's diagram


def running_cases(session: Session, version_id: int) -> list[tuple[int, set[str]]]:
    """(case id, element ids of its open tasks) of every running case on the version."""
    out: dict[int, set[str]] = {cid: set() for cid in session.scalars(
        select(Case.id).where(Case.version_id == version_id, Case.status == "running").order_by(Case.id))}
    if out:
        for cid, spec in session.execute(select(WorkItem.case_id, WorkItem.spec_name).where(
                WorkItem.case_id.in_(list(out)), WorkItem.state == "open")):
            out[cid].add(spec)
    return list(out.items())


def cases_touched(session: Session, diff: VersionDiff, version_id: int) -> tuple[int, list[CaseImpact]]:
    """(how many cases run on the version, those the change touches)."""
    running = running_cases(session, version_id)
    return len(running), impact(diff, [(cid, at, executed(session, cid)) for cid, at in running])


def draft_impact(drafts: DraftService, analyst: str, process_id: str) -> DraftImpact:
    """The impact of the analyst's draft against the version it was opened from (runs the draft's
    scenarios on both when a decision-table row changed)."""
    draft = drafts.get_own(analyst, process_id)
    with drafts.db.read() as session:
        base = session.get(DefinitionVersion, draft.base_version_id) if draft.base_version_id else None
        if base is None:
            raise NotFound("草稿没有来源版本，无法比较", "The draft has no version it came from to compare with")
        diff = version_diff_of_bundles(bundle_of(base), draft.bundle(), process_id, old_version=base.version)
        running, cases = cases_touched(session, diff, base.id)
        base_files = files_of_version(base)
    changed = [(file, d, r) for file, ds in diff.dmn.items() for d in ds for r in d.rows if r.status != "same"]
    before = after = None
    if changed:
        scenarios = {k: v for k, v in draft.files.items() if k.startswith("scenario:")}
        before = run_files(process_id, {**base_files, **scenarios})
        after = run_draft(draft)
    rules = [RuleImpact(file, d.decision_id, d.name, r.rule_id, r.status,
                        (r.description_after if r.status != "removed" else r.description_before) or "",
                        _matching(before, r.rule_id), _matching(after, r.rule_id))
             for file, d, r in changed]
    touched = sorted(set(diff.touched) | {e.id for e in diff.bpmn.added})
    return DraftImpact(process_id, base.id, base.version, diff, running, cases, rules, before, after, touched)


def _matching(run: TestRun | None, rule_id: str) -> tuple[str, ...]:
    return tuple(r.name for r in run.runs if rule_id in r.rules) if run else ()
