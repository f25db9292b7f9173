/**
 * A cheap F0 (pitch) tracker for PCM16 speech, sans-IO: normalised autocorrelation on a 8 kHz decimated
 * copy finds the period, a few lags at the full rate with parabolic interpolation refine it, and the
 * height of the correlation peak decides voiced/unvoiced. About 35k multiply-adds per 40 ms frame, so it
 * can run on every video frame (head motion and brow raises follow pitch, lipsync research notes §5).
 */

/** Options of a {@link PitchTracker}. */
export interface PitchTrackerOptions {
  sampleRateHz?: number;
  /** Lowest and highest F0 searched, Hz. */
  minHz?: number;
  maxHz?: number;
  /** Analysis window, ms: the newest samples pushed (at least two periods of minHz). */
  windowMs?: number;
  /** Normalised autocorrelation peak needed to call a frame voiced (0..1). */
  voicingThreshold?: number;
  /** RMS below which a frame is silence, fraction of full scale. */
  silenceRms?: number;
}

const DEFAULTS: Required<PitchTrackerOptions> = {
  sampleRateHz: 24_000,
  minHz: 70,
  maxHz: 400,
  windowMs: 40,
  voicingThreshold: 0.55,
  silenceRms: 0.003,
};
/** Rate of the coarse search; F0 ≤ 400 Hz needs no more. */
const COARSE_RATE_HZ = 8000;
/** Among peaks this close to the best, take the shortest lag (guards against picking 2× the period). */
const OCTAVE_GUARD = 0.9;

/**
 * Streaming F0 tracker: `push` PCM16 audio (any chunking) and get the F0 of the newest window, or null
 * when unvoiced or silent.
 */
export class PitchTracker {
  private readonly o: Required<PitchTrackerOptions>;
  private readonly history: Float32Array;
  private filled = 0;
  private readonly decim: number;
  private readonly x: Float32Array;
  private readonly y: Float32Array;
  private readonly ySq: Float64Array;
  private readonly xSq: Float64Array;
  /** Coarse correlation by lag (scratch). */
  private readonly r: Float64Array;

  constructor(opts: PitchTrackerOptions = {}) {
    this.o = { ...DEFAULTS, ...opts };
    const n = Math.round((this.o.windowMs / 1000) * this.o.sampleRateHz);
    this.history = new Float32Array(n);
    this.decim = Math.max(1, Math.floor(this.o.sampleRateHz / COARSE_RATE_HZ));
    this.x = new Float32Array(n);
    this.y = new Float32Array(Math.floor(n / this.decim));
    this.xSq = new Float64Array(n + 1);
    this.ySq = new Float64Array(this.y.length + 1);
    this.r = new Float64Array(this.y.length + 2);
  }

  /** Forgets all audio. */
  reset(): void {
    this.filled = 0;
    this.history.fill(0);
  }

  /** Appends audio and returns the F0 (Hz) of the newest window, or null when unvoiced. */
  push(samples: Int16Array): number | null {
    const h = this.history;
    if (samples.length >= h.length) {
      for (let i = 0; i < h.length; i++) h[i] = samples[samples.length - h.length + i]! / 32768;
      this.filled = h.length;
    } else {
      h.copyWithin(0, samples.length);
      const base = h.length - samples.length;
      for (let i = 0; i < samples.length; i++) h[base + i] = samples[i]! / 32768;
      this.filled = Math.min(h.length, this.filled + samples.length);
    }
    return this.analyse(h.length - this.filled);
  }

