"""Labels for case-data fields, taken from the form files of a deployed version (form-js JSON):
`label` is the Chinese label; an English one may be given as the component's custom property
`label_en` (form-js "properties"). Options of selects, radios and checklists label their values
the same way (`label_en` beside `label` in each value). Cached per content hash: versions are
immutable."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.places.options import built_in
from engine.queries import computed_labels
from engine.storage.models import DefinitionBlob, DefinitionFile


@dataclass(frozen=True)
class Label:
    zh: str
    en: str | None = None

    def text(self, lang: str) -> str | None:
        """The label in `lang`, or None when there is none in that language."""
        return (self.en or None) if lang.startswith("en") else self.zh


@dataclass(frozen=True)
class FieldLabels:
    fields: dict[str, Label] = field(default_factory=dict)
    options: dict[str, dict[str, Label]] = field(default_factory=dict)  # field key -> value -> label
    computed: dict[str, Label] = field(default_factory=dict)  # what the processes compute (no form asks)


_cache: OrderedDict[str, FieldLabels] = OrderedDict()
_lock = threading.Lock()
_CAPACITY = 256


def field_labels(session: Session, version_id: int, content_hash: str) -> FieldLabels:
    with _lock:
        hit = _cache.get(content_hash)
        if hit is not None:
            _cache.move_to_end(content_hash)
            return hit
    blobs = session.scalars(select(DefinitionBlob.content).join(
        DefinitionFile, DefinitionFile.sha256 == DefinitionBlob.sha256)
        .where(DefinitionFile.version_id == version_id, DefinitionFile.kind == "form")
        .order_by(DefinitionFile.name))
    labels = FieldLabels()
    for content in blobs:
        try:
            schema = json.loads(content)
        except ValueError:
            continue  # deploy validated the forms; a broken one only loses its labels here
        _walk(schema.get("components") if isinstance(schema, dict) else None, labels)
    _add_computed(labels)
    with _lock:
        _cache[content_hash] = labels
        while len(_cache) > _CAPACITY:
            _cache.popitem(last=False)
    return labels


def _walk(components: Any, labels: FieldLabels) -> None:
    if not isinstance(components, list):
        return
    for comp in components:
        if not isinstance(comp, dict):
            continue
        # A group or dynamic list binds its `path`; a datetime is labelled by `dateLabel`/`timeLabel`.
        key = comp.get("key") or (comp.get("path") if comp.get("type") in ("group", "dynamiclist") else None)
        label = comp.get("label") or comp.get("dateLabel") or comp.get("timeLabel")
        props = comp.get("properties") if isinstance(comp.get("properties"), dict) else {}
        if isinstance(key, str) and isinstance(label, str) and label and key not in labels.fields:
            en = props.get("label_en")
            labels.fields[key] = Label(label, en if isinstance(en, str) else None)
        values = comp.get("values")
        if isinstance(comp.get("valuesKey"), str):  # countries and nationalities (engine/places)
            values = built_in(comp["valuesKey"])
            values = list(values) if values is not None else None
        if isinstance(key, str) and isinstance(values, list):
            opts = labels.options.setdefault(key, {})
            for v in values:
                if isinstance(v, dict) and isinstance(v.get("label"), str) and "value" in v:
                    en = v.get("label_en")
                    opts.setdefault(str(v["value"]), Label(v["label"], en if isinstance(en, str) else None))
        _walk(comp.get("components"), labels)


def _add_computed(labels: FieldLabels) -> None:
    """The shipped processes' computed fields, where no form of the version labels them."""
    for key, (zh, en) in computed_labels.FIELDS.items():
        if key not in labels.fields:
            labels.computed[key] = Label(zh, en)
        elif not labels.fields[key].en:  # a form labels it in Chinese only
            labels.fields[key] = Label(labels.fields[key].zh, en)
    for key, values in computed_labels.VALUES.items():
        opts = labels.options.setdefault(key, {})
        for value, (zh, en) in values.items():
            opts.setdefault(value, Label(zh, en))
