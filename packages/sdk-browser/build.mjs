// Bundles the SDK with esbuild: an ES module (`dist/liveface.mjs`) and a script-tag build that sets the
// global `Liveface` (`dist/liveface.js`). Type declarations come from `tsc -b` (emitDeclarationOnly).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

const common = {
  entryPoints: [path('./src/index.ts')],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, format: 'esm', outfile: path('./dist/liveface.mjs') }),
  build({
    ...common,
    format: 'iife',
    globalName: 'Liveface',
    outfile: path('./dist/liveface.js'),
  }),
]);
