"""The service layer: every state change of a case is a command run in one transaction.

Each command: lock the case row; load the workflow around the cached spec; check the command is
allowed; apply it (the same pure function replay uses) with the sandboxed script engine; write
the new state, the work items and one audit event; commit. Either all of it lands or none of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from engine import attachments
from engine.audit import chain
from engine.definitions.cache import SpecCache
from engine.determinism import command_context
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.forms.validate import validate_submission
from engine.office import holidays
from engine.ops.logs import logged_command
from engine.partners.options import form_context
from engine.roles import TASK_ROLES, UNIT_SCOPED
from engine.runtime import case_store, effects, path, projection, state
from engine.runtime.actors import SYSTEM, SYSTEM_ACTOR, Actor, load_actor, reader_of, require_may_change
from engine.runtime.authz import require_may_act, require_role_in_scope, require_view
from engine.runtime.case_store import CaseRow
from engine.runtime.outside import LiveEffects, unit_held
from engine.runtime.workflow_cache import WorkflowCache
from engine.sandbox import make_script_engine
from engine.sandbox.helpers import CHINA_TZ
from engine.side_effects import effect_log
from engine.storage.db import Database
from engine.storage.models import Attachment, Case, DefinitionVersion, TaskDraft


def utcnow() -> datetime:
    return datetime.now(UTC)


def normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    """Submitted data as it will be stored and replayed: plain JSON, nothing else."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("提交的数据格式不正确", "Submitted data must be an object")
    return json.loads(state.canonical_json(data))


