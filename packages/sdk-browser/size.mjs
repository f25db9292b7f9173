// Prints the size of each SDK build, raw and gzipped (`npm run size:sdk` after `npm run build`).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

for (const file of ['liveface.mjs', 'liveface.js']) {
  const url = new URL(`./dist/${file}`, import.meta.url);
  let bytes;
  try {
    bytes = readFileSync(url);
  } catch {
    console.error(`dist/${file} is missing: run npm run build first.`);
    process.exitCode = 1;
    continue;
  }
  const gz = gzipSync(bytes, { level: 9 }).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `@liveface/sdk-browser dist/${file.padEnd(13)} ${kb(bytes.length).padStart(9)}  gzip ${kb(gz)}`,
  );
}
