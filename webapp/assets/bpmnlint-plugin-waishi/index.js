// bpmnlint plugin "waishi": `"extends": "plugin:waishi/recommended"` in a .bpmnlintrc enables
// these rules; a rule is named `waishi/<file name under rules/>`. CommonJS, as bpmnlint's
// resolver require()s plugins (the build bundles them with esbuild for the browser).
module.exports = {
  configs: {
    recommended: {
      rules: {
        'user-task-in-role-lane': 'error',
        'user-task-form-key': 'error',
        'exclusive-gateway-default': 'error'
      }
    }
  }
};
