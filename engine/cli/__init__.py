"""The `waishi` command line: a thin entry point that turns arguments into engine calls. Each area's
commands live in their own module and register on the group when imported here."""

from engine.cli import audit, backups, cases, reports, scenarios, serving, setup  # noqa: F401  (registers)
from engine.cli.app import entry, main

__all__ = ["entry", "main"]
