/**
 * The frame scheduler: turns the audio timeline into pairs of (audio slice, video frame) that depict the
 * same instant and carry the same presentation time.
 *
 * Lip-sync runs a little ahead of playout, one tick at a time: each tick analyses the audio up to the
 * estimator's lookahead (≤ 40 ms) and a hop past what it plays. So the cost per tick is flat however
 * large the appended chunks are (a client may send 10 s of TTS at once: analysing it in `append` would
 * stall the clock and every session on the thread), and audio that an interrupt drops is never
 * analysed. Estimators that declare no lookahead (text alignment) get all audio on append. Each
 * utterance gets its own estimator, so interrupts and turn changes never leak mouth state: audio-only
 * lip-sync, or, for an utterance appended as `timed` (a TTS that gives word timings), the text-aware
 * one, which takes the words through `words()` while the audio streams. When a frame's mouth is not
 * ready (the next chunk or word has not arrived yet) the previous mouth is held; video never waits and
 * never trails its audio.
 */
import { AudioPlayout, type AudioPlayoutOptions, type PlayoutEvent } from '../audio/playout.js';
import type { AgentState } from '../audio/types.js';
import { rms } from '../audio/pcm.js';
import type { TimedWord, WordsOptions } from '../lipsync/text-lip-sync.js';
import { NEUTRAL_MOUTH, type AvatarPose, type MouthFrame, type MouthParams } from '../types.js';

/** Streaming audio → mouth estimator (audio-only lip-sync, or a text-aware one). */
export interface MouthEstimator {
  /**
   * Audio past a frame's centre the estimator reads before it emits the frame, ms. With it, the
   * scheduler feeds audio just ahead of playout; without it (text alignment, which waits for whole
   * words or the whole utterance), all audio as soon as it is appended.
   */
  readonly lookaheadMs?: number;
  /** Frames whose lookahead is now satisfied, in order, with ptsMs from the utterance start. */
  push(samples: Int16Array): MouthFrame[];
  /** The remaining frames at the end of the utterance. */
  flush(): MouthFrame[];
  /**
   * Text-aware estimators: the utterance's next words, times in ms from its first sample; returns the
   * frames they made final.
   */
  words?(words: readonly TimedWord[], opts?: WordsOptions): MouthFrame[];
}

/** Behaviour: turns mouth and state into a whole pose, once per frame. */
export interface Behaviour {
  step(input: {
    ptsMs: number;
    state: AgentState;
    mouth: MouthParams;
    loudness: number;
    pitchHz: number | null;
  }): AvatarPose;
}

/** Draws a pose into RGBA bytes. */
export interface FrameRenderer {
  readonly width: number;
  readonly height: number;
  render(pose: AvatarPose): Uint8Array;
}

/** One output tick: audio and the video frame that depicts it. */
export interface AvFrame {
  kind: 'av';
  ptsMs: number;
  turnId: string | null;
  /** One frame of PCM16 mono audio. */
  audio: Int16Array;
  speechSamples: number;
  state: AgentState;
  pose: AvatarPose;
  /** RGBA, width × height × 4; owned by the renderer until the next tick. Null without a renderer. */
  video: Uint8Array | null;
  events: PlayoutEvent[];
}

/** Options of a {@link FrameScheduler}. */
export interface FrameSchedulerOptions extends AudioPlayoutOptions {
  /** A fresh estimator for each utterance. */
  newEstimator: () => MouthEstimator;
  /**
   * A fresh text-aware estimator (with `words`) for each utterance appended as `timed`; without it,
   * those get `newEstimator` and their words are dropped.
   */
  newTimedEstimator?: () => MouthEstimator;
  behaviour: Behaviour;
  renderer?: FrameRenderer;
  /** F0 of one frame of audio, or null when unvoiced; optional. */
  pitch?: (samples: Int16Array, sampleRateHz: number) => number | null;
}

/** Options of {@link FrameScheduler.append}. */
export interface AppendOptions {
  /**
   * The utterance will carry word timings (`words()`): if this append opens it, it gets the text-aware
   * estimator. Ignored on later appends.
   */
  timed?: boolean;
}

/** Audio analysed past the end of the frame playing now, beyond the estimator's lookahead: one hop. */
export const ANALYSIS_MARGIN_MS = 10;

interface Turn {
  estimator: MouthEstimator;
  frames: MouthFrame[];
  /** Appended audio not yet given to the estimator, oldest first. */
  pending: Int16Array[];
  /** Samples given to the estimator. */
  analysedSamples: number;
  /** Samples to analyse past the end of the tick playing: lookahead + margin, or all (Infinity). */
  aheadSamples: number;
  /** The utterance is closed: once all its audio is analysed, the estimator flushes its tail. */
  committed: boolean;
  /** The estimator has flushed: nothing more goes to it. */
  flushed: boolean;
  /** Made by `newTimedEstimator`. */
  timed: boolean;
  /** Speech samples of this turn already played. */
  playedSamples: number;
  last: MouthFrame | null;
}

/** See the module comment. */
export class FrameScheduler {
  readonly playout: AudioPlayout;
  private readonly turns = new Map<string, Turn>();
  /** An estimator made on a silent tick, ready for the next utterance (its set-up is off the clock's critical path). */
  private spare: MouthEstimator | null = null;
  private readonly frameMs: number;

  constructor(private readonly opts: FrameSchedulerOptions) {
    this.playout = new AudioPlayout(opts);
    this.frameMs = 1000 / this.playout.fps;
  }

