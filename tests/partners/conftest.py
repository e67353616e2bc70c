"""A database with the shipped processes and forms deployed (the demo users in it), copied per
test from one module template — SQLite by default, PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import pytest

from engine.definitions.cache import SpecCache
from engine.scenarios import default_definitions, deploy_definitions
from engine.storage.db import Database
from tests.conftest import built_template, copy_of_template

SPECS = SpecCache()


@pytest.fixture(scope="module")
def shipped_template(db_template, tmp_path_factory):
    def prepare(db: Database) -> None:
        deploy_definitions(db, default_definitions())

    with built_template(tmp_path_factory.mktemp("partners"), "waishi_prt", prepare, base=db_template) as template:
        yield template


@pytest.fixture
def shipped_db(shipped_template, tmp_path):
    with copy_of_template(*shipped_template, tmp_path, "waishi_p") as url:
        db = Database(url)
        yield db
        db.dispose()
