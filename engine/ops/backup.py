"""`waishi backup PATH` and `waishi restore PATH`: the database and the files beside it.

A backup is a folder: `database.sqlite` (SQLite's online backup API: a consistent copy while the
service runs) or `database.pgdump` (PostgreSQL: `pg_dump --format=custom`), `files/` with the
data directory's `attachments/` and `documents/`, and `manifest.json` — schema revision, row count
of every table and the sha256 of every file — against which a restore is checked. The seal key
is not in it: it lives outside the database on purpose (docs/audit.md); keep it apart.

A restore goes into a new, empty database and data directory only (it never merges), then checks
the row counts and every file's hash against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from engine.errors import InvalidInput, WaishiError
from engine.storage.db import Database
from engine.storage.models import Base
from engine.storage.schema import DatabaseNotReady, display_url, require_current, schema_state

FILE_FOLDERS = ("attachments", "documents")
MANIFEST = "manifest.json"


class BackupFailed(WaishiError):
    code = "backup_failed"


@dataclass
class BackupResult:
    path: Path
    tables: dict[str, int]
    files: int


def backup(db: Database, target: Path, data_dir: Path) -> BackupResult:
    require_current(db)
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise InvalidInput(f"备份目录 {target} 已存在且不为空：请指定新的目录。",
                           f"The backup folder {target} exists and is not empty: give a new folder.")
    target.mkdir(parents=True, exist_ok=True)
    # Rows first, then files: a file written meanwhile is extra, never missing (files are written
    # before their row commits). The counts are those of the copy itself.
    if db.is_sqlite:
        _sqlite_copy(_sqlite_path(db), target / "database.sqlite")
        copy = Database(f"sqlite:///{target / 'database.sqlite'}")
        tables = table_counts(copy)
        copy.dispose()
    else:
        tables = _pg_dump(db, target / "database.pgdump")
    files = _copy_files(Path(data_dir), target / "files")
    manifest = {"format": 1, "dialect": db.engine.dialect.name, "schema": schema_state(db).current,
                "created_at": datetime.now(UTC).isoformat(), "tables": tables, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return BackupResult(target, tables, len(files))


def restore(source: Path, db: Database, data_dir: Path) -> BackupResult:
    source = Path(source)
    manifest = read_manifest(source)
    state = schema_state(db)
    if state.kind != "unmigrated":
        if state.kind == "unreachable":
            raise DatabaseNotReady(state, display_url(db))
        raise InvalidInput(f"目标数据库 {display_url(db)} 不是空的：恢复只能写入新建的空数据库。",
                           f"The target database {display_url(db)} is not empty: restore into a new, empty database.")
    if db.engine.dialect.name != manifest["dialect"]:
        raise InvalidInput(f"该备份来自 {manifest['dialect']}，不能恢复到 {db.engine.dialect.name}。",
                           f"This backup is of {manifest['dialect']}; it cannot be restored into "
                           f"{db.engine.dialect.name}.")
    data_dir = Path(data_dir)
    clashes = [f for f in FILE_FOLDERS if (data_dir / f).exists() and any((data_dir / f).iterdir())]
    if clashes:
        raise InvalidInput(f"数据目录 {data_dir} 已有文件（{', '.join(clashes)}）：请恢复到新的数据目录。",
                           f"The data folder {data_dir} already holds files ({', '.join(clashes)}): "
                           "restore into a new data folder.")
    if db.is_sqlite:
        db.dispose()
        _sqlite_copy(source / "database.sqlite", _sqlite_path(db))
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", _libpq_url(db),
              str(source / "database.pgdump")], "pg_restore")
    restored = _copy_files(source / "files", data_dir)
    tables = table_counts(db)
    problems = [f"{t}: {tables.get(t)} ≠ {n}" for t, n in manifest["tables"].items() if tables.get(t) != n]
    problems += [f"{p}: sha256" for p, h in manifest["files"].items() if restored.get(p) != h]
    if problems:
        raise BackupFailed("恢复后的内容与备份清单不符：" + "; ".join(problems[:5]),
                           "The restored copy differs from the backup's manifest: " + "; ".join(problems[:5]))
    return BackupResult(Path(data_dir), tables, len(restored))


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise InvalidInput(f"{source} 不是 Waishi 备份（缺少 {MANIFEST}）。",
                           f"{source} is not a Waishi backup (no {MANIFEST}).")
    return json.loads(path.read_text(encoding="utf-8"))


def table_counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {name: session.scalar(select(func.count()).select_from(table)) or 0
                for name, table in sorted(Base.metadata.tables.items())}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_files(source_root: Path, target_root: Path) -> dict[str, str]:
    """Copy the file folders; returns {relative path: sha256} of the copies."""
    copied: dict[str, str] = {}
    for folder in FILE_FOLDERS:
        base = source_root / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")):
            relative = path.relative_to(source_root)
            out = target_root / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out)
            copied[relative.as_posix()] = sha256_of(out)
    return copied


def _sqlite_path(db: Database) -> Path:
    return Path(db.engine.url.database or "")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy, page by page, while others keep writing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_dump(db: Database, target: Path) -> dict[str, int]:
    """pg_dump from a snapshot this function holds open, and the row counts of that same snapshot."""
    if shutil.which("pg_dump") is None:
        _run(["pg_dump"], "pg_dump")  # says what to install
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  "--file", str(target), _libpq_url(db)], "pg_dump")
            return {name: conn.execute(select(func.count()).select_from(table)).scalar() or 0
                    for name, table in sorted(Base.metadata.tables.items())}


def _libpq_url(db: Database) -> str:
    return make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str], tool: str) -> None:
    if shutil.which(tool) is None:
        raise BackupFailed(
            f"找不到 {tool}：请安装与数据库服务器同一大版本的 PostgreSQL 客户端（Debian：apt-get install "
            "postgresql-client），或用数据库服务商的备份工具备份。",
            f"{tool} not found: install the PostgreSQL client of the server's major version (Debian: apt-get "
            "install postgresql-client), or back up with your database provider's tools.")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1][:300]
        raise BackupFailed(f"{tool} 失败：{reason}", f"{tool} failed: {reason}")
