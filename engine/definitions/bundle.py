"""A definition bundle: the BPMN, DMN and form files deployed (and versioned) together."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.definitions import flavour as _flavour
from engine.definitions import kinds
from engine.definitions.forms import MAX_FORM_BYTES
from engine.definitions.problems import BUNDLE, problem
from engine.definitions.xmlsafe import MAX_XML_BYTES, parse_xml
from engine.errors import DefinitionInvalid, Problem


@dataclass
class DefinitionBundle:
    bpmn: dict[str, bytes] = field(default_factory=dict)
    dmn: dict[str, bytes] = field(default_factory=dict)
    forms: dict[str, bytes] = field(default_factory=dict)

    def by_kind(self) -> dict[str, dict[str, bytes]]:
        return {kinds.BPMN: self.bpmn, kinds.DMN: self.dmn, kinds.FORM: self.forms}

    def add(self, kind: str, name: str, content: bytes) -> None:
        self.by_kind()[kind][name] = content

    def content_hash(self) -> str:
        """sha256 of the sorted (kind, name, sha256 of content) listing: independent of insertion
        order, and changed by any rename, addition, removal or edit."""
        listing = sorted(
            [kind, name, hashlib.sha256(content).hexdigest()]
            for kind, files in self.by_kind().items()
            for name, content in files.items()
        )
        # JSON keeps names containing separators unambiguous.
        canonical = json.dumps(listing, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def flavour(self) -> str:
        """"spiff" or "camunda": which SpiffWorkflow parser reads this bundle (see flavour.py).
        Files that are not even XML are skipped here; validation reports them."""
        trees = []
        for name, content in self.bpmn.items():
            try:
                trees.append(parse_xml(content, name, kind=kinds.BPMN))
            except DefinitionInvalid:
                continue
        return _flavour.flavour_of(trees)

    def is_empty(self) -> bool:
        return not (self.bpmn or self.dmn or self.forms)

    @classmethod
    def from_paths(cls, paths: Iterable[str | os.PathLike[str]]) -> DefinitionBundle:
        """Read files and directories (recursively: .bpmn, .bpmn20.xml, .dmn, .form).

        A file given by path is keyed by its base name, a file found in a directory by its path
        relative to that directory. Unreadable, oversized, unsupported or clashing entries are all
        reported together in one `DefinitionInvalid`.
        """
        bundle = cls()
        problems: list[Problem] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                for file, name in _walk(path):
                    _read_into(bundle, file, name, kinds.kind_of(file.name), problems)
            elif path.is_file():
                kind = kinds.kind_of(path.name)
                if kind is None:
                    problems.append(problem(
                        BUNDLE,
                        f"不支持的文件类型：{path.name}（只接受 .bpmn、.bpmn20.xml、.dmn、.form）",
                        f"unsupported file type: {path.name} (only .bpmn, .bpmn20.xml, .dmn, .form)",
                        file=path.name,
                    ))
                    continue
                _read_into(bundle, path, path.name, kind, problems)
            else:
                problems.append(problem(BUNDLE, f"路径不存在或不可读：{path}",
                                        f"path does not exist or is not readable: {path}", file=str(path)))
        if problems:
            raise DefinitionInvalid(problems)
        return bundle


_LIMITS = {kinds.BPMN: MAX_XML_BYTES, kinds.DMN: MAX_XML_BYTES, kinds.FORM: MAX_FORM_BYTES}


def _walk(root: Path) -> Iterable[tuple[Path, str]]:
    # os.walk without followlinks: a symlink loop in an upload folder cannot recurse forever.
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fn in sorted(filenames):
            if fn.startswith(".") or kinds.kind_of(fn) is None:
                continue
            file = Path(dirpath) / fn
            yield file, file.relative_to(root).as_posix()


def _read_into(bundle: DefinitionBundle, path: Path, name: str, kind: str | None,
               problems: list[Problem]) -> None:
    if kind is None:
        return
    target = bundle.by_kind()[kind]
    if name in target:
        problems.append(problem(BUNDLE, f"文件名重复：{name}", f"duplicate file name in the bundle: {name}",
                                file=name))
        return
    try:
        size = path.stat().st_size
        # Refuse by size before reading, so a huge file never lands in memory.
        if size > _LIMITS[kind]:
            problems.append(problem(
                BUNDLE,
                f"文件过大：{size} 字节，上限 {_LIMITS[kind]} 字节",
                f"file too large: {size} bytes, the limit is {_LIMITS[kind]} bytes",
                file=name,
            ))
            return
        target[name] = path.read_bytes()
    except OSError as exc:
        problems.append(problem(BUNDLE, f"无法读取文件：{exc.strerror or exc}",
                                f"cannot read the file: {exc.strerror or exc}", file=name))
