"""Where issued PDFs are kept: `<data dir>/documents/<case id>/<kind>-<code>.pdf`, outside the web
root. The data directory is `WAISHI_DATA_DIR` (default `var/`). The database row keeps the path
relative to the data directory, so the directory can move. The files are a cache of what the
snapshot renders to: a lost or damaged file is rendered again, with the same bytes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DEFAULT_DATA_DIR = "var"


def data_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    return Path(configured or os.environ.get("WAISHI_DATA_DIR") or DEFAULT_DATA_DIR).resolve()


class DocumentFiles:
    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = data_dir(root)

    @staticmethod
    def relative_path(case_id: int, kind: str, code: str) -> str:
        return f"documents/{int(case_id)}/{kind}-{code}.pdf"

    def _resolve(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root not in path.parents:
            raise ValueError(f"document path outside the data directory: {relative}")
        return path

    def write(self, relative: str, data: bytes) -> None:
        """Atomically: a reader sees the old file or the new one, never half of one."""
        path = self._resolve(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pdf")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, relative: str) -> bytes | None:
        try:
            return self._resolve(relative).read_bytes()
        except FileNotFoundError:
            return None

    def remove(self, relative: str) -> None:
        self._resolve(relative).unlink(missing_ok=True)
