"""The Ed25519 keys that sign the audit seals. The private key never enters the database: it is
an environment variable or a file the database administrators cannot write. Verifiers need only
public keys, so an auditor can check the seals on a copy of the database with no secret at all.

- signing key: `WAISHI_SEAL_KEY` (base64 of the 32-byte raw private key) or the PEM file
  `WAISHI_SEAL_KEY_FILE` (default `<WAISHI_DATA_DIR or var>/seal.key`);
- trusted public keys: the public half of the signing key, plus `WAISHI_SEAL_TRUSTED_KEYS`
  (comma-separated base64 raw public keys) and the lines of `WAISHI_SEAL_TRUSTED_KEYS_FILE`
  (default `<data dir>/seal-trusted.txt`; `#` starts a comment). Rotation: sign with a new key,
  keep the old public key trusted, so old seals still verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.errors import InvalidInput


def data_dir() -> Path:
    return Path(os.environ.get("WAISHI_DATA_DIR") or "var")


def key_file() -> Path:
    return Path(os.environ.get("WAISHI_SEAL_KEY_FILE") or data_dir() / "seal.key")


def trusted_file() -> Path:
    return Path(os.environ.get("WAISHI_SEAL_TRUSTED_KEYS_FILE") or data_dir() / "seal-trusted.txt")


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(raw_public(key)).decode()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def generate_key_file(path: Path | None = None, *, force: bool = False) -> tuple[str, str]:
    """Write a new private key (PEM, mode 0600). Returns (key id, base64 public key)."""
    path = Path(path or key_file())
    if path.exists() and not force:
        raise InvalidInput(f"密钥文件 {path} 已存在（用 --force 覆盖）",
                           f"The key file {path} exists already (use --force to replace it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key_id(key.public_key()), public_b64(key.public_key())


def load_signing_key() -> Ed25519PrivateKey | None:
    """The configured private key, or None when there is none."""
    raw = os.environ.get("WAISHI_SEAL_KEY")
    if raw:
        try:
            return Ed25519PrivateKey.from_private_bytes(_b64(raw, 32))
        except ValueError as exc:
            raise InvalidInput("WAISHI_SEAL_KEY 不是有效的 Ed25519 私钥",
                               f"WAISHI_SEAL_KEY is not an Ed25519 private key: {exc}") from exc
    path = key_file()
    if not path.is_file():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"密钥文件 {path} 无法读取", f"The key file {path} cannot be read: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"密钥文件 {path} 不是 Ed25519 私钥", f"The key file {path} holds no Ed25519 private key")
    return key


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """key id → public key, for every key whose seals are accepted here."""
    out: dict[str, Ed25519PublicKey] = {}
    signing = load_signing_key()
    if signing is not None:
        out[key_id(signing.public_key())] = signing.public_key()
    listed = [k for k in (os.environ.get("WAISHI_SEAL_TRUSTED_KEYS") or "").split(",") if k.strip()]
    path = trusted_file()
    if path.is_file():
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                listed.append(line)
    for text in listed:
        key = public_key(text)
        out[key_id(key)] = key
    return out


def public_key(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(_b64(text.strip(), 32))
    except ValueError as exc:
        raise InvalidInput(f"不是有效的 Ed25519 公钥：{text[:20]}…",
                           f"Not an Ed25519 public key: {text[:20]}…") from exc


def _b64(text: str, size: int) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc
    if len(raw) != size:
        raise ValueError(f"{len(raw)} bytes, expected {size}")
    return raw
