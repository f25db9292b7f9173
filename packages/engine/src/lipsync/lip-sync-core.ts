/**
 * What the audio-only `LipSync` and the text-aware `TextLipSync` share: audio → features → the MLP
 * over stacked context → one viseme posterior per 10 ms hop (silence in long pauses), mouth springs with
 * the loudness jaw gain and the closure rule, and video-frame sampling at frame centres. The estimators
 * differ only in what they show per hop: smoothed audio posteriors, or classes aligned to the words.
 * Sans-IO and chunk-invariant like the feature extractor under it.
 */
import { NEUTRAL_MOUTH, VISEME_CLASSES, type MouthFrame, type MouthParams } from '../types.js';
import { paramsFromPosterior } from '../visemes.js';
import { MouthDynamics } from './dynamics.js';
import { FEATURE_SAMPLE_RATE_HZ, FeatureExtractor, HOP_MS } from './features.js';
import { Classifier, stackContext, validateModel, type LipSyncModel } from './model.js';
import defaultModelJson from './model.json' with { type: 'json' };
import { CLASS_INDEX } from './phone-classes.js';

const NUM_CLASSES = VISEME_CLASSES.length;
const SIL = CLASS_INDEX.SIL;
const KEYS = Object.keys(NEUTRAL_MOUTH) as Array<keyof MouthParams>;
/** One hop of digital silence: what follows the end of a stream. */
const SILENT_HOP = new Int16Array((FEATURE_SAMPLE_RATE_HZ * HOP_MS) / 1000);

/** The bundled model (packages/engine/src/lipsync/model.json). */
export function defaultLipSyncModel(): LipSyncModel {
  return validateModel(defaultModelJson as unknown as LipSyncModel);
}

/** Options shared by both estimators. */
export interface LipSyncCoreOptions {
  /** Video frame rate of the output. */
  fps: number;
  /** A model other than the bundled one (tests, experiments). */
  model?: LipSyncModel;
  /** Spring times (10–90 %); defaults attack 15 ms, release 30 ms: §6a suggests 30/70, which measured +15 ms lag and −0.03 openness r. */
  attackMs?: number;
  releaseMs?: number;
}

/** The classifier's verdict on one hop. */
export interface HopPosterior {
  /** Hop index; its centre is hop × HOP_MS from the stream start. */
  hop: number;
  /** Posterior over VISEME_CLASSES; one-hot SIL in long pauses. Owned by the receiver. */
  posterior: Float32Array;
  /** Loudness of the hop, 0..1. */
  loudness: number;
}

/** The mouth at one hop, as the frame sampler reads it. */
export interface HopState {
  posterior: Float32Array;
  params: MouthParams;
  loudness: number;
}

/** How a frame between two hops gets its posterior. */
export type PosteriorSampling = 'interpolate' | 'nearest';

/** The shared stream; see the module comment. One instance per estimator, reset with it. */
export class LipSyncCore {
  /** Duration of one video frame. */
  readonly frameMs: number;
  readonly model: LipSyncModel;
  /** Hops of future features the classifier reads: a hop's posterior lags its features by this much. */
  readonly contextHops: number;
  private readonly extractor: FeatureExtractor;
  private readonly classifier: Classifier;
  private readonly dynamics: MouthDynamics;
  private readonly input: Float32Array;
  // Rings indexed by hop, long enough for the context: features, and the VAD's verdict and loudness.
  private readonly ringMask: number;
  private readonly feats: Float32Array[];
  private readonly speech: boolean[];
  private readonly loudness: Float64Array;
  private nextFrame = 0;

  constructor(opts: LipSyncCoreOptions) {
    if (!(opts.fps > 0 && opts.fps <= 100)) throw new RangeError(`fps must be in (0, 100], got ${opts.fps}`);
    this.model = validateModel(opts.model ?? defaultLipSyncModel());
    this.frameMs = 1000 / opts.fps;
    this.contextHops = Math.max(...this.model.contextOffsets);
    const minOffset = Math.min(...this.model.contextOffsets);
    this.extractor = new FeatureExtractor(this.model.cmnInit);
    this.classifier = new Classifier(this.model);
    this.dynamics = new MouthDynamics({
      hopMs: HOP_MS,
      attackMs: opts.attackMs ?? 15,
      releaseMs: opts.releaseMs ?? 30,
      closureHoldMs: Math.max(this.frameMs, 40),
    });
    this.input = new Float32Array(this.model.contextOffsets.length * this.model.featureDim);
    const ringSize = 2 ** Math.ceil(Math.log2(this.contextHops - minOffset + 8));
    this.ringMask = ringSize - 1;
    this.feats = Array.from({ length: ringSize }, () => new Float32Array(this.model.featureDim));
    this.speech = new Array<boolean>(ringSize).fill(false);
    this.loudness = new Float64Array(ringSize);
  }

