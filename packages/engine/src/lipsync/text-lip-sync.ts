/**
 * Text-aware lip-sync (research notes §2.3, §6a "Text-aware path"): the utterance's words → phones
 * (g2p.ts) → visual classes, placed in time by Viterbi forced alignment on the audio classifier's
 * per-10-ms posteriors, then anticipation rules, then the same springs + closure rule and the same
 * video-frame sampling (ptsMs = k × frame, sampled at the frame centre) as the audio-only `LipSync`:
 * audio front end, springs and sampling are `LipSyncCore`, shared by both.
 *
 * Two modes, chosen by the words given:
 * - **Word timings** (every word has startMs and endMs, e.g. Cartesia word timestamps or ElevenLabs
 *   character alignment grouped into words): each word's phones are aligned inside its span as soon as
 *   the audio of the span (+ the classifier's 36 ms lookahead) has arrived; hops between words are
 *   silence. A word whose best path is unlikely (mean log posterior < `minConfidence`) is spread
 *   proportionally over its span instead. Frames come out of `push()` about one word + 50 ms behind
 *   the audio (the anticipation window); with TTS the audio arrives faster than real time, so this costs
 *   nothing at playout.
 * - **No timings**: the whole phone sequence (optional pauses between words) is aligned over the whole
 *   utterance at `flush()` (the scheduler calls it at speak_end), so `push()` returns no frames and all
 *   frames arrive at flush: latency is the whole utterance. Use it when the audio is in hand before
 *   playout (offline render, TTS buffered per sentence); for live streams without timings, `LipSync`.
 *
 * Sans-IO and chunk-invariant: alignment of a word reads only hops inside its span, and the padding at
 * flush is the same for any chunking, so the frames never depend on how the audio was split.
 */
import { VISEME_CLASSES, type MouthFrame, type VisemeClass } from '../types.js';
import { HOP_MS } from './features.js';
import { phonesToSegments, pronounceWord, textToPronunciations, type WordPronunciation } from './g2p.js';
import { LipSyncCore, type HopPosterior, type HopState, type LipSyncCoreOptions } from './lip-sync-core.js';
import { CLASS_INDEX } from './phone-classes.js';

export * from './g2p.js';

const NUM_CLASSES = VISEME_CLASSES.length;
const SIL = CLASS_INDEX.SIL;
const PP = CLASS_INDEX.PP;
const FF = CLASS_INDEX.FF;
const OU = CLASS_INDEX.OU;
const AA = CLASS_INDEX.AA;
const E = CLASS_INDEX.E;

/** A word of the utterance, optionally with its time span in the audio (ms from the utterance start). */
export interface TimedWord {
  text: string;
  startMs?: number;
  endMs?: number;
}

/** Options of `TextLipSync`. */
export interface TextLipSyncOptions extends LipSyncCoreOptions {
  /** The utterance: its text, or its words (with timings when the TTS gives them). */
  words: string | readonly TimedWord[];
  /** Closures and rounding start this early (research notes §6a: 40–60 ms). Default 40. */
  anticipationMs?: number;
  /** Opening for a vowel leads by this much (0–20 ms). Default 10. */
  openLeadMs?: number;
  /** Mean log posterior per hop below which a word is spread proportionally instead. Default −3.5. */
  minConfidence?: number;
  /** Weight of the audio posterior mixed into the output posterior and mouth (0..1). Default 0.4. */
  audioMix?: number;
}

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

const PAUSE: AlignUnit = { cls: 'SIL', weight: 0, minHops: 1, optional: true };

interface WordSpan {
  units: AlignUnit[];
  h0: number;
  h1: number;
}

