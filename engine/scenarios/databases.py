"""Where scenarios run. By default each scenario gets a fresh SQLite file, copied from a template
that is migrated, given the demo users and the definitions once per run (building it costs more
than the copy). With a URL, every scenario runs in that database as it is: the definitions are
deployed into it (an unchanged file keeps its version), nothing else is created."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from engine.definitions.bundle import DefinitionBundle
from engine.definitions.cache import SpecCache
from engine.definitions.deploy import deploy_bundle
from engine.demo import load_demo
from engine.storage.db import Database
from engine.storage.migrate import upgrade

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_definitions() -> list[Path]:
    """`processes/` and `forms/` of the repository, those that exist."""
    return [p for p in (REPO_ROOT / "processes", REPO_ROOT / "forms") if p.is_dir()]


def deploy_definitions(db: Database, paths: Sequence[Path]) -> None:
    """Validate and deploy; raises DefinitionInvalid with every problem. No BPMN: nothing to do."""
    bundle = DefinitionBundle.from_paths(list(paths))
    if bundle.bpmn:
        deploy_bundle(db, bundle, actor="system")


class ScenarioDatabases:
    """Hands out a ready database per scenario. Use as a context manager: it removes its files."""

    def __init__(self, definitions: Sequence[Path] | None = None, url: str | None = None) -> None:
        self.definitions = list(definitions) if definitions is not None else default_definitions()
        self.url = url
        # Every copy of the template has the same version ids, and a given URL is one database,
        # so one spec cache serves all scenarios of the run.
        self.specs = SpecCache()
        self._dir: Path | None = None
        self._template: Path | None = None
        self._shared: Database | None = None
        self._count = 0

    def __enter__(self) -> ScenarioDatabases:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @contextlib.contextmanager
    def database(self) -> Iterator[Database]:
        if self.url:
            if self._shared is None:
                self._shared = Database(self.url)
                deploy_definitions(self._shared, self.definitions)
            yield self._shared
            return
        template = self._ensure_template()
        self._count += 1
        path = template.with_name(f"scenario-{self._count}.db")
        shutil.copyfile(template, path)
        db = Database(f"sqlite:///{path}")
        try:
            yield db
        finally:
            db.dispose()
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink(missing_ok=True)

    def _ensure_template(self) -> Path:
        if self._template is None:
            self._dir = Path(tempfile.mkdtemp(prefix="waishi-scenarios-"))
            path = self._dir / "template.db"
            db = Database(f"sqlite:///{path}")
            try:
                upgrade(db)
                load_demo(db)
                deploy_definitions(db, self.definitions)
                with db.engine.connect() as conn:
                    # Fold the WAL into the main file, so copying that one file copies everything.
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.dispose()
            self._template = path
        return self._template

    def close(self) -> None:
        if self._shared is not None:
            self._shared.dispose()
            self._shared = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = self._template = None
