/**
 * Text-aware lip-sync: alignment unit tests and the estimator's contract. Closures inside their words,
 * chunking invariance and the regression floors on the held-out espeak slice are in regression.test.ts,
 * which synthesises the slice once for both estimators. Deterministic; nothing is timed.
 */
import { describe, expect, it } from 'vitest';
import { type MouthEstimator } from '../scheduler/frame-scheduler.js';
import { VISEME_CLASSES, type MouthFrame } from '../types.js';
import { CLASS_INDEX } from './phone-classes.js';
import { TextLipSync, spreadProportionally, viterbiAlign, type AlignUnit } from './text-lip-sync.js';

function run(est: TextLipSync, samples: Int16Array, chunks: number[]): MouthFrame[] {
  const frames: MouthFrame[] = [];
  let o = 0;
  for (const n of chunks) {
    frames.push(...est.push(samples.subarray(o, o + n)));
    o += n;
  }
  frames.push(...est.push(samples.subarray(o)));
  frames.push(...est.flush());
  return frames;
}

const oneHot = (cls: number): Float32Array =>
  Float32Array.from(VISEME_CLASSES, (_, i) => (i === cls ? 0.9 : 0.1 / 8));

describe('viterbiAlign', () => {
  const units: AlignUnit[] = [
    { cls: 'SIL', weight: 0, minHops: 1, optional: true },
    { cls: 'PP', weight: 1, minHops: 2 },
    { cls: 'AA', weight: 1.6, minHops: 3 },
    { cls: 'PP', weight: 1, minHops: 2 },
    { cls: 'SIL', weight: 0, minHops: 1, optional: true },
  ];

  it('follows the posteriors and keeps the order', () => {
    const truth = [0, 0, 1, 1, 1, 5, 5, 5, 5, 5, 5, 1, 1, 1, 0, 0];
    const a = viterbiAlign(units, (h) => oneHot(truth[h]!), 0, truth.length);
    expect(Array.from(a!.labels)).toEqual(truth);
    expect(a!.score).toBeCloseTo(Math.log(0.9), 5);
  });

  it('enforces minimum durations and skips optional pauses', () => {
    // The audio says AA throughout: both closures still get their 2 hops, no SIL is used.
    const a = viterbiAlign(units, () => oneHot(CLASS_INDEX.AA), 0, 10);
    const l = Array.from(a!.labels);
    expect(l.filter((c) => c === CLASS_INDEX.PP)).toHaveLength(4);
    expect(l).not.toContain(CLASS_INDEX.SIL);
    expect(l[0]).toBe(CLASS_INDEX.PP);
    expect(l[9]).toBe(CLASS_INDEX.PP);
  });

  it('gives up on spans shorter than the phones; proportional spreading covers the span', () => {
    expect(viterbiAlign(units, () => oneHot(0), 0, 2)).toBeNull();
    expect(Array.from(spreadProportionally(units, 9))).toEqual([1, 1, 1, 5, 5, 5, 5, 1, 1]);
  });
});

describe('TextLipSync', () => {
  it('rejects a bad fps and treats words without timings as untimed', () => {
    expect(() => new TextLipSync({ fps: 0, words: 'hi' })).toThrow(RangeError);
    expect(new TextLipSync({ fps: 25, words: [{ text: 'hi', startMs: 0 }] }).timed).toBe(false);
    const est: MouthEstimator = new TextLipSync({ fps: 25, words: [{ text: 'hi', startMs: 0, endMs: 300 }] });
    expect((est as TextLipSync).timed).toBe(true);
  });

  it('takes streamed words only when made without words', () => {
    const streamed = new TextLipSync({ fps: 25 });
    expect(streamed.streamed && streamed.timed).toBe(true);
    expect(() => new TextLipSync({ fps: 25, words: 'hi' }).words([])).toThrow(/without words/);
    expect(new TextLipSync({ fps: 25, words: [] }).streamed).toBe(false);
  });

  it('streamed words: the tail after the last word waits for late words unless knownUntilMs covers it', () => {
    const est = new TextLipSync({ fps: 25 });
    est.words([{ text: 'hi', startMs: 100, endMs: 300 }]);
    // 1 s of audio: frames stop near the end of the word (+ the anticipation window), since a word
    // might still come for the audio after it.
    const first = est.push(new Int16Array(24_000));
    expect(first.length).toBeGreaterThan(4);
    expect(first.at(-1)!.ptsMs).toBeLessThan(300);
    // The TTS request ended at 1 s: every word before it is known, so its tail is final now.
    const more = est.words([], { knownUntilMs: 1000 });
    expect(more.at(-1)!.ptsMs).toBeGreaterThanOrEqual(880);
    const frames = [...first, ...more, ...est.flush()];
    expect(frames.map((f) => f.ptsMs)).toEqual(Array.from({ length: 25 }, (_, k) => k * 40));
  });

  it('streamed words: a bogus timing far past the audio does not hold back the frames before it', () => {
    const est = new TextLipSync({ fps: 25 });
    est.words([
      { text: 'hi', startMs: 100, endMs: 300 },
      { text: 'there', startMs: 60_000, endMs: 90_000 },
    ]);
    const frames = est.push(new Int16Array(24_000));
    expect(frames.at(-1)!.ptsMs).toBeGreaterThanOrEqual(880);
    expect([...frames, ...est.flush()]).toHaveLength(25);
  });

  it('covers the audio with frames even with no words', () => {
    const est = new TextLipSync({ fps: 25, words: '' });
    const frames = run(est, new Int16Array(24_000), []);
    expect(frames).toHaveLength(25);
    expect(frames.every((f, k) => f.ptsMs === k * 40)).toBe(true);
  });
});
