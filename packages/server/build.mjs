// After `tsc -b`, bundles what starts on every `liveface render` into single ES modules, so a process
// loads one file instead of dozens (docs/benchmarks.md, offline render):
// - the render worker (media/render-worker.ts and the engine's renderer it imports):
//   dist/media/render-worker.bundle.js; a worker starts ~20 ms of CPU sooner;
// - the render command (offline/render-command.ts, the engine's lip-sync and scheduler, the encoder):
//   dist/offline/render-command.bundle.js; ~30 ms less on the main thread. It shares the render pool
//   and the frame ring with the CLI, which loads them first to start the workers early.
// Native addons stay packages, loaded by `require` (Skia, the WebRTC binding).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

/** `dist/<from>.js` and what it imports, into `dist/<from>.bundle.js`; native addons stay packages. */
const bundle = (from, options = {}) =>
  build({
    entryPoints: [path(`./dist/${from}.js`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@napi-rs/canvas', '@roamhq/wrtc'],
    outfile: path(`./dist/${from}.bundle.js`),
    logLevel: 'warning',
    ...options,
  });

/** The bundle imports these from their files, as the CLI does, so the process has one copy of each. */
const sharedWithCli = {
  name: 'shared-with-cli',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/media\/(render-pool|frame-ring)\.js$/ }, (a) => ({
      path: a.path,
      external: true,
    }));
  },
};

await bundle('media/render-worker');
await bundle('offline/render-command', { plugins: [sharedWithCli] });