/** Text-aware streaming estimator; see the module comment. Implements the scheduler's MouthEstimator. */
export class TextLipSync {
  /** Duration of one video frame. */
  readonly frameMs: number;
  /** Whether every word came with a time span (per-word alignment while streaming). */
  readonly timed: boolean;
  /** Words that fell back to proportional spreading so far (diagnostics). */
  lowConfidenceWords = 0;
  private readonly core: LipSyncCore;
  private readonly pron: WordPronunciation[];
  private readonly spans: WordSpan[];
  private readonly antHops: number;
  private readonly leadHops: number;
  private readonly minVisibleHops: number;
  private readonly minConfidence: number;
  private readonly audioMix: number;
  // Per hop of the utterance.
  private posts: Float32Array[] = [];
  private loud: number[] = [];
  private labels: number[] = [];
  private states: HopState[] = [];
  private readonly stateAt = (h: number): HopState => this.states[h]!;
  private nextWord = 0;

  constructor(opts: TextLipSyncOptions) {
    this.core = new LipSyncCore(opts);
    this.frameMs = this.core.frameMs;
    this.antHops = Math.round((opts.anticipationMs ?? 40) / HOP_MS);
    this.leadHops = Math.round((opts.openLeadMs ?? 10) / HOP_MS);
    this.minVisibleHops = Math.ceil(this.frameMs / HOP_MS);
    this.minConfidence = opts.minConfidence ?? -3.5;
    this.audioMix = Math.min(1, Math.max(0, opts.audioMix ?? 0.4));

    const words: readonly TimedWord[] = typeof opts.words === 'string' ? [] : opts.words;
    this.timed =
      words.length > 0 && words.every((w) => Number.isFinite(w.startMs) && Number.isFinite(w.endMs));
    this.pron = [];
    this.spans = [];
    if (typeof opts.words === 'string') this.pron = textToPronunciations(opts.words);
    else {
      let prevEnd = 0;
      for (const w of opts.words) {
        const p = pronounceWord(w.text);
        if (p && p.text === '') {
          const last = this.pron[this.pron.length - 1];
          if (last) last.pauseAfter = true;
          continue;
        }
        if (!p) continue;
        this.pron.push(p);
        if (this.timed) {
          // Monotonic spans on the hop grid.
          const h0 = Math.max(prevEnd, Math.round(w.startMs! / HOP_MS));
          const h1 = Math.max(h0, Math.round(w.endMs! / HOP_MS));
          prevEnd = h1;
          this.spans.push({ units: wordUnits(p), h0, h1 });
        }
      }
    }
  }

  /** Feeds PCM16 mono 24 kHz; returns the frames that are now final. */
  push(samples: Int16Array): MouthFrame[] {
    this.addHops(this.core.push(samples));
    if (this.timed) this.alignReadyWords(false);
    return this.advance(false);
  }

  /** End of the utterance: aligns what remains, returns every remaining frame, then resets. */
  flush(): MouthFrame[] {
    const durationMs = this.core.durationMs;
    const needHops = Math.ceil(durationMs / HOP_MS) + 2;
    while (this.posts.length < needHops) this.addHops(this.core.pushSilentHop());
    if (this.timed) this.alignReadyWords(true);
    else this.alignUtterance();
    const frames = this.advance(true).filter((f) => f.ptsMs < durationMs);
    this.reset();
    return frames;
  }

  /** Forgets the audio (the words stay); the next sample is time 0. */
  reset(): void {
    this.core.reset();
    this.posts = [];
    this.loud = [];
    this.labels = [];
    this.states = [];
    this.nextWord = 0;
  }

  private addHops(hops: HopPosterior[]): void {
    for (const { hop, posterior, loudness } of hops) {
      this.posts[hop] = posterior;
      this.loud[hop] = loudness;
    }
  }