class CaseService:
    """Runs case commands against one database. Thread-safe: it holds no per-case state."""

    def __init__(self, db: Database, specs: SpecCache | None = None,
                 clock: Callable[[], datetime] = utcnow, *, files: attachments.AttachmentStore | None = None,
                 max_upload_bytes: int = attachments.DEFAULT_MAX_BYTES) -> None:
        self.db = db
        self.specs = specs or SpecCache()
        self.clock = clock
        self.files = files or attachments.AttachmentStore()
        self.max_upload_bytes = max_upload_bytes
        self.script_engine = make_script_engine()
        self._workflows = WorkflowCache()

    # -- commands -------------------------------------------------------------------------

    @logged_command("start")
    def start_case(self, username: str, process_id: str, data: dict[str, Any] | None = None, *,
                   unit_code: str | None = None, title: str | None = None,
                   at: datetime | None = None) -> int:
        at = at or self.clock()
        payload = {"process_id": process_id, "data": normalise(data)}
        with self.db.transaction() as session:
            actor = load_actor(session, username)
            version = self._latest_version(session, process_id)
            loaded = self.specs.for_version_id(session, version.id)
            start_role = start_lane(loaded.spec)
            unit = self._case_unit(actor, start_role, unit_code)
            if unit_held(session, unit):
                raise Conflict("本单位有逾期未交回的护照，新的申请暂停受理",
                               "Your unit has passports overdue for return; new applications are on hold")
            payload["unit_code"] = unit
            # The case id seeds the task ids, so the row is inserted before the engine runs.
            case = case_store.insert_case(
                session, process_id=process_id, version_id=version.id, status="running", unit_code=unit,
                title=(title or version.name or process_id)[:300], started_by=actor.username,
                started_at=at, updated_at=at, ended_at=None, seq=0, last_hash=chain.GENESIS, state_hash="",
                state="", data={}, next_timer_at=None,
            )
            context = command_context(chain.case_chain(case.id), 1, at, actor.username)
            with context, self._effects(session, case, at) as log:
                outcome = effects.start(loaded, payload, self.script_engine)
                _record_effects(payload, log)
                self._record(session, case, actor, "start", payload, outcome, loaded, at,
                             before=projection.Snapshot.of(None), before_data={})
            case_store.save(session, case)
        self._workflows.put(case.id, case.state_hash, outcome.workflow)
        return case.id

    @logged_command("claim")
    def claim(self, username: str, case_id: int, task_id: str, *, expected_version: int | None = None,
              at: datetime | None = None) -> None:
        self._assign(username, case_id, task_id, expected_version, at, claim=True)

    @logged_command("release")
    def release(self, username: str, case_id: int, task_id: str, *, expected_version: int | None = None,
                at: datetime | None = None) -> None:
        self._assign(username, case_id, task_id, expected_version, at, claim=False)

    @logged_command("complete")
    def complete_task(self, username: str, case_id: int, task_id: str, data: dict[str, Any] | None, *,
                      expected_version: int | None = None, at: datetime | None = None) -> dict[str, Any]:
        """Returns the case data as the command left it (so a caller need not read it back)."""
        at = at or self.clock()
        payload = {"data": normalise(data)}
        with self.db.transaction() as session:
            actor, case, item = self._task_command(session, username, case_id, task_id, expected_version)
            if item.assignee not in (None, actor.username):
                raise Conflict(f"此任务已由 {item.assignee} 认领", f"This task is claimed by {item.assignee}")
            payload["data"] = self._form_data(session, case, item, payload["data"], at)
            self._apply(session, case, actor, "complete", payload, at,
                        lambda wf: effects.complete(wf, payload, task_id), task_id=task_id,
                        task_spec=item.spec_name)
            # Its drafts (engine/drafts.py) end with the task, in the same transaction.
            session.execute(_DELETE_DRAFTS, {"c": case_id, "t": task_id})
        return dict(case.data)

    @logged_command("cancel")
    def cancel_case(self, username: str, case_id: int, reason: str = "", *, at: datetime | None = None) -> None:
        at = at or self.clock()
        with self.db.transaction() as session:
            actor = load_actor(session, username)
            case = self._lock_running(session, case_id)
            if not may_cancel_case(actor, case):
                raise Forbidden("只有申请人或外办主任可以撤销案件",
                                "Only the applicant or the FAO director may cancel a case")
            payload = {"reason": reason}
            case.status, case.ended_at = "cancelled", at
            self._apply(session, case, actor, "cancel", payload, at, lambda wf: effects.cancel(wf, payload))

    @logged_command("comment")
    def comment(self, username: str, case_id: int, text: str, at: datetime | None = None, *,
                task_id: str | None = None) -> None:
        """A comment on the case (办理意见、说明), by anyone who may read it; on a task's page it
        names the task. Audited like claim/release: the workflow and its state hash stay as they are."""
        at = at or self.clock()
        text = _comment_text(text)
        with self.db.transaction() as session:
            actor = load_actor(session, username)
            case = self._lock(session, case_id)
            require_view(actor, case)
            task_spec = None
            if task_id is not None:
                task_spec = self._item(session, case, task_id).spec_name
            self._note(session, case, actor, "comment", {"text": text}, at, task_id=task_id, task_spec=task_spec)

    @logged_command("attach")
    def attach(self, username: str, case_id: int, filename: str | None, data: bytes, *,
               task_id: str | None = None, at: datetime | None = None) -> int:
        """Attach a file to a running case: who may read the case and holds a task role (not
        auditors or administrators). The type is decided by content (`engine.attachments`); the
        bytes go to the attachment store first, then the row and the audited `attach` event
        (metadata only) commit together. Returns the attachment's id."""
        at = at or self.clock()
        checked = attachments.check(filename, data, self.max_upload_bytes)
        with self.db.transaction() as session:
            actor = load_actor(session, username)
            case = self._lock(session, case_id)
            require_view(actor, case)
            if not actor.roles & TASK_ROLES:
                raise Forbidden("您的角色不能上传附件", "Your roles may not upload attachments")
            _check_running(case)
            task_spec = None
            if task_id is not None:
                task_spec = self._item(session, case, task_id).spec_name
            self.files.put(case.id, checked.sha256, data)
            row = Attachment(case_id=case.id, task_id=task_id, filename=checked.filename,
                             content_type=checked.type.content_type, size=checked.size, sha256=checked.sha256,
                             uploaded_by=actor.username, uploaded_at=at)
            session.add(row)
            session.flush()
            payload = {"filename": checked.filename, "sha256": checked.sha256, "size": checked.size,
                       "type": checked.type.content_type}
            self._note(session, case, actor, "attach", payload, at, task_id=task_id, task_spec=task_spec)
            return row.id

    @logged_command("fire_timers")
    def fire_timers(self, case_id: int, *, at: datetime | None = None, skip_locked: bool = False) -> bool:
        """Fire the case's due timers. Returns False when nothing was due or, with `skip_locked`,
        when another worker holds the case (it will fire them)."""
        at = at or self.clock()
        with self.db.transaction() as session:
            case = self._lock(session, case_id, skip_locked=skip_locked)
            if case is None:
                return False
            # SpiffWorkflow fires a timer only once its due time lies strictly in the past.
            if case.status != "running" or case.next_timer_at is None or case.next_timer_at >= at:
                return False
            payload: dict[str, Any] = {}
            self._apply(session, case, load_actor(session, SYSTEM), "fire_timers", payload, at,
                        lambda wf: effects.fire_timers(wf, payload))
            return True

    def due_cases(self, now: datetime | None = None, limit: int = 100) -> list[int]:
        now = now or self.clock()
        query = (select(Case.id).where(Case.status == "running", Case.next_timer_at < now)
                 .order_by(Case.next_timer_at).limit(limit))
        with self.db.read() as session:
            return list(session.scalars(query))

    @logged_command("deliver_message")
    def deliver_message(self, username: str, message: str, payload: dict[str, Any] | None = None, *,
                        case_id: int | None = None, correlations: dict[str, Any] | None = None,
                        at: datetime | None = None) -> int:
        """Deliver a message to one case (by id, or the single case subscribed to it)."""
        at = at or self.clock()
        body = {"message": message, "payload": normalise(payload), "correlations": normalise(correlations)}
        with self.db.transaction() as session:
            actor = load_actor(session, username)
            if not (actor.is_system or actor.roles & {"fao_clerk"}):
                raise Forbidden("只有外办经办人可以登记外部回复", "Only an FAO clerk may record an outside reply")
            if case_id is None:
                case_id = self._subscriber(session, message)
            case = self._lock_running(session, case_id)
            self._apply(session, case, actor, "deliver_message", body, at,
                        lambda wf: effects.deliver_message(wf, body))
            return case.id

    # -- internals ------------------------------------------------------------------------

    def _assign(self, username: str, case_id: int, task_id: str, expected_version: int | None,
                at: datetime | None, *, claim: bool) -> None:
        at = at or self.clock()
        with self.db.transaction() as session:
            actor, case, item = self._task_command(session, username, case_id, task_id, expected_version)
            if claim and item.assignee not in (None, actor.username):
                raise Conflict(f"此任务已由 {item.assignee} 认领", f"This task is already claimed by {item.assignee}")
            if not claim and item.assignee != actor.username:
                raise Conflict("您未认领此任务，无法释放", "You have not claimed this task, so you cannot release it")
            case_store.set_assignee(session, item.id, actor.username if claim else None)
            self._note(session, case, actor, "claim" if claim else "release", {}, at, task_id=task_id,
                       task_spec=item.spec_name)

    def _note(self, session: Session, case: CaseRow, actor: Actor, command: str, payload: dict[str, Any],
              at: datetime, *, task_id: str | None = None, task_spec: str | None = None) -> None:
        """Append an event for a command that leaves the workflow alone (`effects.NO_WORKFLOW_CHANGE`):
        the state hash is carried over unchanged, which is what replay checks."""
        seq = case.seq + 1
        last_hash = chain.append(
            session, chain=chain.case_chain(case.id), case_id=case.id, seq=seq, prev_hash=case.last_hash,
            at=at, actor=actor.username, command=command, payload=payload, state_hash=case.state_hash,
            task_id=task_id, task_spec=task_spec,
        )
        case.seq, case.last_hash, case.updated_at = seq, last_hash, at
        case_store.save(session, case)

    def _task_command(self, session: Session, username: str, case_id: int, task_id: str,
                      expected_version: int | None) -> tuple[Actor, CaseRow, Any]:
        """The checks every command on a task makes, in order: who acts, the case (locked), the
        work item still open and unchanged, the case running, and the actor allowed on it."""
        # One statement: the case locked, the work item, and the actor's rows (inside this transaction,
        # so a role change still takes effect on the very next command).
        locked = case_store.lock_task(session, case_id, task_id, username, postgres=self.db.is_postgres)
        if locked.case is None:
            load_actor(session, username)  # who acts is checked before whether the case exists
            raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
        actor = SYSTEM_ACTOR if username == SYSTEM else reader_of(username, locked.actor_rows)
        require_may_change(actor)
        case, item = locked.case, locked.item
        if item is None:
            raise NotFound(f"案件 {case.id} 中没有任务 {task_id}", f"Case {case.id} has no task {task_id}")
        _check_open(item, expected_version)
        _check_running(case)
        require_may_act(actor, case, item)
        return actor, case, item

    def apply_command(self, session: Session, case: CaseRow, actor: Actor, command: str, payload: dict[str, Any],
                      at: datetime, apply: Callable) -> None:
        """Run a workflow command defined outside this module (case migration) on a locked case,
        exactly as the commands here run: same load, context, record and cache."""
        self._apply(session, case, actor, command, payload, at, apply)

    def lock_running(self, session: Session, case_id: int) -> CaseRow:
        return self._lock_running(session, case_id)

    def _apply(self, session: Session, case: CaseRow, actor: Actor, command: str, payload: dict[str, Any],
               at: datetime, apply: Callable, *, task_id: str | None = None, task_spec: str | None = None) -> None:
        loaded = self.specs.for_version_id(session, case.version_id)
        context = command_context(chain.case_chain(case.id), case.seq + 1, at, actor.username)
        with context, self._effects(session, case, at) as log:
            wf = self._workflows.take(case.id, case.state_hash)
            if wf is None:
                wf = state.load(case.state, loaded.spec, loaded.subprocess_specs, loaded.flavour, self.script_engine)
            before = projection.Snapshot.of(wf, loaded.diagram)
            outcome = apply(wf)
            if outcome.fired:
                payload["fired"] = outcome.fired
            _record_effects(payload, log)
            self._record(session, case, actor, command, payload, outcome, loaded, at,
                         before=before, before_data=case.data, task_id=task_id, task_spec=task_spec)
        # Only once the transaction commits does the workflow object go back to the cache.
        session.info.setdefault("after_commit", []).append(
            lambda: self._workflows.put(case.id, case.state_hash, outcome.workflow))

    def _form_data(self, session: Session, case: CaseRow, item, data: dict[str, Any], at: datetime) -> dict[str, Any]:
        """The submission as the task's form accepts it (declared, editable fields only, coerced),
        or InvalidInput with field errors before anything changes. A task without a form takes no data."""
        if item.form_key is None:
            return {}
        form = self.specs.form_for(session, case.version_id, item.form_key)
        if form is None:  # deploy refuses such a version; never let data in unchecked
            raise NotFound(f"流程版本中没有此任务的表单“{item.form_key}”",
                           f"The process version has no form '{item.form_key}' for this task")
        # The register's options (engine.partners.options) join the case data for `valuesKey` selects.
        return validate_submission(form, data, context=form_context(session, case.data, form),
                                   today=at.astimezone(CHINA_TZ).date())

    def _record(self, session: Session, case: CaseRow, actor: Actor, command: str, payload: dict[str, Any],
                outcome: effects.Outcome, loaded: effects.LoadedSpec, at: datetime, *,
                before: projection.Snapshot, before_data: dict[str, Any], task_id: str | None = None,
                task_spec: str | None = None) -> None:
        seq = case.seq + 1
        # The path is read before pruning drops the tasks this command completed; the event
        # records it (engine.audit.pathindex indexes it for the heatmap; verify re-checks it).
        step = path.step_path(outcome.workflow, at, loaded.diagram, before.live)
        if step.completed or step.flows:
            payload["path"] = path.recorded(step, case.version_id)
        text, digest = effects.finish(outcome.workflow, loaded.flavour)
        projection.sync(session, case, outcome.workflow, at, actor.username, outcome.completed_task, before)
        last_hash = chain.append(
            session, chain=chain.case_chain(case.id), case_id=case.id, seq=seq, prev_hash=case.last_hash, at=at,
            actor=actor.username, command=command, payload=payload, diff=projection.diff(before_data, case.data),
            state_hash=digest, task_id=task_id, task_spec=task_spec,
        )
        case.state, case.state_hash, case.seq, case.last_hash = text, digest, seq, last_hash
        case_store.save(session, case)

    def _effects(self, session: Session, case: CaseRow, at: datetime):
        holidays.refresh(self.db)
        return effect_log(handler=LiveEffects(session, case, at, self.db.is_postgres))

    def _lock(self, session: Session, case_id: int, *, skip_locked: bool = False) -> CaseRow:
        # SQLite: the transaction began with BEGIN IMMEDIATE, which already holds the write lock.
        case = case_store.lock(session, case_id, postgres=self.db.is_postgres, skip_locked=skip_locked)
        if case is None and skip_locked and self.db.is_postgres and case_store.exists(session, case_id):
            return None  # type: ignore[return-value]  # held by another worker, which will fire it
        if case is None:
            raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} does not exist")
        return case

    def _lock_running(self, session: Session, case_id: int) -> Case:
        case = self._lock(session, case_id)
        _check_running(case)
        return case

    @staticmethod
    def _item(session: Session, case: CaseRow, task_id: str):
        item = case_store.item(session, case.id, task_id)
        if item is None:
            raise NotFound(f"案件 {case.id} 中没有任务 {task_id}", f"Case {case.id} has no task {task_id}")
        return item

    @staticmethod
    def _latest_version(session: Session, process_id: str):
        """The id and name of the process's newest version (read on every start: another process
        may have deployed one)."""
        version = session.execute(_LATEST, {"p": process_id}).first()
        if version is None:
            raise NotFound(f"流程 {process_id} 尚未部署", f"Process {process_id} is not deployed")
        return version

    @staticmethod
    def _case_unit(actor: Actor, start_role: str | None, unit_code: str | None) -> str | None:
        roles = {start_role} if start_role else set(TASK_ROLES)
        usable = roles & actor.roles
        if not usable:
            role = start_role or "/".join(sorted(TASK_ROLES))
            raise Forbidden(f"您没有发起此流程所需的角色（{role}）",
                            f"You do not hold the role needed to start this process ({role})")
        if usable & UNIT_SCOPED:
            if unit_code not in (None, actor.unit_code):
                raise Forbidden("只能为本单位发起申请", "You may start applications only for your own unit")
            require_role_in_scope(actor, next(iter(usable & UNIT_SCOPED)), actor.unit_code)
            return actor.unit_code
        return unit_code

    @staticmethod
    def _subscriber(session: Session, message: str) -> int:
        from engine.storage.models import MessageSubscription

        ids = list(session.scalars(
            select(MessageSubscription.case_id).where(MessageSubscription.message_name == message).limit(2)
        ))
        if len(ids) != 1:
            raise Conflict(
                f"有 {len(ids)} 个案件在等待消息“{message}”，请指定案件" if ids else f"没有案件在等待消息“{message}”",
                f"{len(ids)} cases wait for message '{message}'; name the case" if ids
                else f"No case is waiting for message '{message}'",
            )
        return ids[0]


