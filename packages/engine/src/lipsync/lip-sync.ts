/**
 * Audio-only streaming lip-sync (research notes §6a): PCM16 24 kHz in, one MouthFrame per video frame
 * out, each stamped with the audio time it depicts. Sans-IO: no timers, no I/O; chunking never changes
 * the output.
 *
 * Per 10 ms hop: features → MLP over stacked context → triangular posterior smoothing → class templates
 * with loudness gain → springs + closure rule. A video frame is the hop track sampled at its centre.
 * All but the smoothing and the closure threshold live in `LipSyncCore`, shared with `TextLipSync`.
 */
import { VISEME_CLASSES, type MouthFrame } from '../types.js';
import { HOP_MS, WINDOW_MS } from './features.js';
import { LipSyncCore, type HopPosterior, type HopState, type LipSyncCoreOptions } from './lip-sync-core.js';
import { CLASS_INDEX } from './phone-classes.js';

export { defaultLipSyncModel } from './lip-sync-core.js';

/** Most audio past a frame's centre that lip-sync may wait for (issue 3: ≤ 40 ms). */
export const MAX_LOOKAHEAD_MS = 40;

const NUM_CLASSES = VISEME_CLASSES.length;
const PP = CLASS_INDEX.PP;

/** Options of `LipSync`. */
export type LipSyncOptions = LipSyncCoreOptions;

/** Streaming audio → mouth estimator. */
export class LipSync {
  /** Audio past a frame's centre needed before the frame is emitted (§3.3 "lookahead A"). */
  readonly lookaheadMs: number;
  /** Duration of one video frame. */
  readonly frameMs: number;
  private readonly core: LipSyncCore;
  private readonly smoothHops: number;
  private readonly smoothWeights: number[];
  // Rings indexed by hop: raw posteriors and loudness (for smoothing), final hop states (for sampling).
  private readonly ringMask: number;
  private readonly posts: Float32Array[];
  private readonly loud: Float64Array;
  private readonly states: HopState[];
  private readonly stateAt = (h: number): HopState => this.states[h & this.ringMask]!;
  private lastStateHop = -1;

  constructor(opts: LipSyncOptions) {
    this.core = new LipSyncCore(opts);
    this.frameMs = this.core.frameMs;
    const s = this.core.model.smoothHops;
    this.smoothHops = s;
    this.lookaheadMs = (this.core.contextHops + s) * HOP_MS + WINDOW_MS / 2;
    if (this.lookaheadMs > MAX_LOOKAHEAD_MS)
      throw new RangeError(`model needs ${this.lookaheadMs} ms lookahead`);
    // Triangle weights over −s..s hops.
    const tri = Array.from({ length: 2 * s + 1 }, (_, i) => s + 1 - Math.abs(i - s));
    const triSum = tri.reduce((a, b) => a + b, 0);
    this.smoothWeights = tri.map((w) => w / triSum);
    // Holds the smoothing window and the two hops around the next frame's centre, with room to spare.
    const ringSize = 2 ** Math.ceil(Math.log2(2 * s + Math.ceil(this.frameMs / HOP_MS) + 8));
    this.ringMask = ringSize - 1;
    // Only hops already written are ever read: the window and the frame centres trail the newest hop.
    this.posts = new Array<Float32Array>(ringSize);
    this.loud = new Float64Array(ringSize);
    this.states = new Array<HopState>(ringSize);
  }

  /** Feeds PCM16 mono 24 kHz; returns the frames whose lookahead is now satisfied. */
  push(samples: Int16Array): MouthFrame[] {
    return this.onHops(this.core.push(samples));
  }

  /** End of stream: returns every remaining frame that covers audio (the future is silence), then resets. */
  flush(): MouthFrame[] {
    const durationMs = this.core.durationMs;
    const frames: MouthFrame[] = [];
    while (this.core.nextFrameMs < durationMs) frames.push(...this.onHops(this.core.pushSilentHop()));
    this.reset();
    return frames.filter((f) => f.ptsMs < durationMs);
  }

  /** Forgets the stream; the next sample is time 0. */
  reset(): void {
    this.core.reset();
    this.lastStateHop = -1;
  }

  private onHops(hops: HopPosterior[]): MouthFrame[] {
    const out: MouthFrame[] = [];
    const r = this.ringMask;
    for (const { hop: c, posterior, loudness } of hops) {
      this.posts[c & r] = posterior;
      this.loud[c & r] = loudness;
      const h = c - this.smoothHops; // hop whose smoothing window is now complete
      if (h < 0) continue;
      this.finishHop(h);
      // Per hop, before the ring wraps over the states the next frame needs.
      out.push(...this.core.sampleFrames(this.lastStateHop, this.stateAt, 'interpolate'));
    }
    return out;
  }

  private finishHop(h: number): void {
    const r = this.ringMask;
    const sm = this.smoothHops;
    const posterior = new Float32Array(NUM_CLASSES);
    for (let d = -sm; d <= sm; d++) {
      const p = this.posts[Math.max(0, h + d) & r]!;
      const w = this.smoothWeights[d + sm]!;
      for (let k = 0; k < NUM_CLASSES; k++) posterior[k] = posterior[k]! + w * p[k]!;
    }
    const loudness = this.loud[h & r]!;
    const closure = posterior[PP]! >= this.core.model.post.closureThreshold;
    this.states[h & r] = { posterior, params: this.core.stepMouth(posterior, loudness, closure), loudness };
    this.lastStateHop = h;
  }
}
