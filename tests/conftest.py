"""Test fixtures: a real database per test (SQLite by default, PostgreSQL when DATABASE_URL is
set), migrated once per session into a template and copied for each test."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from engine.definitions.deploy import deploy_paths
from engine.demo import load_demo
from engine.runtime.service import CaseService
from engine.storage.db import Database
from engine.storage.migrate import upgrade

TESTS = Path(__file__).resolve().parent
TEST_PROCESSES = TESTS / "processes"
PG_URL = os.environ.get("DATABASE_URL")


def _admin_engine(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@contextlib.contextmanager
def built_template(directory: Path, prefix: str, prepare: Callable[[Database], None],
                   base: tuple[str, Any] | None = None) -> Iterator[tuple[str, Any]]:
    """A session template database — new, or a copy of the template `base` — prepared once by
    `prepare(db)` and dropped at the end. Yields ("pg", database name) or ("sqlite", file path)."""
    if PG_URL:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        admin = _admin_engine(PG_URL)
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{base[1]}"' if base else "")))
        try:
            db = Database(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
            prepare(db)
            db.dispose()
            yield ("pg", name)
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        path = directory / "template.db"
        if base:
            shutil.copy(base[1], path)
        db = Database(f"sqlite:///{path}")
        prepare(db)
        with db.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file to copy
        db.dispose()
        yield ("sqlite", path)


def migrated_with_demo(db: Database) -> None:
    upgrade(db)
    load_demo(db)


@pytest.fixture(scope="session")
def db_template(tmp_path_factory):
    """A migrated, demo-loaded database that each test copies."""
    with built_template(tmp_path_factory.mktemp("tpl"), "waishi_tpl", migrated_with_demo) as template:
        yield template


@contextlib.contextmanager
def copy_of_template(kind: str, src, tmp_path, prefix: str = "waishi_t") -> Iterator[str]:
    """A throwaway database copied from a session template: a file copy on SQLite, `CREATE
    DATABASE … TEMPLATE` on PostgreSQL (dropped afterwards). Yields its URL."""
    if kind == "pg":
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        admin = _admin_engine(PG_URL)
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{src}"'))
        try:
            yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        path = tmp_path / "waishi.db"
        shutil.copy(src, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def db_url(db_template, tmp_path):
    with copy_of_template(*db_template, tmp_path) as url:
        yield url


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def shipped(db):
    """The shipped processes deployed, with an analyst's DraftService and trip_staff's version id."""
    from engine.authoring.drafts import DraftService
    from engine.scenarios.databases import REPO_ROOT
    from engine.storage.models import DefinitionVersion

    deploy_paths(db, [REPO_ROOT / "processes", REPO_ROOT / "forms"])
    with db.read() as s:
        version_id = s.scalar(select(DefinitionVersion.id).where(DefinitionVersion.process_id == "trip_staff"))
    return DraftService(db), version_id


@pytest.fixture
def deployed(db):
    """The small test approval process deployed into the test database."""
    deploy_paths(db, [TEST_PROCESSES])
    return db


@pytest.fixture
def service(deployed):
    return CaseService(deployed)


T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def reports_template(db_template, tmp_path_factory):
    """The demo database with processes/ deployed and the report's known cases (tests/reports_support.py)."""
    from tests.reports_support import build_known_cases

    with built_template(tmp_path_factory.mktemp("rpt"), "waishi_rpt", build_known_cases, base=db_template) as tpl:
        yield tpl


@pytest.fixture
def reports_db_url(reports_template, tmp_path):
    with copy_of_template(*reports_template, tmp_path, "waishi_r") as url:
        yield url


@pytest.fixture
def reports_db(reports_db_url):
    database = Database(reports_db_url)
    yield database
    database.dispose()