  /**
   * Appends audio to the current utterance; lip-sync analyses it as playout approaches it. `timed`: the
   * utterance's estimator is text-aware (when the scheduler has one).
   */
  append(
    samples: Int16Array,
    sourceEventId: string | null,
    opts: AppendOptions = {},
  ): { turnId: string; opened: boolean; timed: boolean } {
    const r = this.playout.append(samples, sourceEventId);
    let turn = this.turns.get(r.turnId);
    if (!turn) {
      const timed = opts.timed === true && this.opts.newTimedEstimator !== undefined;
      const estimator = timed ? this.opts.newTimedEstimator!() : (this.spare ?? this.opts.newEstimator());
      const ms = estimator.lookaheadMs;
      turn = {
        estimator,
        frames: [],
        pending: [],
        analysedSamples: 0,
        aheadSamples:
          ms === undefined ? Infinity : ((ms + ANALYSIS_MARGIN_MS) * this.playout.sampleRateHz) / 1000,
        committed: false,
        flushed: false,
        timed,
        playedSamples: 0,
        last: null,
      };
      this.turns.set(r.turnId, turn);
      if (!timed) this.spare = null;
    }
    // A copy: the caller may reuse its buffer before the estimator reads it.
    if (samples.length > 0) turn.pending.push(samples.slice());
    if (turn.aheadSamples === Infinity) this.analyse(turn, Infinity);
    return { ...r, timed: turn.timed };
  }

  /**
   * Words of an utterance appended as `timed` as they become known (see MouthEstimator.words), times in
   * ms from its first sample. Ignored when the turn is gone (interrupted, ended), flushed or not timed.
   */
  words(turnId: string, words: readonly TimedWord[], opts: WordsOptions = {}): void {
    const turn = this.turns.get(turnId);
    if (!turn?.timed || turn.flushed || !turn.estimator.words) return;
    for (const f of turn.estimator.words(words, opts)) turn.frames.push(f);
  }

  /** Closes the current utterance; lip-sync flushes its tail once it has analysed the rest. */
  commit(): string | null {
    const turnId = this.playout.commit();
    const turn = turnId ? this.turns.get(turnId) : undefined;
    if (turn) {
      turn.committed = true;
      if (turn.pending.length === 0) this.analyse(turn, 0);
    }
    return turnId;
  }

  /** Drops queued audio (see AudioPlayout.interrupt) and the mouth state of every dropped turn. */
  interrupt(sourceEventId: string | null): string | null {
    const turnId = this.playout.interrupt(sourceEventId);
    this.turns.clear();
    return turnId;
  }

  /** Listening pose on/off. */
  setListening(on: boolean, sourceEventId: string | null): void {
    this.playout.setListening(on, sourceEventId);
  }

  /** Produces the next frame pair. */
  tick(): AvFrame {
    const t = this.playout.tick();
    const speech = t.samples.subarray(0, t.speechSamples);
    let mouth: MouthParams = NEUTRAL_MOUTH;
    let loudness = 0;
    if (t.turnId && t.speechSamples > 0) {
      const turn = this.turns.get(t.turnId);
      if (turn) {
        this.analyse(turn, turn.playedSamples + t.speechSamples + turn.aheadSamples);
        // The estimator frame that covers the middle of the audio playing now.
        const mid = turn.playedSamples + t.speechSamples / 2;
        const index = Math.floor(mid / this.playout.frameSamples);
        const frame = turn.frames[index] ?? turn.last;
        turn.playedSamples += t.speechSamples;
        if (frame) {
          turn.last = frame;
          mouth = frame.params;
          loudness = frame.loudness;
        } else {
          loudness = Math.min(1, rms(speech) * 4);
        }
      }
    }
    for (const e of t.events) {
      if (e.kind === 'speak_ended' || e.kind === 'speak_interrupted') this.turns.delete(e.turnId);
    }
    const pitchHz =
      t.speechSamples > 0 && this.opts.pitch ? this.opts.pitch(speech, this.playout.sampleRateHz) : null;
    const pose = this.opts.behaviour.step({ ptsMs: t.ptsMs, state: t.state, mouth, loudness, pitchHz });
    const video = this.opts.renderer ? this.opts.renderer.render(pose) : null;
    if (!this.spare && t.speechSamples === 0) this.spare = this.opts.newEstimator();
    return {
      kind: 'av',
      ptsMs: t.ptsMs,
      turnId: t.turnId,
      audio: t.samples,
      speechSamples: t.speechSamples,
      state: t.state,
      pose,
      video,
      events: t.events,
    };
  }

  /** Runs the estimator over the turn's pending audio up to `upto` samples (and its tail once committed). */
  private analyse(turn: Turn, upto: number): void {
    while (turn.analysedSamples < upto && turn.pending.length > 0) {
      const head = turn.pending[0]!;
      const n = Math.min(head.length, upto - turn.analysedSamples);
      const part = n === head.length ? head : head.subarray(0, n);
      if (n === head.length) turn.pending.shift();
      else turn.pending[0] = head.subarray(n);
      turn.analysedSamples += n;
      for (const f of turn.estimator.push(part)) turn.frames.push(f);
    }
    if (turn.committed && turn.pending.length === 0 && !turn.flushed) {
      turn.flushed = true;
      for (const f of turn.estimator.flush()) turn.frames.push(f);
    }
  }

  /** Size of the video frames, or null without a renderer. */
  get videoSize(): { width: number; height: number } | null {
    const r = this.opts.renderer;
    return r ? { width: r.width, height: r.height } : null;
  }

  /** Frame duration, ms. */
  get frameDurationMs(): number {
    return this.frameMs;
  }
}
