// Bundles the render worker (media/render-worker.ts and the engine's renderer it imports) into one ES
// module, dist/media/render-worker.bundle.js, after `tsc -b`: each render worker then loads one file
// instead of ~20 (a worker starts ~20 ms of CPU sooner; docs/benchmarks.md, offline render). Skia stays
// a package: it is a native addon, loaded by `require` (engine render/skia.ts).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

await build({
  entryPoints: [path('./dist/media/render-worker.js')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@napi-rs/canvas'],
  outfile: path('./dist/media/render-worker.bundle.js'),
  logLevel: 'warning',
});
