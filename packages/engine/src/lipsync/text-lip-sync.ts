/**
 * Text-aware lip-sync (research notes §2.3, §6a "Text-aware path"): the utterance's words → phones
 * (g2p.ts) → visual classes, placed in time by Viterbi forced alignment on the audio classifier's
 * per-10-ms posteriors (forced-align.ts), then anticipation rules, then the same springs + closure rule
 * and the same video-frame sampling (ptsMs = k × frame, sampled at the frame centre) as the audio-only
 * `LipSync`: audio front end, springs and sampling are `LipSyncCore`, shared by both.
 *
 * Three modes, chosen by the words given:
 * - **Word timings** (every word has startMs and endMs, e.g. Cartesia word timestamps or ElevenLabs
 *   character alignment grouped into words): each word's phones are aligned inside its span as soon as
 *   the audio of the span (+ the classifier's 36 ms lookahead) has arrived; hops between words are
 *   silence. A word whose best path is unlikely (mean log posterior < `minConfidence`) is spread
 *   proportionally over its span instead. Frames come out of `push()` about one word + 50 ms behind
 *   the audio (the anticipation window); with TTS the audio arrives faster than real time, so this costs
 *   nothing at playout.
 * - **Streamed word timings** (no `words` option; FULL mode, where an utterance is several TTS
 *   requests): the same, with words handed over by `words()` while the audio streams. The list is never
 *   known to be complete, so a hop no word covers is decided later: silence in a pause (up to
 *   `maxPauseMs` after a word, or after the start), else the audio classifier's own class, as if the
 *   TTS had stopped sending timings; and only once a later word starts after it, `knownUntilMs` covers
 *   it, the audio has run `wordWaitMs` past it, or at flush. So frames never stall for good, and with
 *   every word handed over in time the frames equal those of the same words given up front.
 * - **No timings**: the whole phone sequence (optional pauses between words) is aligned over the whole
 *   utterance at `flush()` (the scheduler calls it at speak_end), so `push()` returns no frames and all
 *   frames arrive at flush: latency is the whole utterance. Use it when the audio is in hand before
 *   playout (offline render, TTS buffered per sentence); for live streams without timings, `LipSync`.
 *
 * Sans-IO and chunk-invariant: alignment of a word reads only hops inside its span, a hop between words
 * reads only its own posterior, and the padding at flush is the same for any chunking, so the frames
 * never depend on how the audio was split.
 */
import { VISEME_CLASSES, type MouthFrame } from '../types.js';
import { HOP_MS } from './features.js';
import { spreadProportionally, viterbiAlign, wordUnits, type AlignUnit } from './forced-align.js';
import { pronounceWord, textToPronunciations, type WordPronunciation } from './g2p.js';
import { LipSyncCore, type HopPosterior, type HopState, type LipSyncCoreOptions } from './lip-sync-core.js';
import { CLASS_INDEX } from './phone-classes.js';

export * from './forced-align.js';
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

/** Options of `TextLipSync.words()`. */
export interface WordsOptions {
  /**
   * Every word spoken before this time (ms from the utterance start) has now been handed over, e.g. a
   * TTS request ended there: hops before it that no word covers need not wait for late words.
   */
  knownUntilMs?: number;
}

/** Options of `TextLipSync`. */
export interface TextLipSyncOptions extends LipSyncCoreOptions {
  /**
   * The utterance: its text, or its words (with timings when the TTS gives them). Omitted: the words
   * come with timings while the audio streams, through `words()`.
   */
  words?: string | readonly TimedWord[];
  /** Closures and rounding start this early (research notes §6a: 40–60 ms). Default 40. */
  anticipationMs?: number;
  /** Opening for a vowel leads by this much (0–20 ms). Default 10. */
  openLeadMs?: number;
  /** Mean log posterior per hop below which a word is spread proportionally instead. Default −3.5. */
  minConfidence?: number;
  /** Weight of the audio posterior mixed into the output posterior and mouth (0..1). Default 0.4. */
  audioMix?: number;
  /**
   * Streamed words: audio no word covers is a pause (silence) up to this long after a word or the start;
   * beyond, it shows the audio classifier's own class (speech whose timings never came). Default 300.
   */
  maxPauseMs?: number;
  /** Streamed words: how far the audio may run past a hop no word covers before it is decided. Default 1500. */
  wordWaitMs?: number;
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
  /** Whether the words come through `words()` while the audio streams (made without `words`). */
  readonly streamed: boolean;
  /** Words that fell back to proportional spreading so far (diagnostics). */
  lowConfidenceWords = 0;
  /** Streamed words: hops past a pause that no word covered, shown with the audio's class (diagnostics). */
  uncoveredHops = 0;
  private readonly core: LipSyncCore;
  private pron: WordPronunciation[] = [];
  private readonly spans: WordSpan[] = [];
  private readonly antHops: number;
  private readonly leadHops: number;
  private readonly minVisibleHops: number;
  private readonly minConfidence: number;
  private readonly audioMix: number;
  /** A hop no word covers is silence up to this many hops after a word (Infinity: words given up front). */
  private readonly pauseHops: number;
  private readonly waitHops: number;
  private readonly closureThreshold: number;
  // Per hop of the utterance.
  private posts: Float32Array[] = [];
  private loud: number[] = [];
  private labels: number[] = [];
  private states: HopState[] = [];
  private readonly stateAt = (h: number): HopState => this.states[h]!;
  private nextWord = 0;
  /** End hop of the last span (spans are monotonic on the hop grid). */
  private spanEnd = 0;
  /** End of the last aligned word: the pause that follows is measured from here. */
  private pauseFrom = 0;
  /** Streamed words: hops before this one have all their words. */
  private knownUntilHop = 0;

