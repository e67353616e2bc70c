// Builds the browser assets into webapp/static/vendor/ (git-ignored) from node_modules, which
// `npm ci --ignore-scripts` installs from package-lock.json. Run by `make vendor` (part of
// `make install`); run it again after changing package.json or anything in webapp/assets/.
//
//   node webapp/assets/build.mjs
//   WAISHI_SOURCEMAP=1 node webapp/assets/build.mjs       # also vendor/modeler/waishi-modeler.js.map
//   WAISHI_METAFILE=/tmp/meta.json node webapp/assets/build.mjs   # esbuild's metafile (what is in the bundle)
//
// 1. webapp/assets/.bpmnlintrc is compiled with bpmnlint's compile-config into an ES module that
//    imports every enabled rule (bpmnlint's own and bpmnlint-plugin-waishi's, the local plugin in
//    webapp/assets/bpmnlint-plugin-waishi/, linked into node_modules by its `file:` devDependency);
//    the bundle imports it as the virtual module `waishi:bpmnlint-config`.
// 2. esbuild bundles webapp/assets/modeler-entry.js (IIFE, global `WaishiModeler`, minified,
//    es2020, no source map unless WAISHI_SOURCEMAP=1) to vendor/modeler/waishi-modeler.js.
// 3. The CSS and fonts the modeler, properties panel, token simulation, lint, dmn-js and the form-js
//    editor need are copied to vendor/modeler/, with the bundled packages' licences (LICENSES.txt).
// 4. copy-vendor.mjs copies the prebuilt bpmn-js viewer to vendor/bpmn-js/ and writes the stamp
//    vendor/.installed that `make vendor` checks (last, so a failed build leaves no stamp).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const modules = join(root, 'node_modules');
const out = join(root, 'webapp', 'static', 'vendor', 'modeler');
const requireRoot = createRequire(join(root, 'package.json'));
const started = Date.now();

if (!existsSync(join(modules, 'esbuild')) || !existsSync(join(modules, 'bpmnlint-plugin-waishi'))) {
  console.error('vendor: node_modules is missing or stale (run npm ci --no-audit --no-fund --ignore-scripts first)');
  process.exit(1);
}
const { build } = requireRoot('esbuild');

