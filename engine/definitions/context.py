"""What every validation check reads: the parsed bundle, its forms and what lies outside it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from engine.definitions import namespaces
from engine.definitions.forms import FormIndex
from engine.definitions.parsing import ParsedBundle, ProcessInfo, processes_of


@dataclass
class Context:
    parsed: ParsedBundle
    forms: FormIndex
    known_forms: set[str] = field(default_factory=set)
    _lanes: dict[str, dict[str, str | None]] = field(default_factory=dict, repr=False)

    @property
    def flavour(self) -> str:
        return self.parsed.flavour

    @cached_property
    def processes(self) -> list[ProcessInfo]:
        return processes_of(self.parsed.trees)

    @cached_property
    def executable(self) -> list[ProcessInfo]:
        # Only what SpiffWorkflow would run is held to our rules; documentation-only pools are not.
        return [p for p in self.processes if p.executable]

    def elements(self, local: str) -> Iterator[tuple[ProcessInfo, etree._Element]]:
        """Every BPMN element `local` inside an executable process, embedded subprocesses included."""
        for info in self.executable:
            for el in info.element.iter(namespaces.tag(local)):
                yield info, el

    def lanes(self, file: str) -> dict[str, str | None]:
        """Flow node id → name of its lane, for one BPMN file."""
        if file not in self._lanes:
            # Same rule as BpmnParser._add_diagram_indexes: flowNodeRef text → enclosing lane's name.
            self._lanes[file] = {
                ref.text: ref.getparent().get("name")
                for ref in self.parsed.trees.bpmn[file].iter(namespaces.tag("flowNodeRef"))
                if ref.text is not None
            }
        return self._lanes[file]