  constructor(opts: TextLipSyncOptions) {
    this.core = new LipSyncCore(opts);
    this.frameMs = this.core.frameMs;
    this.antHops = Math.round((opts.anticipationMs ?? 40) / HOP_MS);
    this.leadHops = Math.round((opts.openLeadMs ?? 10) / HOP_MS);
    this.minVisibleHops = Math.ceil(this.frameMs / HOP_MS);
    this.minConfidence = opts.minConfidence ?? -3.5;
    this.audioMix = Math.min(1, Math.max(0, opts.audioMix ?? 0.4));
    this.streamed = opts.words === undefined;
    this.pauseHops = this.streamed ? Math.round((opts.maxPauseMs ?? 300) / HOP_MS) : Infinity;
    this.waitHops = Math.round((opts.wordWaitMs ?? 1500) / HOP_MS);
    this.closureThreshold = this.core.model.post.closureThreshold;

    const words: readonly TimedWord[] = typeof opts.words === 'string' ? [] : (opts.words ?? []);
    this.timed =
      this.streamed ||
      (words.length > 0 && words.every((w) => Number.isFinite(w.startMs) && Number.isFinite(w.endMs)));
    if (typeof opts.words === 'string') this.pron = textToPronunciations(opts.words);
    else for (const w of words) this.addWord(w);
  }

  /**
   * Streamed words (an estimator made without `words`): the utterance's next words, in order, times in
   * ms from its first sample; words without both times are skipped. Returns the frames now final.
   */
  words(words: readonly TimedWord[], opts: WordsOptions = {}): MouthFrame[] {
    if (!this.streamed) throw new Error('TextLipSync: words() needs an estimator made without words');
    for (const w of words) if (Number.isFinite(w.startMs) && Number.isFinite(w.endMs)) this.addWord(w);
    if (opts.knownUntilMs !== undefined)
      this.knownUntilHop = Math.max(this.knownUntilHop, Math.floor(opts.knownUntilMs / HOP_MS));
    this.alignReadyWords(false);
    return this.advance(false);
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

  /** Forgets the audio (words given up front stay, streamed ones go with it); the next sample is time 0. */
  reset(): void {
    this.core.reset();
    this.posts = [];
    this.loud = [];
    this.labels = [];
    this.states = [];
    this.nextWord = 0;
    this.pauseFrom = 0;
    if (this.streamed) {
      this.spans.length = 0;
      this.spanEnd = 0;
      this.knownUntilHop = 0;
    }
  }

  private addWord(w: TimedWord): void {
    const p = pronounceWord(w.text);
    if (p && p.text === '') {
      const last = this.pron[this.pron.length - 1];
      if (last) last.pauseAfter = true;
      return;
    }
    if (!p) return;
    // Pronunciations serve the untimed alignment only; a stream would just pile them up.
    if (!this.streamed) this.pron.push(p);
    if (this.timed || this.streamed) {
      // Monotonic spans on the hop grid. A streamed word is at most wordWaitMs long, so that a bogus
      // end time cannot hold the frames back until the flush.
      const h0 = Math.max(this.spanEnd, Math.round(w.startMs! / HOP_MS));
      const h1 = Math.min(
        Math.max(h0, Math.round(w.endMs! / HOP_MS)),
        h0 + (this.streamed ? this.waitHops : Infinity),
      );
      this.spanEnd = h1;
      this.spans.push({ units: wordUnits(p), h0, h1 });
    }
  }

  private addHops(hops: HopPosterior[]): void {
    for (const { hop, posterior, loudness } of hops) {
      this.posts[hop] = posterior;
      this.loud[hop] = loudness;
    }
  }

  /**
   * Timed mode: aligns every word whose span is covered by posteriors (all of them at the end), and
   * labels the hops between words as far as they are decided (see the module comment).
   */
  private alignReadyWords(final: boolean): void {
    const avail = this.posts.length;
    while (this.nextWord < this.spans.length) {
      const w = this.spans[this.nextWord]!;
      if (!final && w.h1 > avail) {
        // A streamed word still waiting for its audio: the hops before it get no other (spans are
        // monotonic), so they are decided now, even if its start lies far beyond the audio.
        const to = this.streamed ? Math.min(w.h0, avail) : 0;
        while (this.labels.length < to) this.labels.push(this.gapLabel(this.labels.length));
        break;
      }
      const h1 = Math.min(w.h1, avail);
      // A streamed word that came after its hops were decided keeps what is left of its span.
      const h0 = Math.min(Math.max(w.h0, this.labels.length), h1);
      while (this.labels.length < h0) this.labels.push(this.gapLabel(this.labels.length));
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
        this.pauseFrom = h1;
      }
      this.nextWord++;
    }
    if (this.nextWord < this.spans.length) return;
    // Past the last word: words given up front have none to come; a stream waits for late ones.
    const decided = !this.streamed || final ? avail : Math.max(avail - this.waitHops, this.knownUntilHop);
    const upTo = Math.min(avail, decided);
    while (this.labels.length < upTo) this.labels.push(this.gapLabel(this.labels.length));
  }

  /**
   * The class of hop h, which no word covers: silence in a pause, else the audio classifier's class,
   * read as the audio-only path reads it (a closure only above its threshold).
   */
  private gapLabel(h: number): number {
    if (h < this.pauseFrom + this.pauseHops) return SIL;
    this.uncoveredHops++;
    const p = this.posts[h]!;
    if (p[PP]! >= this.closureThreshold) return PP;
    let best = SIL;
    for (let k = 0; k < NUM_CLASSES; k++) if (k !== PP && p[k]! > p[best]!) best = k;
    return best;
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
