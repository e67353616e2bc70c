// Copies the prebuilt browser files the pages use from node_modules (installed by
// `npm ci --ignore-scripts` from package-lock.json) into webapp/static/vendor/, which is
// git-ignored. No bundler: bpmn-js ships UMD bundles. Run by `make vendor` (part of
// `make install`, so of `make run` and `make test`); run it again after changing package.json.
//
//   node webapp/assets/copy-vendor.mjs
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modules = join(root, 'node_modules');
const out = join(root, 'webapp', 'static', 'vendor');

// [source under node_modules, target under static/vendor]
const FILES = [
  ['bpmn-js/dist/bpmn-navigated-viewer.production.min.js', 'bpmn-js/bpmn-navigated-viewer.production.min.js'],
  ['bpmn-js/dist/assets/diagram-js.css', 'bpmn-js/assets/diagram-js.css'],
  ['bpmn-js/dist/assets/bpmn-js.css', 'bpmn-js/assets/bpmn-js.css'],
  ['bpmn-js/dist/assets/bpmn-font', 'bpmn-js/assets/bpmn-font'],
  ['bpmn-js/LICENSE', 'bpmn-js/LICENSE'],
];

const missing = FILES.filter(([src]) => !existsSync(join(modules, src))).map(([src]) => src);
if (missing.length) {
  console.error(`vendor: missing in node_modules (run npm ci --ignore-scripts first): ${missing.join(', ')}`);
  process.exit(1);
}

rmSync(join(out, 'bpmn-js'), { recursive: true, force: true });
for (const [src, dst] of FILES) {
  mkdirSync(dirname(join(out, dst)), { recursive: true });
  cpSync(join(modules, src), join(out, dst), { recursive: true });
}
const version = JSON.parse(readFileSync(join(modules, 'bpmn-js', 'package.json'), 'utf8')).version;
writeFileSync(join(out, '.installed'), `bpmn-js ${version}\n`);
console.log(`vendor: bpmn-js ${version} copied to webapp/static/vendor/`);
