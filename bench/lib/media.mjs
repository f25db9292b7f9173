// @ts-check
/**
 * The transport tests' media helpers (`tests/helpers/media.ts`: `syllables`, `mouthBox`,
 * `mouthOpenness`, `rms`, `toBase64`) for the plain-JS benches, so a bench measures the mouth exactly
 * as the tests do. esbuild strips the types into a per-process file under node_modules/.cache (where
 * `@liveface/*` resolve to the built packages); the file is removed once imported.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const src = fileURLToPath(new URL('../../tests/helpers/media.ts', import.meta.url));
const out = fileURLToPath(
  new URL(`../../node_modules/.cache/liveface-bench/media-${process.pid}.mjs`, import.meta.url),
);
mkdirSync(new URL('../../node_modules/.cache/liveface-bench/', import.meta.url), { recursive: true });
await build({
  entryPoints: [src],
  outfile: out,
  bundle: true,
  packages: 'external',
  format: 'esm',
  platform: 'node',
  logLevel: 'warning',
});
/** @type {typeof import('../../tests/helpers/media.js')} */
const media = await import(pathToFileURL(out).href);
rmSync(out, { force: true });

export const { syllables, toBase64, mouthBox, mouthOpenness, rms } = media;
