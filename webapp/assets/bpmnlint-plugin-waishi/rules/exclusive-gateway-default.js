// waishi/exclusive-gateway-default: an exclusive gateway that splits with conditions has a default
// flow (otherwise the case stops with an error when no condition holds), and its default flow is
// one of its outgoing flows. Same rule as the engine's deploy check (engine/definitions/rules.py
// _gateway_default).
const { is } = require('bpmnlint-utils');

module.exports = function() {

  function check(node, reporter) {
    if (!is(node, 'bpmn:ExclusiveGateway')) {
      return;
    }
    const outgoing = outgoingFlows(node);
    const defaultFlow = node['default'];
    if (defaultFlow && !outgoing.includes(defaultFlow)) {
      reporter.report(node.id, 'Default flow is not an outgoing flow of the gateway', [ 'default' ]);
    }
    const conditional = outgoing.some((flow) => !!flow.conditionExpression);
    if (!defaultFlow && conditional && outgoing.length > 1) {
      reporter.report(node.id, 'Gateway with conditions has no default flow', [ 'default' ]);
    }
  }

  return { check };
};

// The gateway's outgoing sequence flows, from the flows' sourceRef: files written by hand or by a
// generator often have no <bpmn:outgoing> elements, so node.outgoing may be empty.
function outgoingFlows(node) {
  const siblings = (node.$parent && node.$parent.flowElements) || [];
  const flows = siblings.filter((el) => is(el, 'bpmn:SequenceFlow') && el.sourceRef === node);
  for (const flow of node.outgoing || []) {
    if (!flows.includes(flow)) {
      flows.push(flow);
    }
  }
  return flows;
}
