// The role codes a user task's lane may be named after: engine/roles.py TASK_ROLES (the lane of a
// user task is the role that may claim it). tests/browser/test_vendor_bundle.py checks the two agree.
module.exports = [
  'unit_clerk',
  'unit_head',
  'fao_clerk',
  'section_chief',
  'fao_director',
  'leader_in_charge'
];
