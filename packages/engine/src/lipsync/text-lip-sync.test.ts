/**
 * Text-aware lip-sync: alignment unit tests, closures inside their words, chunking invariance and a
 * regression floor on a small held-out slice (espeak-ng WASM at test time, voices never trained on,
 * word timings from espeak's WORD events). Deterministic; nothing is timed.
 */
import { describe, expect, it } from 'vitest';
import { type MouthEstimator } from '../scheduler/frame-scheduler.js';
import { VISEME_CLASSES, type MouthFrame } from '../types.js';
import { isClosedMouth } from './exporters.js';
import { pronounceWord } from './g2p.js';
import { buildGroundTruth, type GroundTruth } from './ground-truth.js';
import { LipSyncScorer } from './metrics.js';
import { CLASS_INDEX } from './phone-classes.js';
import {
  TextLipSync,
  spreadProportionally,
  viterbiAlign,
  type AlignUnit,
  type TimedWord,
} from './text-lip-sync.js';

interface CorpusItem {
  voice: string;
  rateWpm: number;
  sentence: number;
  text: string;
}
interface Utterance {
  item: CorpusItem;
  samples: Int16Array;
  gt: GroundTruth;
  words: Array<Required<TimedWord>>;
}
interface CorpusModule {
  corpusItems(split: 'test'): CorpusItem[];
  synthesize(items: CorpusItem[], build: typeof buildGroundTruth): AsyncIterable<Utterance>;
}

// A variable specifier keeps the GPL dev tool out of the type graph of the engine.
const CORPUS = new URL('../../../../scripts/lipsync/corpus.mjs', import.meta.url).href;

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

  it('covers the audio with frames even with no words', () => {
    const est = new TextLipSync({ fps: 25, words: '' });
    const frames = run(est, new Int16Array(24_000), []);
    expect(frames).toHaveLength(25);
    expect(frames.every((f, k) => f.ptsMs === k * 40)).toBe(true);
  });
});

describe('text-aware lip-sync on held-out espeak voices (f3, klatt4, m7)', () => {
  it('places closures inside their words, is chunk-invariant and keeps accuracy above its floors', async () => {
    const corpus = (await import(CORPUS)) as CorpusModule;
    const voices = new Set(['en-us+f3', 'en-us+klatt4', 'en-us+m7']);
    const items = corpus
      .corpusItems('test')
      .filter((it) => voices.has(it.voice) && it.rateWpm === 175 && it.sentence % 20 < 10);
    expect(items.length).toBeGreaterThanOrEqual(20);
    const timed = new LipSyncScorer();
    const untimed = new LipSyncScorer();
    let n = 0;
    let bilabialWords = 0;
    let closedInside = 0;
    for await (const u of corpus.synthesize(items, buildGroundTruth)) {
      const f25 = run(new TextLipSync({ fps: 25, words: u.words }), u.samples, [24_000]);
      const f100 = run(new TextLipSync({ fps: 100, words: u.words }), u.samples, [24_000]);
      timed.addFrames(u.gt, f25, 40);
      timed.addOpenness(
        u.gt,
        f100.map((f) => f.params.jawOpen),
      );
      untimed.addFrames(u.gt, run(new TextLipSync({ fps: 25, words: u.item.text }), u.samples, []), 40);
      untimed.addOpenness(
        u.gt,
        run(new TextLipSync({ fps: 100, words: u.item.text }), u.samples, []).map((f) => f.params.jawOpen),
      );
      // Every word with /p b m/ shows a closed mouth inside its span.
      for (const w of u.words) {
        if (!pronounceWord(w.text)?.phones.some((p) => p === 'P' || p === 'B' || p === 'M')) continue;
        bilabialWords++;
        if (f100.some((f) => f.ptsMs >= w.startMs && f.ptsMs < w.endMs && isClosedMouth(f.params)))
          closedInside++;
      }
      if (n++ < 2) {
        // Chunking never changes the output (odd chunk sizes, both modes).
        const sizes = [1, 777, 4800, 13, 24_000, 2401];
        for (const words of [u.words, u.item.text]) {
          const a = run(new TextLipSync({ fps: 30, words }), u.samples, []);
          const b = run(new TextLipSync({ fps: 30, words }), u.samples, sizes);
          expect(b).toEqual(a);
        }
      }
    }
    expect(closedInside / bilabialWords).toBeGreaterThan(0.97);
    const t = timed.result();
    const v = untimed.result();
    const summary = {
      timed: { acc9: t.acc9, acc5: t.acc5, ppRecall: t.ppRecall, openR: t.openR, lagMs: t.lagMs },
      untimed: { acc9: v.acc9, acc5: v.acc5, ppRecall: v.ppRecall, openR: v.openR, lagMs: v.lagMs },
    };
    for (const [s, floor] of [
      [summary.timed, FLOORS.timed],
      [summary.untimed, FLOORS.untimed],
    ] as const) {
      expect(s.acc9).toBeGreaterThan(floor.acc9);
      expect(s.acc5).toBeGreaterThan(floor.acc5);
      expect(s.ppRecall).toBeGreaterThan(floor.ppRecall);
      expect(s.openR).toBeGreaterThan(floor.openR);
      expect(Math.abs(s.lagMs)).toBeLessThanOrEqual(20);
    }
  });
});

// Measured on this slice: with word timings acc9 0.848, acc5 0.876, ppRecall 1.000, openR 0.851, lag −3 ms;
// text only acc9 0.867, acc5 0.893, ppRecall 1.000, openR 0.853, lag −2 ms; 204/204 /p b m/ words closed
// inside their span. Floors are 0.03 under (the full benchmark: docs/benchmarks.md).
const FLOORS = {
  timed: { acc9: 0.818, acc5: 0.846, ppRecall: 0.97, openR: 0.82 },
  untimed: { acc9: 0.837, acc5: 0.863, ppRecall: 0.97, openR: 0.82 },
};
