import { describe, expect, it } from 'vitest';
import { BLINK_CLOSE_MS, BLINK_HOLD_MS, BLINK_MIN_GAP_MS, BLINK_OPEN_MS, BlinkGenerator } from './blink.js';
import { Rng } from './random.js';

interface Measured {
  startMs: number;
  closeMs: number;
  /** False for the second closure of a double blink (it starts from a half-open lid). */
  fromOpen: boolean;
  shutMs: number;
  openMs: number;
}

/** Steps a generator at 1 ms and measures every closure from the lid signal alone. */
function measure(seed: number, minutes: number): Measured[] {
  const g = new BlinkGenerator(new Rng(seed), 1);
  const out: Measured[] = [];
  let phase: 'open' | 'closing' | 'shut' | 'opening' = 'open';
  let t0 = 0;
  let tShut = 0;
  let tOpen = 0;
  let prev = 0;
  let fromOpen = true;
  for (let t = 0; t < minutes * 60_000; t++) {
    const c = g.update(t, 'idle');
    if (phase === 'open' && c > 0) [phase, t0, fromOpen] = ['closing', t - 1, true];
    else if (phase === 'closing' && c >= 1) [phase, tShut] = ['shut', t];
    else if (phase === 'shut' && c < 1) [phase, tOpen] = ['opening', t - 1];
    else if (phase === 'opening' && (c <= 0 || c > prev)) {
      out.push({ startMs: t0, closeMs: tShut - t0, fromOpen, shutMs: tOpen - tShut, openMs: t - tOpen });
      // A rise while reopening is the second closure of a double blink.
      if (c > prev) [phase, t0, fromOpen] = ['closing', t - 1, false];
      else phase = 'open';
    }
    prev = c;
  }
  return out;
}

describe('BlinkGenerator', () => {
  const blinks = measure(3, 10);

  it('closes in 60–80 ms, stays shut 0–40 ms and reopens in 120–180 ms', () => {
    expect(blinks.length).toBeGreaterThan(120);
    for (const b of blinks) {
      expect(b.closeMs).toBeLessThanOrEqual(BLINK_CLOSE_MS[1] + 1);
      expect(b.shutMs).toBeLessThanOrEqual(BLINK_HOLD_MS[1] + 1);
    }
    for (const b of blinks.filter((x) => x.fromOpen)) {
      expect(b.closeMs).toBeGreaterThanOrEqual(BLINK_CLOSE_MS[0] - 1);
      expect(b.closeMs).toBeLessThanOrEqual(BLINK_CLOSE_MS[1] + 1);
      expect(b.shutMs).toBeLessThanOrEqual(BLINK_HOLD_MS[1] + 1);
    }
    // Reopening is measured to full openness only when no second closure cuts it short.
    const full = blinks.filter((b, i) => (blinks[i + 1]?.startMs ?? Infinity) - b.startMs > 600);
    for (const b of full) {
      expect(b.openMs).toBeGreaterThanOrEqual(BLINK_OPEN_MS[0] - 1);
      expect(b.openMs).toBeLessThanOrEqual(BLINK_OPEN_MS[1] + 1);
    }
  });

  it('eases: closing accelerates, opening decelerates', () => {
    const g = new BlinkGenerator(new Rng(5), 1);
    const v: number[] = [];
    for (let t = 0; t < 20_000 && v.filter((x) => x >= 1).length === 0; t++) v.push(g.update(t, 'idle'));
    const start = v.findIndex((x) => x > 0);
    // Ease-in: after 30 % of the closing time the lid is well under 30 % closed.
    expect(v[start + Math.round(0.3 * BLINK_CLOSE_MS[0])]!).toBeLessThan(0.2);
  });

  it('makes ~10–15 % double blinks and keeps episodes ≥ 0.8 s apart', () => {
    const many = measure(4, 30);
    let doubles = 0;
    let episodes = 0;
    let lastEpisode = -Infinity;
    for (let i = 0; i < many.length; i++) {
      const gap = many[i]!.startMs - (many[i - 1]?.startMs ?? -Infinity);
      if (gap < 400) doubles++;
      else {
        episodes++;
        expect(many[i]!.startMs - lastEpisode).toBeGreaterThanOrEqual(BLINK_MIN_GAP_MS - 1);
        lastEpisode = many[i]!.startMs;
      }
    }
    const share = doubles / episodes;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.18);
  });

  it('has log-normal-like intervals: right-skewed, none under the minimum gap', () => {
    const starts = blinks.map((b) => b.startMs);
    const gaps = starts
      .slice(1)
      .map((s, i) => s - starts[i]!)
      .filter((g) => g >= 400);
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(median);
    expect(sorted[0]!).toBeGreaterThanOrEqual(BLINK_MIN_GAP_MS - 1);
  });

  it('blinks on request, but not within the minimum gap', () => {
    const g = new BlinkGenerator(new Rng(1), 1, { idle: 0.001, listening: 0.001, talking: 0.001 });
    let closed = 0;
    for (let t = 0; t < 2000; t++) {
      if (t === 100 || t === 600) g.trigger(t);
      if (g.update(t, 'idle') >= 1 && closed === 0) closed = t;
    }
    expect(closed).toBeGreaterThan(100);
    expect(closed).toBeLessThan(200);
    expect(g.blinkCount).toBeLessThanOrEqual(2); // the 600 ms request falls inside the gap (a double is allowed)
  });

  it('lands full closure on a frame at 25 fps', () => {
    const g = new BlinkGenerator(new Rng(8), 40);
    let shutFrames = 0;
    for (let i = 0; i < 1500; i++) if (g.update(i * 40, 'idle') >= 1) shutFrames++;
    expect(shutFrames).toBeGreaterThanOrEqual(g.blinkCount);
  });
});
