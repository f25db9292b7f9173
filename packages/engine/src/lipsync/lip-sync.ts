/**
 * Audio-only streaming lip-sync (research notes §6a): PCM16 24 kHz in, one MouthFrame per video frame
 * out, each stamped with the audio time it depicts. Sans-IO: no timers, no I/O; chunking never changes
 * the output.
 *
 * Per 10 ms hop: features → MLP over stacked context → triangular posterior smoothing → class templates
 * with loudness gain → springs + closure rule. A video frame is the hop track sampled at its centre.
 */
import { NEUTRAL_MOUTH, VISEME_CLASSES, type MouthFrame, type MouthParams } from '../types.js';
import { paramsFromPosterior } from '../visemes.js';
import { MouthDynamics } from './dynamics.js';
import {
  FEATURE_SAMPLE_RATE_HZ,
  FeatureExtractor,
  HOP_MS,
  WINDOW_MS,
  type FeatureFrame,
} from './features.js';
import { Classifier, stackContext, validateModel, type LipSyncModel } from './model.js';
import defaultModelJson from './model.json' with { type: 'json' };

/** Most audio past a frame's centre that lip-sync may wait for (issue 3: ≤ 40 ms). */
export const MAX_LOOKAHEAD_MS = 40;

const NUM_CLASSES = VISEME_CLASSES.length;
const SIL = 0;
const PP = 1;
const KEYS = Object.keys(NEUTRAL_MOUTH) as Array<keyof MouthParams>;

/** Options of `LipSync`. */
export interface LipSyncOptions {
  /** Video frame rate of the output. */
  fps: number;
  /** A model other than the bundled one (tests, experiments). */
  model?: LipSyncModel;
  /** Spring times (10–90 %); defaults attack 15 ms, release 30 ms: §6a suggests 30/70, which measured +15 ms lag and −0.03 openness r. */
  attackMs?: number;
  releaseMs?: number;
}

interface HopState {
  posterior: Float32Array;
  params: MouthParams;
  loudness: number;
}

/** The bundled model (packages/engine/src/lipsync/model.json). */
export function defaultLipSyncModel(): LipSyncModel {
  return validateModel(defaultModelJson as unknown as LipSyncModel);
}

/** Streaming audio → mouth estimator. */
export class LipSync {
  /** Audio past a frame's centre needed before the frame is emitted (§3.3 "lookahead A"). */
  readonly lookaheadMs: number;
  /** Duration of one video frame. */
  readonly frameMs: number;
  private readonly model: LipSyncModel;
  private readonly extractor: FeatureExtractor;
  private readonly classifier: Classifier;
  private readonly dynamics: MouthDynamics;
  private readonly maxOffset: number;
  private readonly minOffset: number;
  private readonly smoothWeights: number[];
  private readonly input: Float32Array;
  // Rings indexed by hop: features (for the context), raw posteriors (for smoothing), final hop states.
  private readonly ringSize: number;
  private readonly feats: Float32Array[];
  private readonly frameInfo: Array<{ loudness: number; speech: boolean }>;
  private readonly posts: Float32Array[];
  private readonly states: HopState[];
  private lastStateHop = -1;
  private nextFrame = 0;
  private out: MouthFrame[] = [];

  constructor(opts: LipSyncOptions) {
    if (!(opts.fps > 0 && opts.fps <= 100)) throw new RangeError(`fps must be in (0, 100], got ${opts.fps}`);
    this.model = validateModel(opts.model ?? defaultLipSyncModel());
    this.frameMs = 1000 / opts.fps;
    this.maxOffset = Math.max(...this.model.contextOffsets);
    this.minOffset = Math.min(...this.model.contextOffsets);
    const s = this.model.smoothHops;
    this.lookaheadMs = (this.maxOffset + s) * HOP_MS + WINDOW_MS / 2;
    if (this.lookaheadMs > MAX_LOOKAHEAD_MS)
      throw new RangeError(`model needs ${this.lookaheadMs} ms lookahead`);
    // Triangle weights over −s..s hops.
    const tri = Array.from({ length: 2 * s + 1 }, (_, i) => s + 1 - Math.abs(i - s));
    const triSum = tri.reduce((a, b) => a + b, 0);
    this.smoothWeights = tri.map((w) => w / triSum);
    this.extractor = new FeatureExtractor(this.model.cmnInit);
    this.classifier = new Classifier(this.model);
    this.dynamics = new MouthDynamics({
      hopMs: HOP_MS,
      attackMs: opts.attackMs ?? 15,
      releaseMs: opts.releaseMs ?? 30,
      closureHoldMs: Math.max(this.frameMs, 40),
    });
    this.input = new Float32Array(this.model.contextOffsets.length * this.model.featureDim);
    this.ringSize =
      2 **
      Math.ceil(Math.log2(this.maxOffset - this.minOffset + 2 * s + Math.ceil(this.frameMs / HOP_MS) + 8));
    this.feats = Array.from({ length: this.ringSize }, () => new Float32Array(this.model.featureDim));
    this.frameInfo = Array.from({ length: this.ringSize }, () => ({ loudness: 0, speech: false }));
    this.posts = Array.from({ length: this.ringSize }, () => new Float32Array(NUM_CLASSES));
    this.states = Array.from({ length: this.ringSize }, () => ({
      posterior: new Float32Array(NUM_CLASSES),
      params: { ...NEUTRAL_MOUTH },
      loudness: 0,
    }));
  }

