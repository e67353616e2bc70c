"""`waishi backup` / `waishi restore`: the round trip on a database with cases, an issued document
and attachments loses nothing (row counts, hashes, files), and the restored copy verifies."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from engine.attachments import AttachmentStore
from engine.cli import main
from engine.documents import DocumentService
from engine.ops.backup import sha256_of, table_counts
from engine.runtime.service import CaseService
from engine.storage.db import Database
from engine.storage.models import Attachment, AuditEvent, Case, Document
from tests.conftest import PG_URL, T0, _admin_engine
from tests.documents_support import ISSUE_AT, deploy_document_processes, run_trip
from tests.helpers import Walker

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def empty_url(tmp_path):
    """A new, empty database of the same kind as the test database (the restore's target)."""
    if PG_URL:
        name = f"waishi_serve_restore_{uuid.uuid4().hex[:8]}"
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
        yield f"sqlite:///{tmp_path / 'restored.db'}"


def cli(url: str, *args: str):
    return CliRunner().invoke(main, ["--db", url, "--lang", "en", *args], catch_exceptions=False)


def snapshot(db: Database, data_dir: Path) -> dict:
    with db.read() as s:
        return {
            "cases": [(c.id, c.status, c.state_hash, c.last_hash, c.seq)
                      for c in s.scalars(select(Case).order_by(Case.id))],
            "events": [e.hash for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))],
            "attachments": [(a.case_id, a.sha256, a.size)
                            for a in s.scalars(select(Attachment).order_by(Attachment.id))],
            "documents": [(d.number, d.sha256) for d in s.scalars(select(Document).order_by(Document.id))],
            "tables": table_counts(db),
            "files": {p.relative_to(data_dir).as_posix(): sha256_of(p) for p in sorted(data_dir.rglob("*"))
                      if p.is_file()},
        }


def test_backup_and_restore_round_trip(db, db_url, empty_url, tmp_path):
    data = tmp_path / "data"
    deploy_document_processes(db)
    from engine.definitions.deploy import deploy_paths
    from tests.conftest import TEST_PROCESSES

    deploy_paths(db, [TEST_PROCESSES])
    service = CaseService(db, files=AttachmentStore(data / "attachments"))
    walker = Walker(service, T0)
    walker.start()
    walker.apply()
    service.attach("clerk_commerce", walker.case_id, "申请表.pdf", PDF)
    service.attach("clerk_commerce", walker.case_id, "photo.png", PNG)
    trip = run_trip(db)
    DocumentService(db, data_dir=data).issue(trip, "trip_batch", username="fao_clerk", at=ISSUE_AT)
    before = snapshot(db, data)
    assert before["attachments"] and before["documents"] and len(before["files"]) >= 3

    result = cli(db_url, "backup", str(tmp_path / "backup"), "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    assert "backup" in result.output and "files" in result.output

    restored_data = tmp_path / "restored-data"
    result = cli(empty_url, "restore", str(tmp_path / "backup"), "--data-dir", str(restored_data))
    assert result.exit_code == 0, result.output
    assert "all as in the backup's manifest" in result.output
    restored = Database(empty_url)
    assert snapshot(restored, restored_data) == before
    restored.dispose()
    result = cli(empty_url, "audit", "verify", "--all", "--quiet")
    assert result.exit_code == 0 and "OK" in result.output, result.output

    # A restore never merges: into a database that is not empty it refuses, in one line.
    result = cli(empty_url, "restore", str(tmp_path / "backup"), "--data-dir", str(tmp_path / "other"))
    assert result.exit_code == 1 and "restore into a new, empty database" in result.output
    # ...nor into a backup folder that is already used.
    result = cli(db_url, "backup", str(tmp_path / "backup"), "--data-dir", str(data))
    assert result.exit_code == 1 and "is not empty" in result.output


def test_a_damaged_backup_is_refused(db, db_url, empty_url, tmp_path):
    data = tmp_path / "data"
    service = CaseService(db, files=AttachmentStore(data / "attachments"))
    from engine.definitions.deploy import deploy_paths
    from tests.conftest import TEST_PROCESSES

    deploy_paths(db, [TEST_PROCESSES])
    walker = Walker(service, T0)
    walker.start()
    service.attach("clerk_commerce", walker.case_id, "a.pdf", PDF)
    assert cli(db_url, "backup", str(tmp_path / "b"), "--data-dir", str(data)).exit_code == 0
    (stored,) = [p for p in (tmp_path / "b" / "files").rglob("*") if p.is_file()]
    stored.write_bytes(PDF + b"tampered")
    result = cli(empty_url, "--lang", "zh", "restore", str(tmp_path / "b"), "--data-dir", str(tmp_path / "r"))
    assert result.exit_code == 1 and "与备份清单不符" in result.output
