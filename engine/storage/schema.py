"""Is a database ready for this version of Waishi? Reachable, migrated, and not of a newer schema.

Every entry point asks before it works (`waishi` commands, `/ready`), so a person reads one line
saying what is wrong and how to fix it, instead of a driver's traceback.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from engine.errors import WaishiError
from engine.storage.db import Database
from engine.storage.migrate import MIGRATIONS


@functools.cache
def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    """The newest schema revision this code knows."""
    return _scripts().get_current_head() or ""


def known_revisions() -> frozenset[str]:
    return frozenset(r.revision for r in _scripts().walk_revisions())


@dataclass(frozen=True)
class SchemaState:
    """`kind`: "current", "unmigrated" (no schema at all), "behind" (an older revision), "newer" (a
    revision this code does not know: the database was upgraded by a newer Waishi) or "unreachable"."""

    kind: str
    current: str | None
    head: str
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "current"


def schema_state(db: Database) -> SchemaState:
    head = head_revision()
    try:
        with db.engine.connect() as conn:
            current = None
            if inspect(conn).has_table("alembic_version"):
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        return SchemaState("unreachable", None, head, _first_line(exc))
    if current is None:
        return SchemaState("unmigrated", None, head)
    if current == head:
        return SchemaState("current", current, head)
    if current not in known_revisions():
        return SchemaState("newer", current, head)
    return SchemaState("behind", current, head)


def _first_line(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0][:200] if text else type(original).__name__


class DatabaseNotReady(WaishiError):
    """The database cannot serve this version: the message says why and what to run."""

    code = "database_not_ready"
    http_status = 503
    exit_code = 2

    def __init__(self, state: SchemaState, url: str) -> None:
        self.state = state
        zh, en = _explain(state, url)
        super().__init__(zh, en, kind=state.kind)


def _explain(state: SchemaState, url: str) -> tuple[str, str]:
    if state.kind == "unreachable":
        return (f"无法连接数据库 {url}（{state.reason}）：请检查 --db 或 DATABASE_URL，并确认数据库服务已启动。",
                f"Cannot reach the database {url} ({state.reason}): check --db or DATABASE_URL and that "
                "the database server is running.")
    if state.kind == "unmigrated":
        return (f"数据库 {url} 尚未建表：请先运行 `waishi db upgrade`。",
                f"The database {url} has no schema yet: run `waishi db upgrade` first.")
    if state.kind == "behind":
        return (f"数据库 {url} 的结构版本为 {state.current}，本程序需要 {state.head}：请运行 `waishi db upgrade`。",
                f"The database {url} is at schema revision {state.current}, this program needs {state.head}: "
                "run `waishi db upgrade`.")
    return (f"数据库 {url} 的结构版本 {state.current} 比本程序（{state.head}）新：请升级 Waishi 后再操作，"
            "或改用与之匹配的版本。",
            f"The database {url} has schema revision {state.current}, newer than this program's "
            f"({state.head}): upgrade Waishi, or use the version that upgraded it.")


def display_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=True)


def require_current(db: Database) -> Database:
    """Raise DatabaseNotReady unless the database is reachable and at this code's schema."""
    state = schema_state(db)
    if not state.ok:
        raise DatabaseNotReady(state, display_url(db))
    return db


def require_upgradable(db: Database) -> Database:
    """For `waishi db upgrade`: reachable, and not of a schema newer than this code."""
    state = schema_state(db)
    if state.kind in ("unreachable", "newer"):
        raise DatabaseNotReady(state, display_url(db))
    return db
