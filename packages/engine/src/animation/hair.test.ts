import { describe, expect, it } from 'vitest';
import { NEUTRAL_MOUTH } from '../types.js';
import { Animator } from './animator.js';
import { HairMotion } from './hair.js';
import type { HeadSample } from './head.js';
import { SwingSpring } from './springs.js';

const FRAME_MS = 40;
const still = (): HeadSample => ({ yaw: 0, pitch: 0, roll: 0, brow: 0, offsetX: 0, offsetY: 0 });
/** A 200 ms eased roll of `deg` starting at frame 10, then held. */
const rollStep = (deg: number) => (i: number) => {
  const u = Math.min(1, Math.max(0, (i - 10) / 5));
  return { ...still(), roll: deg * u * u * (3 - 2 * u) };
};

function run(head: (i: number) => HeadSample, frames: number): { x: number; y: number }[] {
  const hair = new HairMotion();
  return Array.from({ length: frames }, (_, i) => hair.update(head(i), i === 0 ? 0 : FRAME_MS));
}

describe('SwingSpring', () => {
  it('overshoots its target once in a while, rings down, and settles', () => {
    const s = new SwingSpring(0, 1, 0.3);
    const xs = Array.from({ length: 4000 }, () => s.step(1, 1));
    const peak = Math.max(...xs);
    // Overshoot of a damping ratio 0.3: e^(−πζ/√(1−ζ²)) ≈ 37 %.
    expect(peak).toBeGreaterThan(1.3);
    expect(peak).toBeLessThan(1.45);
    expect(Math.abs(xs.at(-1)! - 1)).toBeLessThan(0.01);
  });

  it('gives the same result for any step size (exact integration)', () => {
    const a = new SwingSpring(0, 1.3, 0.4);
    const b = new SwingSpring(0, 1.3, 0.4);
    for (let i = 0; i < 40; i++) a.step(1, 1);
    b.step(1, 40);
    expect(a.value).toBeCloseTo(b.value, 9);
    expect(a.velocityPerS).toBeCloseTo(b.velocityPerS, 9);
  });

  it('refuses a damping ratio outside (0, 1)', () => {
    expect(() => new SwingSpring(0, 1, 1)).toThrow(RangeError);
    expect(() => new SwingSpring(0, 1, 0)).toThrow(RangeError);
  });
});

describe('HairMotion', () => {
  it('hangs still while the head does', () => {
    for (const h of run(still, 100)) expect(h).toEqual({ x: 0, y: 0 });
    // A tilted head held still from the start: no lag either.
    for (const h of run(() => ({ ...still(), roll: 4, yaw: -3 }), 50)) {
      expect(Math.abs(h.x)).toBeLessThan(1e-9);
    }
  });

  it('trails a head roll, swings past, and settles within 3 s', () => {
    const lag = run(rollStep(5), 100).map((h) => h.x);
    // A clockwise roll carries rigid tips left (−x); loose tips stay behind, to the right (+x).
    const peak = Math.max(...lag.slice(10, 25));
    expect(peak).toBeGreaterThan(2);
    // Then they swing past the rigid position (one overshoot, smaller)…
    const swing = Math.min(...lag.slice(20, 60));
    expect(swing).toBeLessThan(-0.3);
    expect(-swing).toBeLessThan(peak * 0.7);
    // …and come to rest: 3 s after the move the lag is gone.
    for (const x of lag.slice(15 + 75)) expect(Math.abs(x)).toBeLessThan(0.05);
    // Mirror move, mirror lag.
    const mirrored = run(rollStep(-5), 100).map((h) => h.x);
    mirrored.forEach((x, i) => expect(x).toBeCloseTo(-lag[i]!, 9));
  });

  it('bounces after a nod and trails a turn', () => {
    const nod = run(
      (i) => ({ ...still(), pitch: i >= 10 && i < 20 ? 5 * Math.sin(((i - 10) / 10) * Math.PI) : 0 }),
      120,
    );
    expect(Math.max(...nod.map((h) => Math.abs(h.y)))).toBeGreaterThan(1);
    expect(Math.abs(nod.at(-1)!.y)).toBeLessThan(0.05);
    const turn = run((i) => ({ ...still(), yaw: i >= 10 ? 5 : 0 }), 30);
    // Turning right, the ends stay behind, to the left.
    expect(Math.min(...turn.map((h) => h.x))).toBeLessThan(-3);
  });

  it('never flings the hair further than its limit (a jump of the head)', () => {
    const lag = run((i) => ({ ...still(), roll: i >= 5 ? -40 : 0, offsetX: i >= 5 ? 0.2 : 0 }), 60);
    for (const h of lag) expect(Math.abs(h.x)).toBeLessThanOrEqual(24);
  });
});

describe('Animator: hair', () => {
  it('moves the hair with the head, a few units at most, deterministically', () => {
    const poses = (seed: number) => {
      const a = new Animator({ seed, fps: 25 });
      return Array.from({ length: 25 * 30 }, (_, i) =>
        a.step({
          ptsMs: i * FRAME_MS,
          state: i < 375 ? 'idle' : 'listening',
          mouth: NEUTRAL_MOUTH,
          loudness: 0,
        }),
      ).map((p) => p.hair);
    };
    const hair = poses(5);
    expect(poses(5)).toEqual(hair);
    const biggest = Math.max(...hair.map((h) => Math.hypot(h.x, h.y)));
    expect(biggest).toBeGreaterThan(0.5);
    expect(biggest).toBeLessThan(12);
  });
});
