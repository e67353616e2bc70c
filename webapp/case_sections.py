"""What the case page and the task page both show below their main content: the diagram with
element states (and its text list), the history timeline, comments, attachments, and whether the
viewer may comment, upload or cancel. One read session, two or three indexed queries; the
caller has already checked that the viewer may read the case."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from engine import attachments as attachment_types
from engine.errors import WaishiError
from engine.queries.attachments import AttachmentView, case_attachments
from engine.queries.cases import CaseHeader, WorkItemView
from engine.queries.diagram import ElementStates, case_bpmn, element_names, element_states, states_of
from engine.queries.timeline import TimelineEntry, timeline
from engine.roles import TASK_ROLES
from engine.runtime.actors import Actor
from engine.runtime.service import may_cancel_case

VIEWER_SCRIPT = "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"


@dataclass(frozen=True)
class CaseSections:
    events: list[TimelineEntry]
    comments: list[TimelineEntry]
    attachments: list[AttachmentView]
    states: ElementStates
    state_map: dict[str, str]
    state_rows: list[tuple[str, str, str]]
    may_upload: bool
    may_cancel: bool
    upload_accept: str
    upload_limit_mb: int


def load(session: Session, actor: Actor, case: CaseHeader, items: list[WorkItemView] | None = None) -> CaseSections:
    """`items`: the case's work items, when the page has loaded them (the element states come from
    them and the history, with no query of their own)."""
    events = timeline(session, case.id)
    if items is None:
        states = element_states(session, case.id)
    else:
        states = states_of(((e.command, e.task_spec, e.payload) for e in events),
                           ((i.spec_name, i.name, i.state) for i in items))
    names = {**_diagram_names(session, case), **states.names}
    states = ElementStates(states.completed, states.current, states.cancelled, names)
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or attachment_types.DEFAULT_MAX_BYTES
    running = case.status == "running"
    return CaseSections(
        events=events,
        comments=[e for e in events if e.command == "comment"],
        # Every attachment is stored with its `attach` event: no such event, no query.
        attachments=case_attachments(session, case.id) if any(e.command == "attach" for e in events) else [],
        states=states,
        state_map=states.state_of(),
        state_rows=states.rows(),
        may_upload=running and bool(actor.roles & TASK_ROLES),
        may_cancel=running and may_cancel_case(actor, case),
        upload_accept=attachment_types.ACCEPT,
        upload_limit_mb=max(1, limit // 2**20),
    )


def as_context(sections: CaseSections) -> dict[str, Any]:
    return {"sections": sections, "events": sections.events, "has_viewer": has_vendor(VIEWER_SCRIPT)}


_names: dict[str, dict[str, str]] = {}
_names_lock = threading.Lock()


def _diagram_names(session: Session, case: CaseHeader) -> dict[str, str]:
    """Names of the diagram's elements (timers and events have no work item to name them), per
    version content: versions never change."""
    key = f"{case.process_id}:{case.content_hash}"
    with _names_lock:
        hit = _names.get(key)
    if hit is not None:
        return hit
    try:
        names = element_names(case_bpmn(session, case.id))
    except WaishiError:
        names = {}
    with _names_lock:
        if len(_names) > 256:
            _names.clear()
        _names[key] = names
    return names


@lru_cache(maxsize=32)
def _vendor_file_exists(static_folder: str, name: str) -> bool:
    return (Path(static_folder) / name).is_file()


def has_vendor(name: str) -> bool:
    """Whether `make install` has put the browser asset into static/vendor (it is git-ignored):
    without it the pages leave the diagram out and keep the text list."""
    return _vendor_file_exists(str(current_app.static_folder), name)