_VERSIONS = DefinitionVersion.__table__
_LATEST = (select(_VERSIONS.c.id, _VERSIONS.c.name).where(_VERSIONS.c.process_id == bindparam("p"))
           .order_by(_VERSIONS.c.version.desc()).limit(1))
_DRAFTS = TaskDraft.__table__
_DELETE_DRAFTS = delete(_DRAFTS).where(_DRAFTS.c.case_id == bindparam("c"), _DRAFTS.c.task_id == bindparam("t"))


def _check_open(item, expected_version: int | None) -> None:
    if item.state == "completed":
        when = item.completed_at.isoformat(timespec="seconds") if item.completed_at else "?"
        raise Conflict(f"该任务已由 {item.completed_by} 于 {when} 完成",
                       f"This task was already completed by {item.completed_by} at {when}",
                       completed_by=item.completed_by, completed_at=when)
    if item.state != "open":
        raise Conflict("该任务已取消（流程已转向其他路径）", "This task was cancelled (the process moved on)")
    if expected_version is not None and expected_version != item.version:
        raise Conflict("该任务在您打开后已被他人修改，请刷新后重试",
                       "This task changed after you opened it; reload and try again")


def _record_effects(payload: dict[str, Any], log) -> None:
    """Outside calls made by diagram code go into the event, so replay can hand them back."""
    if log.recorded:
        payload["effects"] = log.recorded


