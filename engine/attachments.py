"""Attachments of a case (申请材料, scans, signed letters): what may be uploaded and where the bytes live.

- **types** — an allow-list decided by the file's content, not its name: PDF, PNG, JPEG, DOCX,
  XLSX and OFD (the Chinese fixed-layout format of official documents). Office and OFD files
  are ZIP packages: we read the package's directory (never decompress) to tell a Word document
  from a workbook from anything else zipped. The name's extension must agree with the content,
  so a renamed file is refused with a message that says why.
- **storage** — outside the web root, content-addressed: `<data dir>/attachments/<case>/<sha256>`.
  The file is written (to a temporary name, then renamed) *before* the command's transaction
  records it, so a recorded attachment never points at a missing file; a transaction that fails
  afterwards leaves at most an unreferenced file, which the same upload reuses.
- **the record** — a row in `attachments` and an audited case command `attach` whose payload is
  the metadata (name, sha256, size, type), never the bytes (`CaseService.attach`).

`WAISHI_DATA_DIR` (default `var/`) is the data directory.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InvalidInput, NotFound

DEFAULT_DATA_DIR = "var"
MAX_FILENAME = 200
DEFAULT_MAX_BYTES = 10 * 2**20


@dataclass(frozen=True)
class FileType:
    code: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "application/pdf", (".pdf",))
PNG = FileType("png", "image/png", (".png",))
JPEG = FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
OFD = FileType("ofd", "application/ofd", (".ofd",))
ALLOWED: tuple[FileType, ...] = (PDF, PNG, JPEG, DOCX, XLSX, OFD)
ACCEPT = ",".join(ext for t in ALLOWED for ext in t.extensions)  # for <input type=file accept=…>
BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def data_dir() -> Path:
    return Path(os.environ.get("WAISHI_DATA_DIR") or DEFAULT_DATA_DIR)


def sniff(data: bytes) -> FileType | None:
    """The allowed type the bytes are, or None. Looks at magic numbers, and into ZIP packages'
    directories for the part that makes a DOCX, an XLSX or an OFD file."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, ValueError, EOFError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        if "OFD.xml" in names:
            return OFD
    return None


def clean_filename(name: str | None) -> str:
    """The name to show and to offer on download: the last path part, no control characters,
    NFC-normalised, at most 200 characters (the extension kept). `InvalidInput` if nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", unicodedata.normalize("NFC", base)).strip().strip(".").strip()
    if not base:
        raise InvalidInput("请选择要上传的文件", "Choose a file to upload")
    if len(base) > MAX_FILENAME:
        stem, dot, ext = base.rpartition(".")
        keep = f"{dot}{ext}" if dot and len(ext) <= 10 else ""
        base = base[: MAX_FILENAME - len(keep)] + keep
    return base


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    type: FileType
    size: int
    sha256: str


def check(filename: str | None, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedFile:
    """What an upload is, or `InvalidInput` saying why it is refused (in Chinese and English)."""
    name = clean_filename(filename)
    if not data:
        raise InvalidInput(f"文件“{name}”是空的", f"The file '{name}' is empty")
    if len(data) > max_bytes:
        mb = max(1, max_bytes // 2**20)
        raise InvalidInput(f"文件“{name}”超过 {mb} MB 的上限", f"The file '{name}' is larger than the limit of {mb} MB")
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(f"不接受文件“{name}”的类型："
                           "只能上传 PDF、PNG、JPEG、Word（.docx）、Excel（.xlsx）或 OFD 文件",
                           f"The type of '{name}' is not accepted: upload PDF, PNG, JPEG, Word (.docx), "
                           "Excel (.xlsx) or OFD files only")
    if not name.lower().endswith(kind.extensions):
        raise InvalidInput(f"文件“{name}”的内容是 {kind.code.upper()}，与扩展名不符；"
                           f"请使用 {kind.extensions[0]} 扩展名",
                           f"The content of '{name}' is {kind.code.upper()}, which does not match its extension; "
                           f"name it {kind.extensions[0]}")
    return CheckedFile(name, kind, len(data), hashlib.sha256(data).hexdigest())


class AttachmentStore:
    """Files under `<root>/<case id>/<sha256>`; `root` is `<data dir>/attachments`."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else data_dir() / "attachments"

    def path_for(self, case_id: int, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise NotFound("附件不存在", "The attachment does not exist")
        return self.root / str(int(case_id)) / sha256

    def put(self, case_id: int, sha256: str, data: bytes) -> Path:
        """Store the bytes (once: the same content is kept once per case)."""
        path = self.path_for(case_id, sha256)
        if path.exists() and path.stat().st_size == len(data):
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{sha256}.{os.getpid()}.{id(data):x}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path

    def open(self, case_id: int, sha256: str):
        path = self.path_for(case_id, sha256)
        if not path.is_file():
            raise NotFound("附件文件已丢失，请联系管理员",
                           "The attachment's file is missing; contact the administrator")
        return path
