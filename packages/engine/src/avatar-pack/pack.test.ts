import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { restPose, type AvatarPose } from '../types.js';
import { VISEME_TEMPLATES } from '../visemes.js';
import { PackError, parseManifest } from './manifest.js';
import { createPackRenderer } from './pack-renderer.js';

const W = 400;
const H = 400;
/** Draws one test layer: transparent except for what `draw` paints. */
function png(draw: (ctx: ReturnType<ReturnType<typeof createCanvas>['getContext']>) => void): Uint8Array {
  const c = createCanvas(W, H);
  draw(c.getContext('2d'));
  return c.toBuffer('image/png');
}
const files = new Map<string, Uint8Array>([
  [
    'base.png',
    png((g) => {
      g.fillStyle = '#3a4a6a';
      g.fillRect(0, 0, W, H);
      g.fillStyle = '#e0b090';
      g.beginPath();
      g.ellipse(200, 180, 110, 140, 0, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = '#222';
      g.beginPath();
      g.arc(160, 150, 12, 0, Math.PI * 2);
      g.arc(240, 150, 12, 0, Math.PI * 2);
      g.fill();
    }),
  ],
  [
    'mouth-closed.png',
    png((g) => {
      g.fillStyle = '#a04040';
      g.fillRect(170, 250, 60, 6);
    }),
  ],
  [
    'mouth-open.png',
    png((g) => {
      g.fillStyle = '#401010';
      g.beginPath();
      g.ellipse(200, 255, 32, 26, 0, 0, Math.PI * 2);
      g.fill();
    }),
  ],
  [
    'eyes-closed.png',
    png((g) => {
      g.fillStyle = '#d0a080';
      g.fillRect(140, 130, 40, 40);
      g.fillRect(220, 130, 40, 40);
    }),
  ],
]);
const manifest = parseManifest({
  format: 'liveface-avatar-pack/1',
  id: '5f0c2f4e-0b39-4a53-9f0e-2b8d6f1c7a10',
  name: 'Test pack',
  size: [W, H],
  layers: {
    base: 'base.png',
    eyesClosed: 'eyes-closed.png',
    mouth: { SIL: 'mouth-closed.png', AA: 'mouth-open.png' },
  },
  headPivot: [200, 320],
});

/** Mean absolute RGB difference inside a box of the output. */
function regionDiff(
  a: Uint8Array,
  b: Uint8Array,
  width: number,
  box: [number, number, number, number],
): number {
  const [x0, y0, x1, y1] = box;
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 4;
      sum += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
      n += 3;
    }
  }
  return sum / n;
}
const pose = (over: Partial<AvatarPose>): AvatarPose => ({ ...restPose(), ...over });

describe('avatar packs', () => {
  it('fills missing mouth classes from similar ones and validates fields', () => {
    expect(manifest.layers.mouth.E).toBe('mouth-open.png');
    expect(manifest.layers.mouth.PP).toBe('mouth-closed.png');
    expect(() =>
      parseManifest({
        format: 'liveface-avatar-pack/1',
        id: 'x',
        name: 'y',
        size: [1, 1],
        layers: { base: 'b', mouth: { SIL: 'a' } },
      }),
    ).toThrow(/at least SIL/);
    expect(() => parseManifest({ format: 'nope' })).toThrow(PackError);
  });

  it('opens the mouth with jawOpen and closes the eyes with a blink', async () => {
    const r = await createPackRenderer(manifest, files, { width: 400, height: 400 });
    const closed = r.render(pose({})).slice();
    const open = r.render(pose({ mouth: { ...VISEME_TEMPLATES.AA } })).slice();
    const blink = r.render(pose({ eyeClose: { left: 1, right: 1 } })).slice();
    expect(regionDiff(closed, open, 400, [160, 225, 240, 285])).toBeGreaterThan(20);
    expect(regionDiff(closed, open, 400, [140, 130, 260, 170])).toBe(0);
    expect(regionDiff(closed, blink, 400, [140, 130, 260, 170])).toBeGreaterThan(20);
  });

  it('tweens between drawings instead of popping', async () => {
    const r = await createPackRenderer(manifest, files, { width: 400, height: 400 });
    const at = (jaw: number) =>
      r
        .render(
          pose({
            mouth: { ...VISEME_TEMPLATES.SIL, jawOpen: jaw, teethShow: jaw / 2, lipClose: 0.2 * (1 - jaw) },
          }),
        )
        .slice();
    const frames = [0, 0.25, 0.5, 0.75, 1].map(at);
    const steps = frames.slice(1).map((f, i) => regionDiff(frames[i]!, f, 400, [160, 225, 240, 285]));
    const total = regionDiff(frames[0]!, frames[4]!, 400, [160, 225, 240, 285]);
    expect(Math.max(...steps)).toBeLessThan(total * 0.8);
  });

  it('renders any output size and reports bad layers clearly', async () => {
    const r = await createPackRenderer(manifest, files, { width: 640, height: 360 });
    expect(r.render(restPose()).length).toBe(640 * 360 * 4);
    const broken = new Map(files);
    broken.set('mouth-open.png', new Uint8Array([1, 2, 3]));
    await expect(createPackRenderer(manifest, broken, { width: 64, height: 64 })).rejects.toThrow(
      /mouth-open.png/,
    );
    const missing = new Map(files);
    missing.delete('base.png');
    await expect(createPackRenderer(manifest, missing, { width: 64, height: 64 })).rejects.toThrow(
      /missing layer file base.png/,
    );
  });
});
