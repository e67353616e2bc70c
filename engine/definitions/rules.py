"""Waishi's own modelling rules, stricter than SpiffWorkflow: who does each user task, with which
form, which decision a rule task uses, and references between processes."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from engine.definitions import flavour, namespaces
from engine.definitions.context import Context
from engine.definitions.parsing import decisions_of
from engine.definitions.problems import BUNDLE, CALL, DECISION, FORM, GATEWAY, LANE, TASK, problem
from engine.errors import Problem
from engine.roles import ROLES, TASK_ROLES

_SUBPROCESS_TAGS = {namespaces.tag(t) for t in ("subProcess", "transaction", "adHocSubProcess")}


def check_bundle(ctx: Context) -> Iterator[Problem]:
    if not ctx.executable:
        yield problem(BUNDLE, "定义中没有可执行流程（isExecutable=\"true\" 的 bpmn:process）",
                      "the definition has no executable process (a bpmn:process with isExecutable=\"true\")")


def check_dialects(ctx: Context) -> Iterator[Problem]:
    """A Spiff bundle is read by SpiffBpmnParser as a whole; say what that means for its files."""
    if ctx.flavour != flavour.SPIFF:
        return
    for file, tree in ctx.parsed.trees.bpmn.items():
        if not flavour.uses_namespace(tree, namespaces.SPIFF):
            yield problem(BUNDLE,
                          "本定义含 spiffworkflow 扩展，因此整体用 Spiff 解析器读取；"
                          "此文件未用该扩展，单独部署时会改用 Camunda 解析器，二者行为可能不同",
                          "the bundle uses spiffworkflow extensions, so all of it is read with the Spiff "
                          "parser; this file does not use them and would be read with the Camunda parser "
                          "if deployed on its own", file=file, warning=True)
        if flavour.uses_namespace(tree, namespaces.CAMUNDA):
            yield problem(BUNDLE, "Spiff 解析器忽略 camunda: 扩展（如 decisionRef、formData）",
                          "the Spiff parser ignores camunda: extensions (decisionRef, formData, …)",
                          file=file, warning=True)


def check_lanes(ctx: Context) -> Iterator[Problem]:
    allowed = ", ".join(sorted(TASK_ROLES))
    for info, task in ctx.elements("userTask"):
        lane = effective_lane(task, ctx.lanes(info.file))
        if lane is None:
            yield problem(LANE, f"用户任务不在任何泳道中；泳道名称须为角色代码之一：{allowed}",
                          f"the user task is not in a lane; lanes must be named with a role code: {allowed}",
                          file=info.file, el=task)
        elif lane not in TASK_ROLES:
            role = ROLES.get(lane)
            why_zh = f"“{lane}”（{role[0]}）不能办理任务" if role else f"“{lane}” 不是角色代码"
            why_en = f"'{lane}' ({role[1]}) may not own tasks" if role else f"'{lane}' is not a role code"
            yield problem(LANE, f"用户任务所在泳道名称 {why_zh}；允许的角色代码：{allowed}",
                          f"the user task's lane name {why_en}; allowed role codes: {allowed}",
                          file=info.file, el=task, lane=lane)


def effective_lane(task: etree._Element, lanes: dict[str, str | None]) -> str | None:
    """The lane SpiffWorkflow gives `task`: an enclosing subprocess's lane wins over the task's own
    (its parsers pass a subprocess's lane down to everything inside it)."""
    chain = [a for a in task.iterancestors() if a.tag in _SUBPROCESS_TAGS]
    for node in [*reversed(chain), task]:
        lane = lanes.get(node.get("id") or "")
        if lane is not None:
            return lane
    return None


def check_forms(ctx: Context) -> Iterator[Problem]:
    yield from ctx.forms.problems
    available = set(ctx.forms.by_id) | ctx.known_forms
    listing = ", ".join(sorted(available)) or "—"
    for info, task in ctx.elements("userTask"):
        key = task.get(f"{{{namespaces.CAMUNDA}}}formKey")
        if key is None or not key.strip():
            yield problem(FORM, "用户任务没有 camunda:formKey，无法确定要显示的表单",
                          "the user task has no camunda:formKey, so there is no form to show",
                          file=info.file, el=task)
        elif key not in available:
            yield problem(FORM, f"camunda:formKey “{key}” 不是已知表单的 id；可用表单：{listing}",
                          f"camunda:formKey '{key}' is not the id of a known form; available: {listing}",
                          file=info.file, el=task, form=key)


def check_decisions(ctx: Context) -> Iterator[Problem]:
    declared = {d.get("id") for tree in ctx.parsed.trees.dmn.values() for d in decisions_of(tree)}
    listing = ", ".join(sorted(i for i in declared if i)) or "—"
    for info, task in ctx.elements("businessRuleTask"):
        ref, attr = decision_ref(task, ctx.flavour)
        if not ref:
            yield problem(DECISION, f"业务规则任务没有指定决策（{attr}）",
                          f"the business rule task names no decision ({attr})", file=info.file, el=task)
        elif ref not in declared:
            yield problem(DECISION,
                          f"业务规则任务引用的决策 “{ref}” 不在本定义的 DMN 文件中；现有决策：{listing}",
                          f"the business rule task uses decision '{ref}', which is in none of the bundle's "
                          f"DMN files; available: {listing}", file=info.file, el=task, decision=ref)


def decision_ref(task: etree._Element, dialect: str) -> tuple[str | None, str]:
    """The decision id a business rule task names, read the way the bundle's parser reads it."""
    if dialect == flavour.SPIFF:
        node = task.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", namespaces.NSMAP)
        ref = node.text.strip() if node is not None and node.text else None
        return ref, "spiffworkflow:calledDecisionId"
    return task.get(f"{{{namespaces.CAMUNDA}}}decisionRef"), "camunda:decisionRef"


def check_gateways(ctx: Context) -> Iterator[Problem]:
    for info in ctx.executable:
        outgoing = _outgoing(info.element)
        for el in info.element.iter():
            if not isinstance(el.tag, str) or not el.get("id"):
                continue
            flows = outgoing.get(el.get("id"), [])
            if el.tag in (namespaces.tag("exclusiveGateway"), namespaces.tag("inclusiveGateway")):
                yield from _gateway_default(info.file, el, flows)
            elif el.tag != namespaces.tag("complexGateway"):
                yield from _ignored_conditions(info.file, el, flows)


def _outgoing(process: etree._Element) -> dict[str, list[etree._Element]]:
    out: dict[str, list[etree._Element]] = {}
    for flow in process.iter(namespaces.tag("sequenceFlow")):
        out.setdefault(flow.get("sourceRef") or "", []).append(flow)
    return out


def _gateway_default(file: str, gateway: etree._Element, flows: list[etree._Element]) -> Iterator[Problem]:
    default = gateway.get("default")
    if default is not None and default not in {f.get("id") for f in flows}:
        yield problem(GATEWAY, f"网关的默认流 “{default}” 不是它的出口顺序流",
                      f"the gateway's default flow '{default}' is not one of its outgoing flows",
                      file=file, el=gateway)
    conditional = [f for f in flows if f.find(namespaces.tag("conditionExpression")) is not None]
    if default is None and conditional and len(flows) > 1:
        yield problem(GATEWAY, "网关有条件出口但没有默认流：若所有条件都不成立，流程将停在此处（报错）",
                      "the gateway has conditional outgoing flows but no default flow: "
                      "if no condition holds, the case stops here with an error",
                      file=file, el=gateway, warning=True)


def _ignored_conditions(file: str, el: etree._Element, flows: list[etree._Element]) -> Iterator[Problem]:
    for flow in flows:
        if flow.find(namespaces.tag("conditionExpression")) is not None:
            # SpiffWorkflow only evaluates conditions on gateway outputs; elsewhere they are dropped.
            yield problem(GATEWAY, "非网关元素出口上的条件会被 SpiffWorkflow 忽略，请改用排他网关",
                          "a condition on a flow leaving a non-gateway element is ignored by SpiffWorkflow; "
                          "use an exclusive gateway", file=file, el=flow, warning=True)


def check_call_activities(ctx: Context) -> Iterator[Problem]:
    by_id = {p.process_id: p for p in ctx.processes if p.process_id}
    for info, call in ctx.elements("callActivity"):
        target = call.get("calledElement")
        if not target:
            yield problem(CALL, "调用活动没有 calledElement", "the call activity has no calledElement",
                          file=info.file, el=call)
        elif target not in by_id:
            yield problem(CALL, f"调用活动调用的流程 “{target}” 不在本定义中",
                          f"the call activity calls process '{target}', which is not in the bundle",
                          file=info.file, el=call, target=target)
        elif not by_id[target].executable:
            yield problem(CALL, f"调用活动调用的流程 “{target}” 标为不可执行（isExecutable=\"false\"）",
                          f"the call activity calls process '{target}', "
                          "which is marked isExecutable=\"false\"",
                          file=info.file, el=call, target=target)


def check_task_types(ctx: Context) -> Iterator[Problem]:
    for local in ("manualTask", "task"):
        for info, el in ctx.elements(local):
            yield problem(
                TASK,
                f"SpiffWorkflow 把 {local} 当作需要有人办理的任务，但它没有表单；"
                "请改用放在角色泳道中的用户任务",
                f"SpiffWorkflow treats a {local} as work someone must complete, but it has no form; "
                "use a user task in a role lane instead", file=info.file, el=el, warning=True,
            )
    for info, el in ctx.elements("serviceTask"):
        yield problem(TASK, "服务任务在 SpiffWorkflow 中不会自行完成，流程会一直等待",
                      "a service task never completes on its own in SpiffWorkflow; "
                      "the case would wait forever",
                      file=info.file, el=el, warning=True)
