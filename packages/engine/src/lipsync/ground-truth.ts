/**
 * Ground truth for training and scoring lip-sync: timed phones (e.g. espeak-ng phoneme events) → visual
 * class intervals with the stop-closure shift, and the smoothed openness target (research notes §3.2–3.3).
 */
import { type VisemeClass } from '../types.js';
import { CLASS_OPENNESS, isStop, phoneSegments } from './phone-classes.js';

/** A phone starting at `ms` (it ends where the next one starts). */
export interface PhoneEvent {
  ipa: string;
  ms: number;
}

/** A stretch of audio with one visual class. */
export interface ClassSpan {
  cls: VisemeClass;
  startMs: number;
  endMs: number;
}

/** Class intervals of one utterance plus its /p b m/ phones (for ppRecall). */
export interface GroundTruth {
  spans: ClassSpan[];
  bilabials: Array<{ startMs: number; endMs: number }>;
  durationMs: number;
}

/** Largest closure we look for before a burst. */
const MAX_CLOSURE_MS = 120;
/** Closure assumed for voiced stops, whose closure is voiced and so not silent (§3.2). */
const VOICED_CLOSURE_MS = 40;
/** |sample| below this (≈ −60 dBFS) counts as the digital silence of a voiceless closure. */
const SILENCE_LEVEL = 32;

/** Length (ms) of the silent run that ends within 5 ms before `ms`. */
function silentGapMs(audio: Int16Array, sampleRateHz: number, ms: number): number {
  const perMs = sampleRateHz / 1000;
  let i = Math.min(audio.length - 1, Math.round(ms * perMs));
  const searchEnd = Math.max(0, i - Math.round(5 * perMs));
  while (i > searchEnd && Math.abs(audio[i]!) >= SILENCE_LEVEL) i--;
  const runEnd = i;
  const limit = Math.max(0, runEnd - Math.round(MAX_CLOSURE_MS * perMs));
  while (i > limit && Math.abs(audio[i]!) < SILENCE_LEVEL) i--;
  return (runEnd - i) / perMs;
}

/**
 * Builds class spans from timed phones. Each stop's onset moves back to the start of its closure: the
 * silent gap before a voiceless burst, or 40 ms for voiced stops, capped at half the previous phone.
 */
export function buildGroundTruth(
  events: readonly PhoneEvent[],
  durationMs: number,
  audio: Int16Array,
  sampleRateHz: number,
): GroundTruth {
  const starts = events.map((e) => e.ms);
  for (let i = 1; i < events.length; i++) {
    const ev = events[i]!;
    if (!isStop(ev.ipa)) continue;
    const prevStart = starts[i - 1]!;
    const gap = silentGapMs(audio, sampleRateHz, ev.ms);
    const shift = Math.min(gap >= 10 ? gap : VOICED_CLOSURE_MS, (ev.ms - prevStart) / 2);
    starts[i] = ev.ms - Math.max(0, shift);
  }
  const spans: ClassSpan[] = [];
  const bilabials: GroundTruth['bilabials'] = [];
  const push = (cls: VisemeClass, startMs: number, endMs: number): void => {
    if (endMs <= startMs) return;
    const last = spans[spans.length - 1];
    if (last && last.cls === cls && last.endMs === startMs) last.endMs = endMs;
    else spans.push({ cls, startMs, endMs });
  };
  push('SIL', 0, starts[0] ?? durationMs);
  for (let i = 0; i < events.length; i++) {
    const start = starts[i]!;
    const end = Math.min(durationMs, i + 1 < events.length ? starts[i + 1]! : durationMs);
    if (end <= start) continue;
    const segs = phoneSegments(events[i]!.ipa);
    const total = segs.reduce((a, s) => a + s.weight, 0);
    let t = start;
    for (const seg of segs) {
      const t1 = t + ((end - start) * seg.weight) / total;
      push(seg.cls, t, t1);
      t = t1;
    }
    if (segs.length === 1 && segs[0]!.cls === 'PP') bilabials.push({ startMs: start, endMs: end });
  }
  return { spans, bilabials, durationMs };
}

/** The class at time `ms` (SIL outside the utterance). */
export function classAt(gt: GroundTruth, ms: number): VisemeClass {
  const spans = gt.spans;
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (ms < s.startMs) hi = mid - 1;
    else if (ms >= s.endMs) lo = mid + 1;
    else return s.cls;
  }
  return 'SIL';
}

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): enough for a 0..1 openness target.
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return sign * y;
}

/** Openness target at each time: class openness convolved with a Gaussian, σ = 25 ms (§3.3). */
export function opennessAt(gt: GroundTruth, timesMs: ArrayLike<number>, sigmaMs = 25): Float32Array {
  const out = new Float32Array(timesMs.length);
  const k = 1 / (Math.SQRT2 * sigmaMs);
  for (let i = 0; i < timesMs.length; i++) {
    const t = timesMs[i]!;
    let acc = 0;
    for (const s of gt.spans) {
      if (s.endMs < t - 4 * sigmaMs || s.startMs > t + 4 * sigmaMs) continue;
      const o = CLASS_OPENNESS[s.cls];
      if (o === 0) continue;
      acc += (o * (erf((s.endMs - t) * k) - erf((s.startMs - t) * k))) / 2;
    }
    out[i] = acc;
  }
  return out;
}
