// Build the browser assets into api/static/vendor (generated, gitignored): the bpmn-js
// navigated viewer as shipped, and our modeler bundle (bpmn-js Modeler + properties panel +
// the spiffworkflow:properties editor). Run by `npm run build` (from `make install`).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const out = join(here, '..', 'vendor');
const modules = join(root, 'node_modules');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'bpmn-js'), { recursive: true });

const dist = join(modules, 'bpmn-js', 'dist');
cpSync(join(dist, 'bpmn-navigated-viewer.production.min.js'),
  join(out, 'bpmn-js', 'bpmn-navigated-viewer.js'));
cpSync(join(dist, 'assets'), join(out, 'bpmn-js', 'assets'), { recursive: true });

await build({
  entryPoints: { modeler: join(here, 'modeler.js'), 'modeler-styles': join(here, 'modeler.css') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  logLevel: 'warning',
});
writeFileSync(join(out, '.built'), new Date().toISOString() + '\n');
console.log(`assets built into ${out}`);
