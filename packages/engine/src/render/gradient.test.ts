import type { SKRSContext2D } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { verticalStrip } from './gradient.js';
import { skia } from './skia.js';

describe('verticalStrip', () => {
  it('fills like the gradient it stands for, upright on the frame, within 2/255', () => {
    const stops = [
      [0, '#6b4a36'],
      [0.35, '#3d2a20'],
      [1, '#1a120d'],
    ] as const;
    const draw = (fill: (ctx: SKRSContext2D) => void) => {
      const canvas = skia().createCanvas(160, 200);
      const ctx = canvas.getContext('2d', { alpha: false });
      ctx.fillStyle = '#e0d0c0';
      ctx.fillRect(0, 0, 160, 200);
      // A frame's head transform: scale, a fractional offset, a little roll.
      ctx.setTransform(0.83, 0, 0, 0.83, 80.37, 110.21);
      ctx.rotate(0.035);
      ctx.beginPath();
      ctx.ellipse(0, 0, 80, 125, 0.2, 0, Math.PI * 2);
      fill(ctx);
      return ctx.getImageData(0, 0, 160, 200).data;
    };
    // The gradient under the transform's scale, not its roll, with the strip's middle (x 0.5, y -5)
    // where the turned transform puts it. (The path is already in place: the transform moves only the fill.)
    const gradient = draw((ctx) => {
      const { a, b, c, d, e, f } = ctx.getTransform();
      const s = Math.hypot(a, b);
      const [ax, ay] = [0.5, -5];
      ctx.setTransform(s, 0, 0, s, a * ax + c * ay + e - s * ax, b * ax + d * ay + f - s * ay);
      const g = ctx.createLinearGradient(0, -100, 0, 90);
      for (const [t, colour] of stops) g.addColorStop(t, colour);
      ctx.fillStyle = g;
      ctx.fill();
    });
    let strip: ReturnType<typeof verticalStrip> | undefined;
    const pattern = draw((ctx) => (strip ??= verticalStrip(ctx, -100, 90, stops)).fill(ctx));
    let worst = 0;
    for (let i = 0; i < gradient.length; i++) worst = Math.max(worst, Math.abs(gradient[i]! - pattern[i]!));
    expect(worst).toBeLessThanOrEqual(2);
    // The ellipse reaches past both ends of the gradient, where its end colours hold.
    expect(pattern[(5 * 160 + 80) * 4]).toBe(gradient[(5 * 160 + 80) * 4]);
  });
});
