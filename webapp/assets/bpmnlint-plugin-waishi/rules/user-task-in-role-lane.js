// waishi/user-task-in-role-lane: every user task lies in a lane named with a role code that may own
// tasks (./roles.js). The lane is found the way the engine finds it (engine/definitions/rules.py
// check_lanes / effective_lane): a lane's flowNodeRef lists the nodes in it, the innermost lane wins,
// and an enclosing sub-process's lane wins over the task's own.
const { is } = require('bpmnlint-utils');
const ROLES = require('./roles');

module.exports = function() {

  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) {
      return;
    }
    const lane = effectiveLane(node);
    if (lane === undefined) {
      reporter.report(node.id, 'User task is not in a lane named with a role code', [ 'lanes' ]);
    } else if (!ROLES.includes(lane)) {
      reporter.report(node.id, 'Lane name is not a task role code', [ 'lanes' ]);
    }
  }

  return { check };
};

// The name of the lane the engine gives `task` (undefined: in no lane).
function effectiveLane(task) {
  const chain = [];
  let process = task.$parent;
  while (process && !is(process, 'bpmn:Process')) {
    if (is(process, 'bpmn:SubProcess')) {
      chain.unshift(process);
    }
    process = process.$parent;
  }
  if (!process) {
    return undefined;
  }
  const lanes = laneNames(process);
  for (const node of [ ...chain, task ]) {
    if (lanes.has(node.id)) {
      return lanes.get(node.id);
    }
  }
  return undefined;
}

// flow node id -> (trimmed) name of its innermost lane, for one process.
function laneNames(process) {
  const names = new Map();
  const visit = (laneSet) => {
    for (const lane of (laneSet && laneSet.lanes) || []) {
      for (const ref of lane.flowNodeRef || []) {
        names.set(ref.id, (lane.name || '').trim());
      }
      visit(lane.childLaneSet);
    }
  };
  for (const laneSet of process.laneSets || []) {
    visit(laneSet);
  }
  return names;
}
