// Builds the playground page into dist/: the page script and the microphone worklet (esbuild), and the
// static files. The server serves dist/ at `/` and the SDK's script-tag build at `/sdk/liveface.js`.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const common = {
  bundle: true,
  minify: true,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
};

mkdirSync(path('./dist'), { recursive: true });
await Promise.all([
  build({
    ...common,
    entryPoints: [path('./src/main.ts')],
    format: 'iife',
    outfile: path('./dist/playground.js'),
  }),
  build({
    ...common,
    entryPoints: [path('./src/mic-worklet.ts')],
    format: 'esm',
    outfile: path('./dist/mic-worklet.js'),
  }),
]);
for (const f of readdirSync(path('./static'))) copyFileSync(path(`./static/${f}`), path(`./dist/${f}`));
