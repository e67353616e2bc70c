"""Seals over the chains' heads: what a consistent rewrite, a deleted case, a forged, edited or
removed seal look like to verification, and key rotation. Real database, real Ed25519 keys."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text

from engine.audit import keys, seal
from engine.audit.chain import event_hash
from engine.audit.verify import verify
from engine.errors import InvalidInput
from engine.storage.models import AuditEvent, AuditSeal
from tests.conftest import T0
from tests.helpers import Walker, _bypass_triggers, events


@pytest.fixture
def key_env(tmp_path, monkeypatch):
    monkeypatch.setenv("WAISHI_DATA_DIR", str(tmp_path))
    for name in ("WAISHI_SEAL_KEY", "WAISHI_SEAL_KEY_FILE", "WAISHI_SEAL_TRUSTED_KEYS",
                 "WAISHI_SEAL_TRUSTED_KEYS_FILE"):
        monkeypatch.delenv(name, raising=False)
    keys.generate_key_file()
    return tmp_path


def two_cases(service) -> list[int]:
    out = []
    for offset in (0, 1):
        w = Walker(service, T0.replace(hour=1 + offset))
        w.start()
        w.apply()
        w.complete("ut_head", decision="approve")
        out.append(w.case_id)
    return out


def kinds(db, case_id=None) -> set[str]:
    return {f.kind for f in verify(db, case_id).findings}


def test_keygen_refuses_to_overwrite_and_bad_keys_are_named(key_env, monkeypatch):
    with pytest.raises(InvalidInput):
        keys.generate_key_file()
    assert (key_env / "seal.key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("WAISHI_SEAL_KEY", "not-base64!")
    with pytest.raises(InvalidInput):
        keys.load_signing_key()
    monkeypatch.setenv("WAISHI_SEAL_TRUSTED_KEYS", "AAAA")
    monkeypatch.delenv("WAISHI_SEAL_KEY")
    with pytest.raises(InvalidInput):
        keys.trusted_keys()


def test_seal_once_per_change_and_verify_clean(service, key_env):
    two_cases(service)
    first = seal.seal(service.db)
    assert first is not None and first.chain_count == 3  # two cases and the system chain
    assert seal.seal(service.db) is None  # nothing changed: nothing written
    Walker(service, T0.replace(hour=5)).start()
    second = seal.seal(service.db)
    assert second.prev_digest == first.digest and second.chain_count == 4
    report = verify(service.db)
    assert report.ok and report.sealed, report.findings
    exported = seal.export_seal(service.db.read().__enter__(), second.id)
    assert json.dumps(exported) and exported["heads"]


def _rewrite_consistently(db, case_id: int) -> None:
    """Edit the payload of event 2 and recompute every hash and link after it, and the case's
    last hash: the chain check alone passes afterwards."""
    evs = events(db, case_id)
    prev = evs[0].hash
    statements = []
    for ev in evs[1:]:
        payload = dict(ev.payload)
        if ev.seq == 2:
            payload["data"] = {**payload["data"], "applicant": "李四"}
        digest = event_hash(chain=ev.chain, seq=ev.seq, at=ev.at, actor=ev.actor, command=ev.command,
                            task_id=ev.task_id, task_spec=ev.task_spec, payload=payload, diff=ev.diff,
                            state_hash=ev.state_hash, prev_hash=prev, note=ev.note)
        statements.append({"p": json.dumps(payload, ensure_ascii=False), "h": digest, "prev": prev, "i": ev.id})
        prev = digest
    for params in statements:
        _bypass_triggers(db, "UPDATE audit_events SET payload = :p, hash = :h, prev_hash = :prev WHERE id = :i",
                         params)
    with db.transaction() as s:
        s.execute(text("UPDATE cases SET last_hash = :h WHERE id = :c"), {"h": prev, "c": case_id})


def test_a_consistent_rewrite_is_caught_by_the_seal(service, key_env):
    case_id = two_cases(service)[0]
    seal.seal(service.db)
    _rewrite_consistently(service.db, case_id)
    with service.db.read() as s:
        from engine.audit.verify import VerifyReport, check_chain, events_of

        chain_only = VerifyReport()
        assert check_chain(f"case:{case_id}", events_of(s, f"case:{case_id}"), chain_only)  # hashes "fine"
    found = verify(service.db, case_id).findings
    assert "seal_mismatch" in {f.kind for f in found}
    assert any(f.chain == f"case:{case_id}" and f.kind == "seal_mismatch" for f in found)


def test_a_deleted_case_is_caught_by_the_seal(service, key_env):
    case_id = two_cases(service)[1]
    seal.seal(service.db)
    _bypass_triggers(service.db, "DELETE FROM audit_events WHERE case_id = :c", {"c": case_id})
    with service.db.transaction() as s:
        for table in ("case_path", "case_terms", "notifications", "work_items", "message_subscriptions",
                      "report_fact_items", "report_facts"):
            s.execute(text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": case_id})
        s.execute(text("DELETE FROM cases WHERE id = :c"), {"c": case_id})
    assert "seal_missing_chain" in kinds(service.db)


def test_a_seal_signed_by_another_key_is_not_trusted(service, key_env):
    two_cases(service)
    seal.seal(service.db, key=Ed25519PrivateKey.generate())
    assert kinds(service.db) == {"seal_unknown_key"}


def test_an_edited_seal_fails_its_signature(service, key_env):
    case_id = two_cases(service)[0]
    made = seal.seal(service.db)
    with service.db.transaction() as s:
        row = s.get(AuditSeal, made.id)
        heads = dict(row.heads)
        heads[f"case:{case_id}"] = [1, "0" * 64]
        row.heads = heads
    assert "seal_signature" in kinds(service.db)


def test_a_removed_seal_breaks_the_seals_links(service, key_env):
    two_cases(service)
    first = seal.seal(service.db)
    Walker(service, T0.replace(hour=6)).start()
    seal.seal(service.db)
    Walker(service, T0.replace(hour=7)).start()
    seal.seal(service.db)
    with service.db.transaction() as s:
        s.execute(text("DELETE FROM audit_seals WHERE id = :i"), {"i": first.id + 1})
    assert kinds(service.db) == {"seal_chain_broken"}


def test_rotation_and_a_verifier_with_public_keys_only(service, key_env, monkeypatch):
    two_cases(service)
    old = keys.load_signing_key()
    seal.seal(service.db)
    new_path = key_env / "new.key"
    keys.generate_key_file(new_path)
    monkeypatch.setenv("WAISHI_SEAL_KEY_FILE", str(new_path))
    Walker(service, T0.replace(hour=8)).start()
    seal.seal(service.db)
    assert "seal_unknown_key" in kinds(service.db)  # the old key is not trusted yet
    (key_env / "seal-trusted.txt").write_text(f"# retired 2026-12\n{keys.public_b64(old.public_key())}\n")
    assert verify(service.db).ok
    # Someone holding public keys only: both keys listed, no private key anywhere.
    new_public = keys.public_b64(keys.load_signing_key().public_key())
    monkeypatch.setenv("WAISHI_SEAL_KEY_FILE", str(key_env / "absent.key"))
    monkeypatch.setenv("WAISHI_SEAL_TRUSTED_KEYS", new_public)
    assert keys.load_signing_key() is None and len(keys.trusted_keys()) == 2
    report = verify(service.db)
    assert report.ok and report.sealed
    with service.db.read() as s:
        assert [r.key_id for r in s.scalars(select(AuditSeal).order_by(AuditSeal.id))][0] == keys.key_id(
            old.public_key())


def test_seal_heads_come_from_one_grouped_query(service, key_env):
    ids = two_cases(service)
    with service.db.read() as s:
        heads = seal.chain_heads(s)
        last = s.scalar(select(AuditEvent.hash).where(AuditEvent.chain == f"case:{ids[0]}")
                        .order_by(AuditEvent.seq.desc()).limit(1))
    assert heads[f"case:{ids[0]}"] == [3, last] and base64.b64decode(keys.public_b64(
        keys.load_signing_key().public_key()))


def test_the_worker_seals_on_its_interval(service, key_env):
    from engine.timers import Sealer

    two_cases(service)
    sealer = Sealer(service, interval=60)
    sealer.tick(now=1000.0)
    sealer.tick(now=1030.0)  # not yet due again
    Walker(service, T0.replace(hour=9)).start()
    sealer.tick(now=1061.0)
    with service.db.read() as s:
        assert len(s.scalars(select(AuditSeal)).all()) == 2
