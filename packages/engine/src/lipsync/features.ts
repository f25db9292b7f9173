/**
 * Streaming acoustic features for lip-sync: PCM16 24 kHz → one 13-value frame per 10 ms hop
 * (12 MFCCs with causal mean normalisation, plus log energy relative to a decaying peak), with an
 * energy VAD. Sans-IO and chunk-invariant: the frames depend only on the samples, never on how they
 * were split into pushes.
 *
 * Why no 24 → 16 kHz resampler: the mel filterbank stops at 8 kHz, so it already discards what a
 * resampler would; computing the 32 ms window at 24 kHz (768 samples, FFT 1024) costs little and
 * adds no filter delay.
 */

/** Input rate. */
export const FEATURE_SAMPLE_RATE_HZ = 24_000;
/** Hop between feature frames. */
export const HOP_MS = 10;
/** Analysis window length. */
export const WINDOW_MS = 32;
/** Values per feature frame: 12 MFCCs + relative log energy. */
export const FEATURE_DIM = 13;

const HOP = (FEATURE_SAMPLE_RATE_HZ * HOP_MS) / 1000; // 240
const WIN = (FEATURE_SAMPLE_RATE_HZ * WINDOW_MS) / 1000; // 768
const HALF_WIN = WIN / 2;
const NFFT = 1024;
const RING = 1024; // ≥ WIN, power of two for masking
const MEL_BANDS = 26;
const MEL_LO_HZ = 100;
const MEL_HI_HZ = 8000;
const NUM_CEPS = 12;
const PRE_EMPHASIS = 0.97;
/** PCM16 → [-1, 1). */
const FULL_SCALE_INV = 1 / 32768;
/** CMN time constant: the mean follows the voice over about a second of speech. */
const CMN_ALPHA = HOP_MS / 1000;
/** AGC: the peak decays 6 dB per second, so a quieter voice is adopted within a few seconds. */
const PEAK_DECAY_DB = 0.06;
/** The peak never falls below this, so noise or near-silence is never mistaken for full-scale speech. */
const PEAK_FLOOR_DB = -45;
/** Relative energy is clipped here, so digital silence does not produce extreme features. */
const REL_FLOOR_DB = -60;
/** VAD hysteresis thresholds (dB re peak) and hangover (hops). */
const VAD_ON_DB = -30;
const VAD_OFF_DB = -40;
const VAD_HANGOVER_HOPS = 20;

/** One feature frame, centred on `hop` × 10 ms. */
export interface FeatureFrame {
  hop: number;
  /** FEATURE_DIM values: CMN'd MFCC 1..12, then energy in dB re the running peak / 10. */
  feat: Float32Array;
  /** MFCC 1..12 before CMN (training uses their mean over voiced frames as the CMN start). */
  mfcc: Float32Array;
  /** Frame energy, dB re full scale. */
  energyDb: number;
  /** 0..1, from energy re the running peak (−40 dB → 0, peak → 1). */
  loudness: number;
  /** Energy VAD with hysteresis, no hangover. */
  voiced: boolean;
  /** VAD with a 200 ms hangover: false only in real pauses, not in stop closures. */
  speech: boolean;
}

const hamming = new Float32Array(WIN);
for (let i = 0; i < WIN; i++) hamming[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (WIN - 1));
let windowPower = 0;
for (let i = 0; i < WIN; i++) windowPower += hamming[i]! * hamming[i]!;
/** A mel band's log power over digital silence: what the full computation gives for a zero window. */
const LOG_MEL_SILENCE = Math.log(0 / windowPower + 1e-10);

// Bit-reversal and twiddles for an in-place radix-2 FFT of NFFT points.
const bitrev = new Uint16Array(NFFT);
for (let i = 0, bits = Math.log2(NFFT); i < NFFT; i++) {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  bitrev[i] = r;
}
const cosT = new Float64Array(NFFT / 2);
const sinT = new Float64Array(NFFT / 2);
for (let i = 0; i < NFFT / 2; i++) {
  cosT[i] = Math.cos((2 * Math.PI * i) / NFFT);
  sinT[i] = -Math.sin((2 * Math.PI * i) / NFFT);
}

