"""Seals: a signed digest of every chain's head (last sequence number and hash) at one instant.

A chain check catches an edited event, but someone who can rewrite the whole database could
recompute every hash of a chain consistently, or delete a case with all its events. A seal names
each chain's head and is signed with an Ed25519 key that lives outside the database
(`engine.audit.keys`); seals are linked to each other by their digests. Verification then checks
every seal's signature and link, and that every head a seal names is still there with the hash it
had: a rewritten chain has another hash at the sealed sequence number, a deleted case has no
chain, a removed seal breaks the links, and a forged one has no trusted key.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.audit import keys as seal_keys
from engine.audit.chain import GENESIS
from engine.audit.verify import Finding
from engine.errors import InvalidInput, NotFound
from engine.runtime.state import canonical_json
from engine.storage.db import Database
from engine.storage.models import AuditEvent, AuditSeal

SEALS = "seals"  # the chain name seal-level findings carry
_LOCK = 7231002


def digest_of(heads: dict[str, Any], sealed_at: datetime, prev_digest: str, key_id: str) -> str:
    body = {"heads": heads, "sealed_at": sealed_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "prev_digest": prev_digest, "key_id": key_id}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def chain_heads(session: Session) -> dict[str, list]:
    """chain → [last seq, its hash], one grouped query joined back to the events."""
    last = (select(AuditEvent.chain, func.max(AuditEvent.seq).label("seq"))
            .group_by(AuditEvent.chain).subquery())
    rows = session.execute(select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash)
                           .join(last, (last.c.chain == AuditEvent.chain) & (last.c.seq == AuditEvent.seq)))
    return {c: [s, h] for c, s, h in rows}


def seal(db: Database, *, at: datetime | None = None, key: Ed25519PrivateKey | None = None) -> AuditSeal | None:
    """Seal every chain's head now. None (and nothing written) when nothing changed since the
    last seal. `InvalidInput` when no signing key is configured."""
    key = key or seal_keys.load_signing_key()
    if key is None:
        raise InvalidInput("未配置封印密钥（见 waishi audit keygen）",
                           "No seal key is configured (see waishi audit keygen)")
    at = at or datetime.now(UTC)
    with db.transaction() as session:
        if db.is_postgres:
            session.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK})"))
        heads = chain_heads(session)
        previous = session.scalar(select(AuditSeal).order_by(AuditSeal.id.desc()).limit(1))
        if previous is not None and previous.heads == heads:
            return None
        public = key.public_key()
        kid = seal_keys.key_id(public)
        prev_digest = previous.digest if previous is not None else GENESIS
        digest = digest_of(heads, at, prev_digest, kid)
        row = AuditSeal(sealed_at=at, key_id=kid, public_key=seal_keys.public_b64(public), chain_count=len(heads),
                        event_count=sum(h[0] for h in heads.values()), heads=heads, prev_digest=prev_digest,
                        digest=digest, signature=base64.b64encode(key.sign(digest.encode())).decode())
        session.add(row)
        session.flush()
        return row


def check_seals(session: Session, trusted: dict[str, Ed25519PublicKey], *, chain: str | None = None,
                require: bool = False) -> list[Finding]:
    """Findings about the seals and the chains they cover (only `chain`'s, when given)."""
    seals = list(session.scalars(select(AuditSeal).order_by(AuditSeal.id)))
    findings: list[Finding] = []
    if not seals:
        if require:
            findings.append(Finding(SEALS, None, "no seal covers the chains", "seal_missing"))
        return findings
    prev = GENESIS
    for row in seals:
        findings.extend(_check_one(row, prev, trusted))
        prev = row.digest
    findings.extend(_check_heads(session, seals, chain))
    return findings


def _check_one(row: AuditSeal, prev: str, trusted: dict[str, Ed25519PublicKey]) -> list[Finding]:
    out = []
    if row.prev_digest != prev:
        out.append(Finding(SEALS, row.id, f"seal {row.id} does not follow the seal before it (removed or inserted)",
                           "seal_chain_broken"))
    if digest_of(row.heads, row.sealed_at, row.prev_digest, row.key_id) != row.digest:
        out.append(Finding(SEALS, row.id, f"seal {row.id}: its digest does not match its content", "seal_signature"))
        return out
    key = trusted.get(row.key_id)
    if key is None:
        out.append(Finding(SEALS, row.id, f"seal {row.id} is signed by key {row.key_id}, which is not trusted",
                           "seal_unknown_key"))
        return out
    try:
        key.verify(base64.b64decode(row.signature), row.digest.encode())
    except (InvalidSignature, ValueError):
        out.append(Finding(SEALS, row.id, f"seal {row.id}: the signature is invalid", "seal_signature"))
    return out


def _check_heads(session: Session, seals: list[AuditSeal], only: str | None) -> list[Finding]:
    """Every head every seal names must still be on its chain with the same hash. The events'
    (chain, seq, hash) are read once; each chain is reported once, at the newest seal showing it."""
    query = select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash)
    if only is not None:
        query = query.where(AuditEvent.chain == only)
    present: dict[str, dict[int, str]] = {}
    for c, s, h in session.execute(query):
        present.setdefault(c, {})[s] = h
    out: list[Finding] = []
    reported: set[str] = set()
    for row in reversed(seals):
        for chain_name, (seq, sealed_hash) in sorted(row.heads.items()):
            if (only is not None and chain_name != only) or chain_name in reported:
                continue
            events = present.get(chain_name)
            if not events:
                out.append(Finding(chain_name, None, f"sealed by seal {row.id} with {seq} event(s), but the chain is "
                                                     "gone (case deleted)", "seal_missing_chain"))
                reported.add(chain_name)
            elif events.get(seq) != sealed_hash:
                out.append(Finding(chain_name, seq, f"event {seq} is not the one seal {row.id} signed "
                                                    "(the chain was rewritten or cut)", "seal_mismatch"))
                reported.add(chain_name)
    return out


def seal_summary(session: Session) -> list[dict[str, Any]]:
    return [{"id": r.id, "sealed_at": r.sealed_at, "key_id": r.key_id, "chain_count": r.chain_count,
             "event_count": r.event_count, "digest": r.digest, "signature": r.signature}
            for r in session.scalars(select(AuditSeal).order_by(AuditSeal.id))]


def export_seal(session: Session, seal_id: int) -> dict[str, Any]:
    row = session.get(AuditSeal, seal_id)
    if row is None:
        raise NotFound(f"封印 {seal_id} 不存在", f"Seal {seal_id} does not exist")
    return {"id": row.id, "sealed_at": row.sealed_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "key_id": row.key_id, "public_key": row.public_key, "chain_count": row.chain_count,
            "event_count": row.event_count, "prev_digest": row.prev_digest, "digest": row.digest,
            "signature": row.signature, "heads": row.heads}


def covering_seal(session: Session, chain: str) -> tuple[AuditSeal, int] | None:
    """The newest seal that names `chain`, and the sequence number it covers."""
    for row in session.scalars(select(AuditSeal).order_by(AuditSeal.id.desc())):
        head = (row.heads or {}).get(chain)
        if head is not None:
            return row, int(head[0])
    return None

