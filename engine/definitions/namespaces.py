"""XML namespaces of the diagram dialects we read."""

from __future__ import annotations

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
SVG = "http://www.w3.org/2000/svg"
XHTML = "http://www.w3.org/1999/xhtml"

# DMN model namespaces by version. SpiffWorkflow's DMN parser is namespace-agnostic (it maps
# whatever the root declares to `dmn:`), but it only ships XSDs for 1.1–1.3.
DMN_VERSIONS: dict[str, str] = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}

NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "camunda": CAMUNDA, "spiffworkflow": SPIFF}


def tag(local: str, ns: str = BPMN) -> str:
    return f"{{{ns}}}{local}"
