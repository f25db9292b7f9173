// @ts-check
/**
 * Writes a picture of each built-in avatar, mid-sentence, to docs/images/avatar-<name>.png for the
 * README (640×360, the `low` landscape frame).
 *
 *   npm run docs:avatars
 */
import { createCanvas } from '@napi-rs/canvas';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../packages/engine/dist/', import.meta.url));
/** @type {typeof import('../packages/engine/src/index.js')} */
const engine = await import(join(ENGINE, 'index.js'));
const OUT = fileURLToPath(new URL('../docs/images/', import.meta.url));
mkdirSync(OUT, { recursive: true });

// Talking: half open on an "E", a little smile, eyes slightly to the side, head tilted.
const pose = engine.restPose();
pose.mouth = { ...engine.VISEME_TEMPLATES.E };
pose.smile = 0.35;
pose.gaze = { x: 0.15, y: -0.05 };
pose.browRaise = 0.25;
pose.head = { yaw: 4, pitch: 0, roll: 2.5 };
pose.breath = 0.5;

for (const avatar of engine.BUILTIN_AVATARS) {
  const r = engine.createRenderer({ avatarId: avatar.id, quality: 'low' });
  const canvas = createCanvas(r.width, r.height);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(r.width, r.height);
  img.data.set(r.render(pose));
  ctx.putImageData(img, 0, 0);
  const png = canvas.toBuffer('image/png');
  const file = join(OUT, `avatar-${avatar.name.toLowerCase()}.png`);
  writeFileSync(file, png);
  console.log(`${file}  ${r.width}×${r.height}  ${(png.length / 1024).toFixed(0)} KB`);
}
