import { describe, expect, it } from 'vitest';
import { VISEME_CLASSES, type MouthFrame } from '../types.js';
import { FeatureExtractor } from './features.js';
import { LipSync, MAX_LOOKAHEAD_MS } from './lip-sync.js';

const RATE = 24_000;

/** A seeded pseudo-random stream of speech-like audio: harmonic vowels, noise bursts and gaps. */
function speechLike(seconds: number, seed = 1): Int16Array {
  let s = seed;
  const rand = (): number => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const out = new Int16Array(seconds * RATE);
  let i = 0;
  while (i < out.length) {
    const len = Math.floor((0.04 + rand() * 0.15) * RATE);
    const kind = rand();
    const f0 = 100 + rand() * 120;
    const amp = 3000 + rand() * 9000;
    for (let k = 0; k < len && i < out.length; k++, i++) {
      const t = i / RATE;
      if (kind < 0.55)
        out[i] =
          amp *
          (Math.sin(2 * Math.PI * f0 * t) * 0.6 +
            Math.sin(2 * Math.PI * 3 * f0 * t) * 0.3 +
            Math.sin(2 * Math.PI * 7 * f0 * t) * 0.1);
      else if (kind < 0.8) out[i] = (rand() - 0.5) * amp * 0.5;
      else out[i] = 0;
    }
  }
  return out;
}

/** A loud open vowel: a harmonic source shaped around /a/ formants (F1 ≈ 750 Hz, F2 ≈ 1200 Hz). */
function vowelA(seconds: number): Int16Array {
  const out = new Int16Array(seconds * RATE);
  const f0 = 120;
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    let v = 0;
    for (let h = 1; h * f0 < 4000; h++) {
      const f = h * f0;
      const gain =
        1 / (1 + ((f - 750) / 150) ** 2) +
        0.6 / (1 + ((f - 1200) / 180) ** 2) +
        0.15 / (1 + ((f - 2600) / 250) ** 2);
      v += gain * Math.sin(2 * Math.PI * f * t);
    }
    out[i] = Math.round(v * 6000);
  }
  return out;
}

function run(ls: LipSync, audio: Int16Array, chunks: number[]): MouthFrame[] {
  const frames: MouthFrame[] = [];
  let o = 0;
  for (const n of chunks) {
    frames.push(...ls.push(audio.subarray(o, o + n)));
    o += n;
  }
  frames.push(...ls.push(audio.subarray(o)));
  frames.push(...ls.flush());
  return frames;
}

describe('LipSync', () => {
  it('gives identical frames whatever the chunking (1 chunk vs 37 random-size chunks)', () => {
    const audio = speechLike(3);
    const one = run(new LipSync({ fps: 25 }), audio, []);
    let seed = 7;
    const cuts = Array.from(
      { length: 36 },
      () => ((seed = (seed * 48271) % 2147483647), seed / 2147483647),
    ).map((r) => Math.floor(r * 4000));
    const many = run(new LipSync({ fps: 25 }), audio, cuts);
    expect(cuts.reduce((a, b) => a + b, 0)).toBeLessThan(audio.length);
    expect(many).toEqual(one);
    expect(one).toHaveLength(75);
    expect(one.map((f) => f.ptsMs)).toEqual(Array.from({ length: 75 }, (_, k) => k * 40));
  });

  it('emits a frame only once its lookahead (≤ 40 ms past the centre) is in', () => {
    const ls = new LipSync({ fps: 25 });
    expect(ls.lookaheadMs).toBeLessThanOrEqual(MAX_LOOKAHEAD_MS);
    const audio = speechLike(1);
    // Frame k (centre 40k + 20 ms) needs audio up to 40k + 20 + lookahead.
    const ms = 500;
    const frames = ls.push(audio.subarray(0, (ms * RATE) / 1000));
    const last = frames[frames.length - 1]!;
    expect(last.ptsMs + 20 + ls.lookaheadMs).toBeLessThanOrEqual(ms);
    expect(last.ptsMs + 40 + 20 + ls.lookaheadMs).toBeGreaterThan(ms);
  });

  it('reset() starts a new stream that repeats the first exactly', () => {
    const ls = new LipSync({ fps: 30 });
    const audio = speechLike(2, 3);
    const a = run(ls, audio, [5000]);
    ls.reset();
    const b = run(ls, audio, [777, 10_000]);
    expect(b).toEqual(a);
  });

  it('maps silence to SIL and a closed, still mouth', () => {
    const frames = run(new LipSync({ fps: 25 }), new Int16Array(RATE), []);
    expect(frames).toHaveLength(25);
    for (const f of frames) {
      expect(VISEME_CLASSES[f.posterior.indexOf(Math.max(...f.posterior))]).toBe('SIL');
      expect(f.params.jawOpen).toBeLessThan(0.05);
      expect(f.loudness).toBe(0);
    }
  });

  it('opens the jaw wide on a loud open vowel', () => {
    const audio = new Int16Array(RATE);
    audio.set(vowelA(0.6), RATE * 0.2);
    const frames = run(new LipSync({ fps: 25 }), audio, []);
    const mid = frames.filter((f) => f.ptsMs >= 400 && f.ptsMs < 700);
    const jaw = mid.reduce((a, f) => a + f.params.jawOpen, 0) / mid.length;
    expect(jaw).toBeGreaterThan(0.5);
    expect(mid.every((f) => f.loudness > 0.7)).toBe(true);
    const before = frames.filter((f) => f.ptsMs < 120);
    expect(Math.max(...before.map((f) => f.params.jawOpen))).toBeLessThan(0.05);
  });

  it('keeps posteriors normalised and params in 0..1', () => {
    for (const f of run(new LipSync({ fps: 25 }), speechLike(2, 9), [12_345])) {
      expect(f.posterior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (const v of Object.values(f.params)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('FeatureExtractor', () => {
  it('emits one frame per 10 ms hop, once the 32 ms window is complete', () => {
    const fx = new FeatureExtractor(new Float64Array(12));
    const hops: number[] = [];
    fx.push(new Int16Array(383), (f) => hops.push(f.hop));
    expect(hops).toEqual([]);
    fx.push(new Int16Array(1), (f) => hops.push(f.hop));
    expect(hops).toEqual([0]);
    fx.push(new Int16Array(2400), (f) => hops.push(f.hop));
    expect(hops).toHaveLength(11);
  });
});