function fft(re: Float64Array, im: Float64Array): void {
  for (let i = 0; i < NFFT; i++) {
    const j = bitrev[i]!;
    if (j > i) {
      const t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
    }
  }
  for (let size = 2; size <= NFFT; size <<= 1) {
    const half = size >> 1;
    const step = NFFT / size;
    for (let start = 0; start < NFFT; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cosT[k * step]!;
        const wi = sinT[k * step]!;
        const a = start + k;
        const b = a + half;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

// Triangular mel filters as (first bin, weights) to skip the zeros.
const mel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const melInv = (m: number): number => 700 * (10 ** (m / 2595) - 1);
const melFilters: Array<{ first: number; weights: Float64Array }> = [];
{
  const edges: number[] = [];
  for (let i = 0; i < MEL_BANDS + 2; i++) {
    const m = mel(MEL_LO_HZ) + ((mel(MEL_HI_HZ) - mel(MEL_LO_HZ)) * i) / (MEL_BANDS + 1);
    edges.push((melInv(m) * NFFT) / FEATURE_SAMPLE_RATE_HZ);
  }
  for (let b = 0; b < MEL_BANDS; b++) {
    const [lo, mid, hi] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    const first = Math.ceil(lo);
    const last = Math.floor(hi);
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++)
      weights[k - first] = k <= mid ? (k - lo) / (mid - lo) : (hi - k) / (hi - mid);
    melFilters.push({ first, weights });
  }
}
const dct = new Float64Array(NUM_CEPS * MEL_BANDS);
for (let c = 0; c < NUM_CEPS; c++) {
  for (let b = 0; b < MEL_BANDS; b++)
    dct[c * MEL_BANDS + b] = Math.sqrt(2 / MEL_BANDS) * Math.cos((Math.PI * (c + 1) * (b + 0.5)) / MEL_BANDS);
}

/** Streaming MFCC + energy extractor; see the module comment. */
export class FeatureExtractor {
  private readonly pre = new Float64Array(RING);
  private readonly raw = new Float64Array(RING);
  private readonly re = new Float64Array(NFFT);
  private readonly im = new Float64Array(NFFT);
  private readonly logMel = new Float64Array(MEL_BANDS);
  private readonly cmn: Float64Array;
  private n = 0;
  // The fractional fields start as NaN and get their values from reset(). V8 types a field by the first
  // value stored in it; one first set to a whole number (0, -45) is re-typed when the first fraction
  // arrives (here: when speech follows a silent lead-in), and that throws away the optimised code of
  // `push` then being compiled: 3-4 compiles, ~60 ms of compiler time in a render's first second
  // (docs/benchmarks.md, session 13).
  private prev = NaN;
  private peakDb = NaN;
  /** Zero samples in a row at the end of the input (a fresh stream counts as silence). */
  private zeros = RING;
  private nextHop = 0;
  private voicedState = false;
  private hangover = 0;

  /** `cmnInit`: the mean of MFCC 1..12 over training speech, the CMN's starting point. */
  constructor(private readonly cmnInit: ArrayLike<number>) {
    this.cmn = Float64Array.from(cmnInit);
    this.reset();
  }

  /** Samples consumed so far. */
  get samples(): number {
    return this.n;
  }

  /** Feeds samples; calls `onFrame` for each hop whose window is complete. */
  push(samples: Int16Array, onFrame: (frame: FeatureFrame) => void): void {
    for (let i = 0; i < samples.length; i++) {
      // Times 2^-15 (exact, as the division is): while the input is silent, V8 would type a division
      // of integers as an integer, and drop the optimised loop at the first sample of speech.
      const x = samples[i]! * FULL_SCALE_INV;
      const idx = this.n & (RING - 1);
      this.pre[idx] = x - PRE_EMPHASIS * this.prev;
      this.raw[idx] = x;
      this.prev = x;
      this.zeros = x === 0 ? this.zeros + 1 : 0;
      this.n++;
      if (this.n === this.nextHop * HOP + HALF_WIN) onFrame(this.frame());
    }
  }

  /** Back to the start of a stream. */
  reset(): void {
    this.pre.fill(0);
    this.raw.fill(0);
    this.cmn.set(Array.from(this.cmnInit));
    this.n = 0;
    this.prev = 0;
    this.zeros = RING;
    this.nextHop = 0;
    this.peakDb = PEAK_FLOOR_DB;
    this.voicedState = false;
    this.hangover = 0;
  }

  private frame(): FeatureFrame {
    const { re, im, pre, raw, logMel, cmn } = this;
    const base = this.n - WIN; // may be negative at the start: the ring holds zeros there
    let energy = 0;
    if (this.zeros > WIN) {
      // Digital silence (lead-ins, TTS pauses): the window and the sample before it (pre-emphasis) are
      // zeros, so the spectrum is all zeros; the same values as computing it, without the FFT.
      logMel.fill(LOG_MEL_SILENCE);
    } else {
      for (let i = 0; i < WIN; i++) {
        const idx = (base + i) & (RING - 1);
        re[i] = pre[idx]! * hamming[i]!;
        energy += raw[idx]! * raw[idx]! * hamming[i]! * hamming[i]!;
      }
      re.fill(0, WIN);
      im.fill(0);
      fft(re, im);
      for (let b = 0; b < MEL_BANDS; b++) {
        const { first, weights } = melFilters[b]!;
        let acc = 0;
        for (let k = 0; k < weights.length; k++) {
          const r = re[first + k]!;
          const m = im[first + k]!;
          acc += weights[k]! * (r * r + m * m);
        }
        logMel[b] = Math.log(acc / windowPower + 1e-10);
      }
    }
    const energyDb = 10 * Math.log10(energy / windowPower + 1e-10);
    // AGC: a decaying peak, so energy features do not depend on the speaker's level.
    this.peakDb = Math.max(energyDb, this.peakDb - PEAK_DECAY_DB, PEAK_FLOOR_DB);
    const relDb = Math.max(REL_FLOOR_DB, energyDb - this.peakDb);
    this.voicedState = relDb > (this.voicedState ? VAD_OFF_DB : VAD_ON_DB);
    this.hangover = this.voicedState ? VAD_HANGOVER_HOPS : Math.max(0, this.hangover - 1);
    const feat = new Float32Array(FEATURE_DIM);
    const mfcc = new Float32Array(NUM_CEPS);
    for (let c = 0; c < NUM_CEPS; c++) {
      let acc = 0;
      for (let b = 0; b < MEL_BANDS; b++) acc += dct[c * MEL_BANDS + b]! * logMel[b]!;
      mfcc[c] = acc;
      // Causal CMN over voiced frames only: pauses would drag the mean toward the noise floor.
      if (this.voicedState) cmn[c] = cmn[c]! + CMN_ALPHA * (acc - cmn[c]!);
      feat[c] = acc - cmn[c]!;
    }
    feat[NUM_CEPS] = relDb / 10;
    const hop = this.nextHop++;
    const loudness = Math.min(1, Math.max(0, (relDb + 40) / 40));
    return featureFrame(hop, feat, mfcc, energyDb, loudness, this.voicedState, this.hangover > 0);
  }
}

/**
 * A feature frame object. V8 shapes every object made here like the first one, so the first is made
 * below with fractional numbers: silence gives whole ones (energy -100 dB, loudness 0), and objects
 * shaped for those are re-shaped at the first speech, which discards the optimised code using them.
 */
function featureFrame(
  hop: number,
  feat: Float32Array,
  mfcc: Float32Array,
  energyDb: number,
  loudness: number,
  voiced: boolean,
  speech: boolean,
): FeatureFrame {
  return { hop, feat, mfcc, energyDb, loudness, voiced, speech };
}
featureFrame(0.5, new Float32Array(0), new Float32Array(0), 0.5, 0.5, false, false);
