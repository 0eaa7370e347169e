// Build the browser assets into api/static/vendor (generated, gitignored): the bpmn-js
// navigated viewer as shipped, and our modeler bundle (bpmn-js Modeler + properties panel +
// the spiffworkflow:properties editor). Run by `npm run build` (from `make install`).
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const out = join(here, '..', 'vendor');
const modules = join(root, 'node_modules');
const ID = JSON.parse(readFileSync(join(here, 'translations-id.json'), 'utf8'));

// Two libraries write a few texts without bpmn-js's translate service: diagram-js's popup menu
// (its search count) and the properties panel's components that drop the `translate` they are
// given (their fallback). Both are pointed at the dictionary at build time; the build fails if
// a library's text moved, so an upgrade cannot bring English back silently.
const translateModule = JSON.stringify(join(here, 'translate-id.js'));
const PATCHES = [
  {
    filter: /diagram-js[\\/]lib[\\/]features[\\/]popup-menu[\\/]PopupMenuComponent\.js$/,
    replace: [
      ["${ entriesToShow.length } ${ entriesToShow.length === 1 ? 'result' : 'results' } found",
        ID['{count} results found'].replace('{count}', '${ entriesToShow.length }')],
      ["aria-label=\"${ title || 'Search' }\"", `aria-label="\${ title || '${ID.Search}' }"`],
    ],
  },
  {
    filter: /@bpmn-io[\\/]properties-panel[\\/]dist[\\/]index\.esm\.js$/,
    prefix: `import { translate as alurTranslate } from ${translateModule};\n`,
    replace: [
      ['function translateFallback(template, replacements) {\n',
        'function translateFallback(template, replacements) {\n'
        + '  return alurTranslate(template, replacements);\n'],
    ],
  },
];
const untranslatedTexts = {
  name: 'untranslated-texts',
  setup(bundle) {
    for (const patch of PATCHES) {
      bundle.onLoad({ filter: patch.filter }, ({ path }) => {
        let source = readFileSync(path, 'utf8');
        for (const [english, indonesian] of patch.replace) {
          if (!source.includes(english)) throw new Error(`${path}: text not found: ${english}`);
          source = source.replace(english, indonesian);
        }
        return { contents: (patch.prefix || '') + source, loader: 'js', resolveDir: dirname(path) };
      });
    }
  },
};

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
  plugins: [untranslatedTexts],
  logLevel: 'warning',
});
writeFileSync(join(out, '.built'), new Date().toISOString() + '\n');
console.log(`assets built into ${out}`);
