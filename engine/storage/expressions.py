"""SQL expressions that SQLite and PostgreSQL spell differently, compiled for each."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class whole_seconds_between(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """Whole seconds from the first timestamp to the second (rounded), as an integer."""

    type = Integer()
    inherit_cache = True
    name = "whole_seconds_between"


@compiles(whole_seconds_between, "sqlite")
def _sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(round((julianday({end}) - julianday({start})) * 86400.0) AS INTEGER)"


@compiles(whole_seconds_between, "postgresql")
def _postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(round(EXTRACT(epoch FROM ({end}) - ({start}))) AS INTEGER)"