  /** Timed mode: aligns every word whose span is covered by posteriors (all of them at the end). */
  private alignReadyWords(final: boolean): void {
    const avail = this.posts.length;
    while (this.nextWord < this.spans.length) {
      const w = this.spans[this.nextWord]!;
      if (!final && w.h1 > avail) break;
      const h1 = Math.min(w.h1, avail);
      const h0 = Math.min(w.h0, h1);
      while (this.labels.length < h0) this.labels.push(SIL);
      if (h1 > h0) {
        const units = [PAUSE, ...w.units, PAUSE];
        const a = viterbiAlign(units, (h) => this.posts[h]!, h0, h1);
        let labels: ArrayLike<number>;
        if (a && a.score >= this.minConfidence) labels = a.labels;
        else {
          this.lowConfidenceWords++;
          labels = spreadProportionally(w.units, h1 - h0);
        }
        for (let i = 0; i < labels.length; i++) this.labels.push(labels[i]!);
      }
      this.nextWord++;
    }
    if (this.nextWord >= this.spans.length) while (this.labels.length < avail) this.labels.push(SIL);
  }

  /** Untimed mode: the whole utterance's phones over all hops, pauses optional between words. */
  private alignUtterance(): void {
    const T = this.posts.length;
    const units: AlignUnit[] = [PAUSE];
    for (const w of this.pron) {
      const u = wordUnits(w);
      if (u.length === 0) continue;
      units.push(...u, PAUSE);
    }
    let labels: ArrayLike<number>;
    const a = units.length > 1 ? viterbiAlign(units, (h) => this.posts[h]!, 0, T) : null;
    if (a) labels = a.labels;
    else if (units.length > 1) {
      // Too little audio for the text: spread over the speech part.
      labels = spreadProportionally(units, T);
    } else labels = new Int8Array(T).fill(SIL);
    this.labels = Array.from(labels);
  }

  /**
   * The class the mouth shows at hop h: the aligned class, except that closures (PP) and rounding (OU)
   * start up to `anticipationMs` early (never more than half of the sound before), vowel opening leads
   * by `openLeadMs`, and an FF shorter than a video frame is held for one frame.
   */
  private displayAt(h: number, known: number): number {
    const L = this.labels;
    const c = L[h]!;
    if (c === PP) return c;
    // Hold a short FF for one video frame.
    let s = h;
    while (s > 0 && L[s - 1] === c) s--;
    if (c !== FF && s > 0 && L[s - 1] === FF) {
      let f = s - 1;
      while (f > 0 && L[f - 1] === FF) f--;
      const ffLen = s - f;
      if (ffLen < this.minVisibleHops && h - s < this.minVisibleHops - ffLen) return FF;
    }
    let j = h + 1;
    while (j < known && j <= h + this.antHops && L[j] === c) j++;
    if (j >= known || j > h + this.antHops) return c;
    const n = L[j]!;
    if (n === PP || n === OU) {
      let e = h;
      while (e + 1 < known && L[e + 1] === c) e++;
      const shift = c === SIL ? this.antHops : Math.min(this.antHops, Math.floor((e - s + 1) / 2));
      if (j - h <= shift) return n;
    } else if ((n === AA || n === E) && c !== FF && j - h <= this.leadHops) return n;
    return c;
  }

  /** Steps the dynamics over every hop whose display class is final, then emits due frames. */
  private advance(final: boolean): MouthFrame[] {
    const known = this.labels.length;
    const upTo = final ? known : known - this.antHops - 1;
    for (let h = this.states.length; h < upTo; h++) {
      const d = this.displayAt(h, known);
      const lab = this.labels[h]!;
      const audio = this.posts[h]!;
      const mix = this.audioMix;
      const posterior = new Float32Array(NUM_CLASSES);
      const shown = new Float32Array(NUM_CLASSES);
      for (let k = 0; k < NUM_CLASSES; k++) {
        posterior[k] = mix * audio[k]! + (k === lab ? 1 - mix : 0);
        shown[k] = mix * audio[k]! + (k === d ? 1 - mix : 0);
      }
      const loudness = this.loud[h] ?? 0;
      this.states.push({ posterior, params: this.core.stepMouth(shown, loudness, d === PP), loudness });
    }
    // The class shown is the nearer hop's (interpolating one-hot posteriors would blur the class).
    return this.core.sampleFrames(this.states.length - 1, this.stateAt, 'nearest');
  }
}