// -- 1. the lint configuration ---------------------------------------------------------------------
const compileConfig = requireRoot('bpmnlint/lib/support/compile-config');
const NodeResolver = requireRoot('bpmnlint/lib/resolver/node-resolver');
const lintrc = JSON.parse(readFileSync(join(here, '.bpmnlintrc'), 'utf8'));
const lintCode = await compileConfig(lintrc, new NodeResolver({ require: requireRoot }));
const lintRules = [ ...lintCode.matchAll(/cache\['([^']+)'\]/g) ].map((m) => m[1]);
for (const rule of [ 'user-task-in-role-lane', 'user-task-form-key', 'exclusive-gateway-default' ]) {
  if (!lintRules.includes(`bpmnlint-plugin-waishi/${rule}`)) {
    throw new Error(`vendor: lint rule waishi/${rule} is not in the compiled configuration`);
  }
}

const lintConfigPlugin = {
  name: 'waishi-bpmnlint-config',
  setup(b) {
    b.onResolve({ filter: /^waishi:bpmnlint-config$/ }, () => ({ path: 'config', namespace: 'waishi-lint' }));
    b.onLoad({ filter: /.*/, namespace: 'waishi-lint' }, () => ({
      contents: lintCode, loader: 'js', resolveDir: root
    }));
  }
};

// -- the form editor's own preact ------------------------------------------------------------------
// @bpmn-io/form-js-editor 1.23 requires preact <=10.15.1 (newer preact breaks its drag and drop,
// bpmn-io/form-js#760) and npm nests that copy in its node_modules, while @bpmn-io/form-js-viewer,
// whose components the editor renders, resolves the top-level preact 10.29 (diagram-js-ui's).
// Hooks work only within one preact instance, so every import of preact from the form-js packages
// is resolved to the editor's copy. The BPMN properties panel is unaffected: @bpmn-io/properties-panel
// ships its own preact (bpmn-js-properties-panel imports @bpmn-io/properties-panel/preact).
const formEditorDir = join(modules, '@bpmn-io', 'form-js-editor');
const formJsPackages = join(modules, '@bpmn-io', 'form-js');  // form-js, form-js-editor, -viewer, -playground

const formPreactPlugin = {
  name: 'waishi-form-preact',
  setup(b) {
    if (!existsSync(join(formEditorDir, 'node_modules', 'preact'))) {
      return; // npm hoisted a preact the editor accepts: nothing to redirect
    }
    b.onResolve({ filter: /^preact(\/|$)/ }, (args) => {
      if (!args.importer.startsWith(formJsPackages) || (args.pluginData && args.pluginData.formPreact)) {
        return undefined;
      }
      return b.resolve(args.path, { kind: args.kind, resolveDir: formEditorDir, pluginData: { formPreact: true } });
    });
  }
};

// -- 2. the bundle ---------------------------------------------------------------------------------
const versionOf = (pkg) => JSON.parse(readFileSync(join(modules, ...pkg.split('/'), 'package.json'), 'utf8')).version;
const versions = Object.fromEntries([
  'bpmn-js', 'bpmn-js-properties-panel', '@bpmn-io/properties-panel', 'camunda-bpmn-moddle',
  'camunda-bpmn-js-behaviors', 'bpmn-js-token-simulation', 'bpmn-js-bpmnlint', 'bpmnlint', 'bpmn-js-i18n',
  'bpmn-js-differ', 'bpmn-moddle', 'dmn-js', '@bpmn-io/form-js'
].map((p) => [ p, versionOf(p) ]));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const sourcemap = process.env.WAISHI_SOURCEMAP === '1';
const result = await build({
  absWorkingDir: root,
  entryPoints: [ join(here, 'modeler-entry.js') ],
  outfile: join(out, 'waishi-modeler.js'),
  bundle: true,
  format: 'iife',
  globalName: 'WaishiModeler',
  platform: 'browser',
  target: [ 'es2020' ],
  minify: true,
  sourcemap: sourcemap ? 'linked' : false,
  legalComments: 'none', // the licences are in LICENSES.txt beside the bundle
  define: { __WAISHI_VERSIONS__: JSON.stringify(versions), 'process.env.NODE_ENV': '"production"' },
  plugins: [ lintConfigPlugin, formPreactPlugin ],
  metafile: true,
  logLevel: 'warning'
});

if (process.env.WAISHI_METAFILE) { // esbuild's metafile, e.g. for https://esbuild.github.io/analyze/
  writeFileSync(process.env.WAISHI_METAFILE, JSON.stringify(result.metafile));
}

// -- 3. CSS, fonts, licences -----------------------------------------------------------------------
// [source under node_modules, target under vendor/modeler]
const ASSETS = [
  [ 'bpmn-js/dist/assets/diagram-js.css', 'diagram-js.css' ],
  [ 'bpmn-js/dist/assets/bpmn-js.css', 'bpmn-js.css' ],
  [ 'bpmn-js/dist/assets/bpmn-font', 'bpmn-font' ],
  [ '@bpmn-io/properties-panel/dist/assets/properties-panel.css', 'properties-panel.css' ],
  [ 'bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css', 'bpmn-js-token-simulation.css' ],
  [ 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css', 'bpmn-js-bpmnlint.css' ],
  // dmn-js: dmn-js-shared, -drd, -decision-table(-controls), -literal-expression,
  // -boxed-expression(-controls), its diagram-js.css and dmn-font
  [ 'dmn-js/dist/assets', 'dmn-js' ],
  // form-js: form-js.css (the rendered fields, flatpickr included), form-js-editor-base.css +
  // draggle.css (the editor); form-js-editor.css is those plus form-js's own older copy of the
  // properties panel CSS: on a page that also has the BPMN panel use ../properties-panel.css instead.
  [ '@bpmn-io/form-js/dist/assets/form-js.css', 'form-js/form-js.css' ],
  [ '@bpmn-io/form-js/dist/assets/form-js-base.css', 'form-js/form-js-base.css' ],
  [ '@bpmn-io/form-js/dist/assets/form-js-editor.css', 'form-js/form-js-editor.css' ],
  [ '@bpmn-io/form-js/dist/assets/form-js-editor-base.css', 'form-js/form-js-editor-base.css' ],
  [ '@bpmn-io/form-js/dist/assets/draggle.css', 'form-js/draggle.css' ],
  [ '@bpmn-io/form-js/dist/assets/flatpickr', 'form-js/flatpickr' ]
];
for (const [ src, dst ] of ASSETS) {
  mkdirSync(dirname(join(out, dst)), { recursive: true });
  cpSync(join(modules, src), join(out, dst), { recursive: true });
}
cpSync(join(here, 'waishi-modeler.css'), join(out, 'waishi-modeler.css'));

// The licence of every npm package with code in the bundle (bpmn.io licence: keep the watermark).
const bundled = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const path = input.replace(/^[a-z-]+:/, '').split(sep).join('/');
  const at = path.lastIndexOf('node_modules/');
  const pkg = at >= 0 && path.slice(at).match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (pkg) {
    bundled.add(path.slice(0, at) + pkg[0].slice(0, -1));
  }
}
const licences = [];
for (const pkgDir of [ ...bundled ].sort()) {
  const dir = pkgDir.startsWith('/') ? pkgDir : join(root, pkgDir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  licences.push(`== ${pkg.name} ${pkg.version} (${pkg.license || 'see below'})\n\n` +
    (file ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file in the package)') + '\n');
}
writeFileSync(join(out, 'LICENSES.txt'),
  'Licences of the npm packages bundled into waishi-modeler.js (webapp/assets/build.mjs).\n' +
  'bpmn-js, dmn-js and form-js: the bpmn.io licence requires the bpmn.io watermark to stay fully visible.\n\n' +
  licences.join('\n'));

const size = (f) => statSync(join(out, f)).size;
console.log(`vendor: modeler bundle ${(size('waishi-modeler.js') / 1024).toFixed(0)} KiB` +
  `${sourcemap ? ' (+ source map)' : ''}, ${lintRules.length} lint rules, ${bundled.size} packages, ` +
  `in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// -- 4. the prebuilt viewer and the stamp ---------------------------------------------------------
await import('./copy-vendor.mjs');
