"""Drafts of task forms (暂存): what a person typed into a task's form and saved without submitting.

One draft per (work item, person); saving again replaces it. A draft is not case data: it is not
validated, changes nothing in the workflow, is visible only to its author and is not audited. It
is pruned to the fields the form declares (so it can hold nothing the form would not show) and
discarded once the task is completed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.forms import paths
from engine.forms.model import Field, FormSpec
from engine.runtime.actors import load_actor
from engine.storage.db import Database
from engine.storage.models import TaskDraft

MAX_TEXT = 20_000
MAX_ROWS = 500


@dataclass(frozen=True)
class Draft:
    data: dict[str, Any]
    saved_at: datetime


def prune(form: FormSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a raw submission (`unflatten(request.form)`) that the form's editable fields
    bind: strings, lists of strings and rows, nothing else."""
    return _scope(form.components, raw)


def save(db: Database, case_id: int, task_id: str, username: str, data: dict[str, Any], *,
         at: datetime | None = None) -> None:
    at = at or datetime.now(UTC)
    with db.transaction() as session:
        load_actor(session, username)  # an active user who may change things (never an auditor)
        row = session.get(TaskDraft, (case_id, task_id, username))
        if row is None:
            session.add(TaskDraft(case_id=case_id, task_id=task_id, username=username, data=data, saved_at=at))
        else:
            row.data, row.saved_at = data, at


def load(session: Session, case_id: int, task_id: str, username: str) -> Draft | None:
    row = session.execute(select(TaskDraft.data, TaskDraft.saved_at).where(
        TaskDraft.case_id == case_id, TaskDraft.task_id == task_id, TaskDraft.username == username)).first()
    return Draft(dict(row.data or {}), row.saved_at) if row is not None else None


def discard(db: Database, case_id: int, task_id: str, username: str | None = None) -> None:
    """Delete one person's draft, or (username None) every draft of the work item."""
    query = delete(TaskDraft).where(TaskDraft.case_id == case_id, TaskDraft.task_id == task_id)
    if username is not None:
        query = query.where(TaskDraft.username == username)
    with db.transaction() as session:
        session.execute(query)


# -- pruning ------------------------------------------------------------------------------------


def _scope(fields: tuple[Field, ...], raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if not f.accepts_input:
            continue
        if f.is_group:
            for key, value in _scope(f.children, raw).items():
                _merge(out, key, value)
            continue
        value = paths.get_in(raw, f.path)
        if value is paths.MISSING:
            continue
        if f.is_list:
            rows = value if isinstance(value, list) else []
            kept = [_scope(f.children, r) for r in rows[:MAX_ROWS] if isinstance(r, Mapping)]
            paths.set_in(out, f.path, kept)
        else:
            cleaned = _leaf(value)
            if cleaned is not None:
                paths.set_in(out, f.path, cleaned)
    return out


def _merge(out: dict[str, Any], key: str, value: Any) -> None:
    if isinstance(value, dict) and isinstance(out.get(key), dict):
        for k, v in value.items():
            _merge(out[key], k, v)
    else:
        out[key] = value


def _leaf(value: Any) -> str | list[str] | None:
    if isinstance(value, list):
        items = [_text(v) for v in value[:MAX_ROWS]]
        return [v for v in items if v is not None]
    return _text(value)


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value[:MAX_TEXT].replace("\x00", "")
    return None