  /** Audio consumed so far, ms. */
  get durationMs(): number {
    return (this.extractor.samples * 1000) / FEATURE_SAMPLE_RATE_HZ;
  }

  /** Start of the next video frame `sampleFrames` will emit, ms. */
  get nextFrameMs(): number {
    return this.nextFrame * this.frameMs;
  }

  /** Feeds PCM16 mono 24 kHz; returns the hops whose context is now complete, in order. */
  push(samples: Int16Array): HopPosterior[] {
    const hops: HopPosterior[] = [];
    this.extractor.push(samples, (f) => {
      const r = this.ringMask;
      this.feats[f.hop & r]!.set(f.feat);
      this.speech[f.hop & r] = f.speech;
      this.loudness[f.hop & r] = f.loudness;
      const c = f.hop - this.contextHops; // hop whose context is now complete
      if (c < 0) return;
      stackContext(this.model, (h) => this.feats[h & r]!, c, this.input);
      const posterior = new Float32Array(NUM_CLASSES);
      // Long pauses (VAD off past its hangover) are silence, whatever the classifier says about noise.
      if (this.speech[c & r]) posterior.set(this.classifier.run(this.input));
      else posterior[SIL] = 1;
      hops.push({ hop: c, posterior, loudness: this.loudness[c & r]! });
    });
    return hops;
  }

  /** Feeds one hop of silence (flush: the future after the stream is silence). */
  pushSilentHop(): HopPosterior[] {
    return this.push(SILENT_HOP);
  }

  /**
   * Advances the springs one hop toward the mouth of `shown` (a posterior), opened less when quiet;
   * `closure` snaps the lips shut (dynamics.ts). Returns fresh params clamped to 0..1.
   */
  stepMouth(shown: ArrayLike<number>, loudness: number, closure: boolean): MouthParams {
    const target = paramsFromPosterior(shown);
    const { jawGainFloor } = this.model.post;
    // Loudness gain: quiet speech opens the jaw less than the class template alone says.
    target.jawOpen *= jawGainFloor + (1 - jawGainFloor) * loudness;
    const x = this.dynamics.step(target, closure);
    const params = { ...NEUTRAL_MOUTH };
    for (const k of KEYS) params[k] = Math.min(1, Math.max(0, x[k]));
    return params;
  }

  /**
   * Emits every video frame whose centre lies at or before hop `lastHop`, each the hop track sampled at
   * its centre (ptsMs = k × frame): params and loudness interpolated between the two hops around it,
   * the posterior interpolated too or taken from the nearer hop.
   */
  sampleFrames(
    lastHop: number,
    stateAt: (hop: number) => HopState,
    posterior: PosteriorSampling,
  ): MouthFrame[] {
    const out: MouthFrame[] = [];
    for (;;) {
      const centreHops = ((this.nextFrame + 0.5) * this.frameMs) / HOP_MS;
      const h1 = Math.ceil(centreHops);
      if (h1 > lastHop) return out;
      const h0 = Math.floor(centreHops);
      const a = stateAt(h0);
      const b = stateAt(h1);
      const t = centreHops - h0;
      const params = { ...NEUTRAL_MOUTH };
      for (const k of KEYS) params[k] = a.params[k] + t * (b.params[k] - a.params[k]);
      out.push({
        ptsMs: this.nextFrame * this.frameMs,
        params,
        posterior: posterior === 'interpolate' ? lerp(a.posterior, b.posterior, t) : nearest(a, b, t),
        loudness: a.loudness + t * (b.loudness - a.loudness),
      });
      this.nextFrame++;
    }
  }

  /** Forgets the stream; the next sample is time 0 and the next frame frame 0. */
  reset(): void {
    this.extractor.reset();
    this.dynamics.reset();
    this.nextFrame = 0;
  }
}

function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const out = new Float32Array(NUM_CLASSES);
  for (let k = 0; k < NUM_CLASSES; k++) out[k] = a[k]! + t * (b[k]! - a[k]!);
  return out;
}

/** The nearer hop's posterior: interpolating one-hot posteriors would blur the class shown. */
function nearest(a: HopState, b: HopState, t: number): Float32Array {
  return Float32Array.from(t < 0.5 ? a.posterior : b.posterior);
}