MAX_COMMENT = 4000


def _comment_text(text: str | None) -> str:
    value = (text or "").replace("\r\n", "\n").strip()
    if not value:
        raise InvalidInput("意见内容不能为空", "The comment is empty")
    if len(value) > MAX_COMMENT:
        raise InvalidInput(f"意见不能超过 {MAX_COMMENT} 个字符", f"A comment may have at most {MAX_COMMENT} characters")
    if any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in value):
        raise InvalidInput("意见含有不允许的控制字符", "The comment contains control characters that are not allowed")
    return value


def may_cancel_case(actor: Actor, case) -> bool:
    """Who may cancel a running case: the FAO director, or the person who started it while they
    belong to its unit. `case` is anything with `started_by` and `unit_code`."""
    return "fao_director" in actor.roles or (
        actor.username == case.started_by and actor.unit_code == case.unit_code
    )


def _check_running(case: CaseRow) -> None:
    if case.status != "running":
        raise Conflict(f"案件已结束（{case.status}）", f"The case is no longer running ({case.status})")


def start_lane(spec) -> str | None:
    """The lane of the process's start event: the role that may start it."""
    from SpiffWorkflow.bpmn.specs.defaults import StartEvent

    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent) and task_spec.lane:
            return task_spec.lane
    return None


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0
