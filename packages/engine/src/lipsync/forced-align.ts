/**
 * Forced alignment for the text-aware lip-sync: a word's (or an utterance's) visual classes placed on
 * the 10 ms hops by Viterbi over the audio classifier's posteriors, with minimum durations and optional
 * pauses, and proportional spreading when the audio is too short or the path too unlikely.
 */
import type { VisemeClass } from '../types.js';
import { phonesToSegments, type WordPronunciation } from './g2p.js';
import { CLASS_INDEX } from './phone-classes.js';

const SIL = CLASS_INDEX.SIL;
/** One unit of an alignment: a visual class with a duration weight and a minimum length. */
export interface AlignUnit {
  cls: VisemeClass;
  weight: number;
  /** Fewest hops it may last (≥ 1). */
  minHops: number;
  /** May be skipped (a pause between words). */
  optional?: boolean;
}

/** Result of aligning units over hops [h0, h1). */
export interface Alignment {
  /** Class index per hop, length h1 − h0. */
  labels: Int8Array;
  /** Mean log posterior along the path (−Infinity if no path). */
  score: number;
}

const LOG_FLOOR = Math.log(1e-4);

/**
 * Viterbi forced alignment, left to right: every non-optional unit in order, each for at least
 * `minHops`, optional units may be skipped. `post(h)` is the audio posterior at hop h. Returns null
 * when the span is shorter than the units (the caller spreads proportionally).
 */
export function viterbiAlign(
  units: readonly AlignUnit[],
  post: (h: number) => ArrayLike<number>,
  h0: number,
  h1: number,
): Alignment | null {
  const T = h1 - h0;
  const required = units.filter((u) => !u.optional);
  if (T <= 0 || units.length === 0 || required.length > T) return null;
  // Shorten minimum durations when the span is too short for them.
  const need = required.reduce((a, u) => a + u.minHops, 0);
  const minOf = (u: AlignUnit): number => (need > T ? 1 : Math.max(1, u.minHops));
  // Expand each unit into a chain of min-duration sub-states; the last one loops.
  const cls: number[] = [];
  const unitOf: number[] = [];
  const first: number[] = []; // first sub-state of each unit
  const last: number[] = [];
  units.forEach((u, i) => {
    first.push(cls.length);
    for (let k = 0; k < minOf(u); k++) {
      cls.push(CLASS_INDEX[u.cls]);
      unitOf.push(i);
    }
    last.push(cls.length - 1);
  });
  const S = cls.length;
  const NEG = -Infinity;
  let prev = new Float64Array(S).fill(NEG);
  let cur = new Float64Array(S);
  const back = new Int32Array(T * S);
  const emit = (t: number, s: number): number => {
    const p = post(h0 + t)[cls[s]!]!;
    return p > 1e-4 ? Math.log(p) : LOG_FLOOR;
  };
  prev[first[0]!] = emit(0, first[0]!);
  back[first[0]!] = -1;
  if (units[0]!.optional && units.length > 1) {
    prev[first[1]!] = emit(0, first[1]!);
    back[first[1]!] = -1;
  }
  for (let t = 1; t < T; t++) {
    for (let s = 0; s < S; s++) {
      let best = NEG;
      let arg = -1;
      const u = unitOf[s]!;
      if (s === last[u] && prev[s]! > best) {
        best = prev[s]!;
        arg = s;
      }
      if (s > 0 && prev[s - 1]! > best) {
        best = prev[s - 1]!;
        arg = s - 1;
      }
      // Skip an optional unit: from the end of unit u − 2 into the start of unit u.
      if (s === first[u] && u >= 2 && units[u - 1]!.optional) {
        const from = last[u - 2]!;
        if (prev[from]! > best) {
          best = prev[from]!;
          arg = from;
        }
      }
      cur[s] = best === NEG ? NEG : best + emit(t, s);
      back[t * S + s] = arg;
    }
    [prev, cur] = [cur, prev];
  }
  let end = last[units.length - 1]!;
  if (units[units.length - 1]!.optional && units.length > 1 && prev[last[units.length - 2]!]! > prev[end]!)
    end = last[units.length - 2]!;
  if (prev[end] === NEG) return null;
  const labels = new Int8Array(T);
  let s = end;
  for (let t = T - 1; t >= 0; t--) {
    labels[t] = cls[s]!;
    s = back[t * S + s]!;
  }
  return { labels, score: prev[end]! / T };
}

/** Spreads units over T hops in proportion to their weights (optional units get nothing). */
export function spreadProportionally(units: readonly AlignUnit[], T: number): Int8Array {
  const labels = new Int8Array(T).fill(SIL);
  const used = units.filter((u) => !u.optional);
  const total = used.reduce((a, u) => a + u.weight, 0);
  if (total <= 0) return labels;
  let acc = 0;
  for (const u of used) {
    const a = Math.round((acc / total) * T);
    acc += u.weight;
    const b = Math.round((acc / total) * T);
    labels.fill(CLASS_INDEX[u.cls], a, b);
  }
  return labels;
}

/** Alignment units of one word's phones. */
export function wordUnits(w: WordPronunciation): AlignUnit[] {
  return phonesToSegments(w.phones).map((s) => ({
    cls: s.cls,
    weight: s.weight,
    // Vowels ≥ 30 ms, consonants and diphthong tails ≥ 20 ms.
    minHops: s.cls === 'AA' || s.cls === 'E' || s.cls === 'OU' || s.cls === 'I' ? (s.weight >= 1 ? 3 : 2) : 2,
  }));
}
