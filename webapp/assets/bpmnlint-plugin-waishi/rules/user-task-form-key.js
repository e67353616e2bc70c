// waishi/user-task-form-key: every user task names its form with camunda:formKey (the id of a
// forms/*.form file; the engine's deploy check also verifies that the form exists).
const { is } = require('bpmnlint-utils');

module.exports = function() {

  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) {
      return;
    }
    // With the camunda moddle extension the attribute is node.formKey; without it, a generic $attrs entry.
    const attrs = node.$attrs || {};
    const key = node.formKey || attrs['camunda:formKey'] ||
      attrs['{http://camunda.org/schema/1.0/bpmn}formKey'];
    if (!key || !String(key).trim()) {
      reporter.report(node.id, 'User task has no form key (camunda:formKey)', [ 'formKey' ]);
    }
  }

  return { check };
};
