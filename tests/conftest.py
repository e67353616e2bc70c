"""Test fixtures: a real database per test (SQLite by default, PostgreSQL when DATABASE_URL is
set), migrated once per session into a template and copied for each test."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
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


@pytest.fixture(scope="session")
def db_template(tmp_path_factory):
    """A migrated, demo-loaded database that each test copies."""
    if PG_URL:
        name = f"waishi_tpl_{uuid.uuid4().hex[:8]}"
        admin = _admin_engine(PG_URL)
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        db = Database(url)
        upgrade(db)
        load_demo(db)
        db.dispose()
        yield ("pg", name)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("tpl") / "template.db"
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        load_demo(db)
        with db.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        yield ("sqlite", path)


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
def deployed(db):
    """The small test approval process deployed into the test database."""
    deploy_paths(db, [TEST_PROCESSES])
    return db


@pytest.fixture
def service(deployed):
    return CaseService(deployed)


T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