  private analyse(start: number): number | null {
    const { sampleRateHz: sr, minHz, maxHz, voicingThreshold, silenceRms } = this.o;
    const n = this.history.length - start;
    if (n < 32) return null;
    const x = this.x;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += this.history[start + i]!;
    mean /= n;
    let energy = 0;
    for (let i = 0; i < n; i++) {
      const v = this.history[start + i]! - mean;
      x[i] = v;
      energy += v * v;
    }
    if (Math.sqrt(energy / n) < silenceRms) return null;

    // Coarse pass: box-filter and decimate (the box is a crude but sufficient anti-alias filter here).
    const d = this.decim;
    const m = Math.floor(n / d);
    const y = this.y;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k]!;
      y[i] = s / d;
    }
    const rate = sr / d;
    const lagMin = Math.max(2, Math.floor(rate / maxHz));
    const lagMax = Math.min(Math.ceil(rate / minHz), Math.floor(m / 2));
    if (lagMax <= lagMin + 1) return null;
    prefixSquares(y, m, this.ySq);

    let best = -1;
    let bestLag = -1;
    const r = this.r;
    for (let lag = lagMin; lag <= lagMax + 1; lag++) {
      r[lag] = nccf(y, m, lag, this.ySq);
      if (lag <= lagMax && r[lag]! > best) {
        best = r[lag]!;
        bestLag = lag;
      }
    }
    if (best < voicingThreshold) return null;
    // Shortest lag whose local peak is nearly as good: a period, not a multiple of it.
    for (let lag = lagMin + 1; lag < bestLag; lag++) {
      if (r[lag]! >= OCTAVE_GUARD * best && r[lag]! >= r[lag - 1]! && r[lag]! >= r[lag + 1]!) {
        bestLag = lag;
        break;
      }
    }

    // Fine pass at the full rate around the coarse lag, then a parabola through the top three.
    prefixSquares(x, n, this.xSq);
    const centre = bestLag * d;
    const lo = Math.max(1, centre - d - 1);
    const hi = Math.min(Math.floor(n / 2), centre + d + 1);
    let fineLag = centre;
    let fineBest = -Infinity;
    for (let lag = lo; lag <= hi; lag++) {
      const v = nccf(x, n, lag, this.xSq);
      if (v > fineBest) {
        fineBest = v;
        fineLag = lag;
      }
    }
    const a = fineLag > 1 ? nccf(x, n, fineLag - 1, this.xSq) : fineBest;
    const c = nccf(x, n, fineLag + 1, this.xSq);
    const denom = a - 2 * fineBest + c;
    const shift = denom < 0 ? (0.5 * (a - c)) / denom : 0;
    const period = fineLag + Math.max(-0.5, Math.min(0.5, shift));
    const f0 = sr / period;
    return f0 >= minHz * 0.97 && f0 <= maxHz * 1.03 ? f0 : null;
  }
}

/** sq[i] = Σ v[0..i)². */
function prefixSquares(v: Float32Array, n: number, sq: Float64Array): void {
  sq[0] = 0;
  for (let i = 0; i < n; i++) sq[i + 1] = sq[i]! + v[i]! * v[i]!;
}

/** Normalised cross-correlation of v[0..n-lag) with v[lag..n). */
function nccf(v: Float32Array, n: number, lag: number, sq: Float64Array): number {
  const len = n - lag;
  if (len <= 0) return 0;
  let s = 0;
  for (let i = 0; i < len; i++) s += v[i]! * v[i + lag]!;
  const e0 = sq[len]!;
  const e1 = sq[n]! - sq[lag]!;
  const den = Math.sqrt(e0 * e1);
  return den > 0 ? s / den : 0;
}

const shared = new Map<number, PitchTracker>();

/**
 * F0 of one frame of PCM16 audio (Hz), or null when unvoiced or silent. Stateless from the caller's view
 * (fits the frame scheduler's `pitch` option); use a {@link PitchTracker} when chunks are shorter than
 * the 40 ms window.
 */
export function detectPitchHz(samples: Int16Array, sampleRateHz: number): number | null {
  let t = shared.get(sampleRateHz);
  if (!t) {
    t = new PitchTracker({ sampleRateHz });
    shared.set(sampleRateHz, t);
  }
  t.reset();
  return t.push(samples);
}
