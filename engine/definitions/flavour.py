"""Which SpiffWorkflow parser reads a bundle: Camunda-flavoured (our own diagrams) or Spiff.

Decided per bundle, not per file, because one parser instance must resolve call activities and
decisions across all files; the two dialects name decisions and forms differently.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from engine.definitions import namespaces

CAMUNDA = "camunda"
SPIFF = "spiff"

_USES_NS = "boolean(//*[namespace-uri()=$ns] | //@*[namespace-uri()=$ns])"


def uses_namespace(tree: etree._ElementTree | etree._Element, ns: str) -> bool:
    """True if an element or attribute is in `ns`; a merely declared prefix does not count."""
    # Evaluated afresh each time: a compiled etree.XPath must not be shared between threads.
    return bool(tree.xpath(_USES_NS, ns=ns))


def flavour_of(trees: Iterable[etree._ElementTree | etree._Element]) -> str:
    """"spiff" if any BPMN tree uses the spiffworkflow namespace, else "camunda"."""
    return SPIFF if any(uses_namespace(t, namespaces.SPIFF) for t in trees) else CAMUNDA