  /** Feeds PCM16 mono 24 kHz; returns the frames whose lookahead is now satisfied. */
  push(samples: Int16Array): MouthFrame[] {
    this.extractor.push(samples, this.onFeature);
    const out = this.out;
    this.out = [];
    return out;
  }

  /** End of stream: returns every remaining frame that covers audio (the future is silence), then resets. */
  flush(): MouthFrame[] {
    const durationMs = (this.extractor.samples * 1000) / FEATURE_SAMPLE_RATE_HZ;
    const frames: MouthFrame[] = [];
    const pad = new Int16Array(FEATURE_SAMPLE_RATE_HZ / 100);
    while (this.nextFrame * this.frameMs < durationMs) frames.push(...this.push(pad));
    this.reset();
    return frames.filter((f) => f.ptsMs < durationMs);
  }

  /** Forgets the stream; the next sample is time 0. */
  reset(): void {
    this.extractor.reset();
    this.dynamics.reset();
    this.lastStateHop = -1;
    this.nextFrame = 0;
    this.out = [];
  }

  private readonly onFeature = (f: FeatureFrame): void => {
    const r = this.ringSize - 1;
    this.feats[f.hop & r]!.set(f.feat);
    this.frameInfo[f.hop & r] = { loudness: f.loudness, speech: f.speech };
    const c = f.hop - this.maxOffset; // hop whose context is now complete
    if (c < 0) return;
    stackContext(this.model, (h) => this.feats[h & r]!, c, this.input);
    const post = this.posts[c & r]!;
    // Long pauses (VAD off past its hangover) are silence, whatever the classifier says about noise.
    if (this.frameInfo[c & r]!.speech) post.set(this.classifier.run(this.input));
    else post.fill(0).fill(1, SIL, SIL + 1);
    const s = c - this.model.smoothHops; // hop whose smoothing window is now complete
    if (s >= 0) this.finishHop(s);
  };

  private finishHop(h: number): void {
    const r = this.ringSize - 1;
    const sm = this.model.smoothHops;
    const st = this.states[h & r]!;
    st.posterior.fill(0);
    for (let d = -sm; d <= sm; d++) {
      const p = this.posts[Math.max(0, h + d) & r]!;
      const w = this.smoothWeights[d + sm]!;
      for (let k = 0; k < NUM_CLASSES; k++) st.posterior[k] = st.posterior[k]! + w * p[k]!;
    }
    const loudness = this.frameInfo[h & r]!.loudness;
    const target = paramsFromPosterior(st.posterior);
    const { closureThreshold, jawGainFloor } = this.model.post;
    // Loudness gain: quiet speech opens the jaw less than the class template alone says.
    target.jawOpen *= jawGainFloor + (1 - jawGainFloor) * loudness;
    const closure = st.posterior[PP]! >= closureThreshold;
    const x = this.dynamics.step(target, closure);
    for (const k of KEYS) st.params[k] = Math.min(1, Math.max(0, x[k]));
    st.loudness = loudness;
    this.lastStateHop = h;
    this.emitFrames();
  }

  private emitFrames(): void {
    const r = this.ringSize - 1;
    for (;;) {
      const centreHops = ((this.nextFrame + 0.5) * this.frameMs) / HOP_MS;
      const h1 = Math.ceil(centreHops);
      if (h1 > this.lastStateHop) return;
      const h0 = Math.floor(centreHops);
      const a = this.states[h0 & r]!;
      const b = this.states[h1 & r]!;
      const t = centreHops - h0;
      const params = { ...NEUTRAL_MOUTH };
      for (const k of KEYS) params[k] = a.params[k] + t * (b.params[k] - a.params[k]);
      const posterior = new Float32Array(NUM_CLASSES);
      for (let k = 0; k < NUM_CLASSES; k++)
        posterior[k] = a.posterior[k]! + t * (b.posterior[k]! - a.posterior[k]!);
      this.out.push({
        ptsMs: this.nextFrame * this.frameMs,
        params,
        posterior,
        loudness: a.loudness + t * (b.loudness - a.loudness),
      });
      this.nextFrame++;
    }
  }
}
