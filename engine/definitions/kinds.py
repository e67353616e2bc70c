"""File kinds of a definition bundle, told apart by file name."""

from __future__ import annotations

BPMN = "bpmn"
DMN = "dmn"
FORM = "form"

# Longest suffix first so "x.bpmn20.xml" is not mistaken for some generic ".xml".
SUFFIXES: tuple[tuple[str, str], ...] = (
    (".bpmn20.xml", BPMN),
    (".bpmn", BPMN),
    (".dmn", DMN),
    (".form", FORM),
)


def kind_of(name: str) -> str | None:
    """"bpmn", "dmn" or "form" for a supported file name, else None."""
    lower = name.lower()
    for suffix, kind in SUFFIXES:
        if lower.endswith(suffix):
            return kind
    return None
