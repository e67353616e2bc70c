"""Parsed specs, cached in-process by content hash. The stored case state never holds the spec;
every load gets it from here, so a spec is parsed once per process and version."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy.orm import Session

from engine.definitions.bundle import DefinitionBundle
from engine.definitions.flows import diagram_index
from engine.definitions.parsing import load_specs
from engine.errors import DefinitionInvalid
from engine.forms.model import FormSpec
from engine.forms.parse import load_form_spec
from engine.runtime.effects import LoadedSpec
from engine.storage.models import DefinitionVersion


def bundle_of(version: DefinitionVersion) -> DefinitionBundle:
    bundle = DefinitionBundle(bpmn={}, dmn={}, forms={})
    kinds = {"bpmn": bundle.bpmn, "dmn": bundle.dmn, "form": bundle.forms}
    for f in version.files:
        kinds[f.kind][f.name] = f.blob.content
    return bundle


class SpecCache:
    def __init__(self, capacity: int = 256) -> None:
        self._items: OrderedDict[tuple[str, str], LoadedSpec] = OrderedDict()
        self._capacity = capacity
        self._by_id: dict[int, LoadedSpec] = {}
        self._forms: dict[int, dict[str, FormSpec]] = {}
        self._lock = threading.Lock()

    def for_version_id(self, session: Session, version_id: int) -> LoadedSpec:
        """The spec of a version row, without touching the database when it is cached: versions
        are immutable, so an id seen once maps to the same content for the life of the database."""
        with self._lock:
            hit = self._by_id.get(version_id)
        if hit is not None:
            return hit
        version = session.get(DefinitionVersion, version_id)
        loaded = self.get(version)
        with self._lock:
            self._by_id[version_id] = loaded
        return loaded

    def form_for(self, session: Session, version_id: int, form_key: str) -> FormSpec | None:
        """The form of a version whose `id` is `form_key` (a user task's formKey), or None.
        All the version's forms are parsed on first use; like the version, they never change."""
        with self._lock:
            forms = self._forms.get(version_id)
        if forms is None:
            version = session.get(DefinitionVersion, version_id)
            if version is None:
                return None
            forms = {}
            for f in version.files:
                if f.kind == "form":
                    spec = load_form_spec(f.blob.content, f.name)
                    forms[spec.id] = spec
            with self._lock:
                self._forms[version_id] = forms
        return forms.get(form_key)

    def get(self, version: DefinitionVersion) -> LoadedSpec:
        key = (version.process_id, version.content_hash)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        loaded = self._parse(version)
        with self._lock:
            self._items[key] = loaded
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return loaded

    @staticmethod
    def _parse(version: DefinitionVersion) -> LoadedSpec:
        parsed = load_specs(bundle_of(version))
        if parsed.problems:
            raise DefinitionInvalid(parsed.problems)
        spec, subprocess_specs = parsed.get_spec(version.process_id)
        return LoadedSpec(spec, subprocess_specs, parsed.flavour,
                          diagram_index(parsed.trees.bpmn, version.process_id))
