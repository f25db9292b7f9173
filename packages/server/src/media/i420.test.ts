import { describe, expect, it } from 'vitest';
import { PatchConverter, PatchedI420, toI420 } from './i420.js';

const W = 64;
const H = 48;

/** An RGBA frame of noise (a fixed generator, so the test is the same every run). */
function noise(seed: number): Uint8Array {
  const px = new Uint8Array(W * H * 4);
  let s = seed;
  for (let i = 0; i < px.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    px[i] = i % 4 === 3 ? 255 : s >>> 24;
  }
  return px;
}

/** The RGBA pixels of `rect` in `frame`, row-major. */
function crop(frame: Uint8Array, x: number, y: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let r = 0; r < h; r++)
    out.set(frame.subarray(((y + r) * W + x) * 4, ((y + r) * W + x + w) * 4), r * w * 4);
  return out;
}

describe('I420 patches', () => {
  it('pasted over the frame before, give the frame converted whole', () => {
    const converter = new PatchConverter();
    const frame = new PatchedI420(W, H);
    const first = noise(1);
    frame.paste(converter.convert({ rect: { x: 0, y: 0, width: W, height: H }, pixels: first }));
    const whole = new Uint8Array((W * H * 3) / 2);
    toI420(W, H, first, whole);
    expect(Buffer.compare(frame.data, whole)).toBe(0);

    // A box inside the frame, then a band as wide as the frame: each changes only its rectangle.
    const next = noise(2);
    for (const [x, y, w, h] of [
      [16, 8, 32, 24],
      [0, 16, W, 16],
    ] as const) {
      const expected = first.slice();
      for (let r = 0; r < h; r++) expected.set(crop(next, x, y + r, w, 1), ((y + r) * W + x) * 4);
      frame.paste(converter.convert({ rect: { x, y, width: w, height: h }, pixels: crop(next, x, y, w, h) }));
      toI420(W, H, expected, whole);
      expect(Buffer.compare(frame.data, whole), `${w}×${h} at ${x},${y}`).toBe(0);
      first.set(expected);
    }
  });

  it('refuses a patch off the even pixels or of the wrong size', () => {
    const frame = new PatchedI420(W, H);
    expect(() => frame.paste({ rect: { x: 1, y: 0, width: 2, height: 2 }, data: new Uint8Array(6) })).toThrow(
      /even pixels/,
    );
    expect(() => frame.paste({ rect: { x: 0, y: 0, width: 2, height: 2 }, data: new Uint8Array(5) })).toThrow(
      /needs 6 bytes/,
    );
    expect(() =>
      new PatchConverter().convert({ rect: { x: 0, y: 0, width: 3, height: 2 }, pixels: new Uint8Array(24) }),
    ).toThrow(/even pixels/);
  });
});
