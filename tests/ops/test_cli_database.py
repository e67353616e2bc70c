"""Every `waishi` command that needs a database says in one line, with the fix and exit code 2,
when the database is unreachable, has no schema, is behind, or is of a newer schema."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.cli import main
from engine.storage.db import Database
from engine.storage.schema import head_revision
from tests.conftest import PG_URL, TEST_PROCESSES

SCENARIOS = TEST_PROCESSES.parents[1] / "processes" / "scenarios"

# Every command that opens the database, with the arguments it needs to get that far.
COMMANDS = [
    ("cases",), ("case", "1"), ("demo",), ("deploy", str(TEST_PROCESSES)), ("audit", "verify", "--all"),
    ("audit", "verify", "1"), ("audit", "seal"), ("audit", "seals"), ("audit", "export-seal", "1"),
    ("worker", "--once"), ("run",), ("serve",), ("serve", "--dev"), ("scenario", "run", str(SCENARIOS)),
]


def invoke(url: str, lang: str, *args: str):
    return CliRunner().invoke(main, ["--db", url, "--lang", lang, *args], catch_exceptions=False)


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def set_revision(url: str, revision: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    db.dispose()


@pytest.fixture
def unmigrated_url(tmp_path):
    if PG_URL:
        import uuid

        from sqlalchemy.engine import make_url

        from tests.conftest import _admin_engine

        name = f"waishi_serve_empty_{uuid.uuid4().hex[:8]}"
        admin = _admin_engine(PG_URL)
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'never-migrated.db'}"


@pytest.fixture
def unreachable_url(tmp_path):
    if PG_URL:
        yield "postgresql+psycopg://postgres@127.0.0.1:1/waishi"  # nothing listens on port 1
    else:
        (tmp_path / "a-folder").mkdir()
        yield f"sqlite:///{tmp_path / 'a-folder'}"  # a folder is no database file


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unmigrated_database(unmigrated_url, args, lang):
    result = invoke(unmigrated_url, lang, *args)
    assert result.exit_code == 2
    line = one_line(result.output)
    assert "waishi db upgrade" in line
    assert ("has no schema yet" in line) if lang == "en" else ("尚未建表" in line)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", COMMANDS + [("db", "upgrade")], ids=lambda a: " ".join(a[:2]))
def test_unreachable_database(unreachable_url, args):
    for lang, words in (("en", "Cannot reach the database"), ("zh", "无法连接数据库")):
        result = invoke(unreachable_url, lang, *args)
        assert result.exit_code == 2
        line = one_line(result.output)
        assert words in line and ("DATABASE_URL" in line)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_database_behind(db_url, args):
    set_revision(db_url, "0005")
    result = invoke(db_url, "en", *args)
    assert result.exit_code == 2
    line = one_line(result.output)
    assert f"is at schema revision 0005, this program needs {head_revision()}" in line
    assert "run `waishi db upgrade`" in line
    result = invoke(db_url, "zh", *args)
    assert result.exit_code == 2 and "结构版本为 0005" in one_line(result.output)


@pytest.mark.parametrize("args", COMMANDS + [("db", "upgrade")], ids=lambda a: " ".join(a[:2]))
def test_database_of_a_newer_schema(db_url, args):
    set_revision(db_url, "9999")
    result = invoke(db_url, "en", *args)
    assert result.exit_code == 2
    line = one_line(result.output)
    assert "schema revision 9999, newer than this program's" in line and "upgrade Waishi" in line
    result = invoke(db_url, "zh", *args)
    assert result.exit_code == 2 and "比本程序" in one_line(result.output)


def test_upgrade_then_the_command_works(unmigrated_url):
    assert invoke(unmigrated_url, "en", "db", "upgrade").exit_code == 0
    result = invoke(unmigrated_url, "en", "cases")
    assert result.exit_code == 0, result.output
