/**
 * Streaming sample-rate conversion of PCM16 mono, for the viewers' microphones (WebRTC delivers 10 ms
 * frames at 48 kHz, sometimes 16/24/32/44.1 kHz) on their way to the VAD and STT at 16 kHz.
 *
 * A polyphase windowed-sinc FIR (Kaiser window) at the exact rational ratio L/M: output sample n sits
 * at input time n·M/L and is the dot product of 2H input samples with one of L precomputed phases.
 * The low-pass sits below the lower of the two Nyquist frequencies, so decimation cannot alias and
 * interpolation leaves no images. Sans-IO and chunk-invariant: the output is bit-identical however the
 * input is split, because each output depends only on its input window, never on chunk boundaries.
 * Output is time-aligned with the input (sample n is at n/outputRateHz s, no group delay); the price
 * is H input samples of latency (about 1.8 ms at 48 kHz), released by `flush()`.
 */

/** Options of a {@link Resampler}. */
export interface ResamplerOptions {
  inputRateHz: number;
  outputRateHz: number;
}

/** Stopband attenuation of the low-pass, dB (Kaiser design). Quantisation to PCM16 sits near 90 dB. */
const STOPBAND_DB = 70;
/** Passband edge as a fraction of the lower Nyquist frequency (6.8 kHz for 16 kHz output). */
const PASSBAND_FRACTION = 0.85;

/** The immutable filter of one rate pair, shared by every resampler of that pair. */
interface Filter {
  up: number;
  down: number;
  /** Taps on each side of the output time, input samples. */
  half: number;
  /** `up` rows of 2·half coefficients; row p serves outputs at input time k + p/up. */
  coefs: Float64Array;
}

const filters = new Map<string, Filter>();

/** Converts a stream of PCM16 mono from one sample rate to another: `push()` → `flush()` → `reset()`. */
export class Resampler {
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  private readonly filter: Filter | null;
  /** Unread input, from the first tap of the next output on (`start`); may begin with history zeros. */
  private buf = new Int16Array(0);
  private len = 0;
  /** Index in `buf` of the first tap of the next output. */
  private start = 0;
  /** The next output sits at `buf` index start + half - 1 + phase/up (input samples). */
  private phase = 0;
  private inputCount = 0;
  private outputCount = 0;

  constructor(options: ResamplerOptions) {
    const { inputRateHz, outputRateHz } = options;
    if (
      !Number.isInteger(inputRateHz) ||
      !Number.isInteger(outputRateHz) ||
      inputRateHz <= 0 ||
      outputRateHz <= 0
    ) {
      throw new RangeError(
        `sample rates must be positive integers (got ${inputRateHz} → ${outputRateHz} Hz)`,
      );
    }
    this.inputRateHz = inputRateHz;
    this.outputRateHz = outputRateHz;
    this.filter = inputRateHz === outputRateHz ? null : filterFor(inputRateHz, outputRateHz);
    this.reset();
  }

  /** Input samples held back until later input (or `flush()`) completes their output window. */
  get latencySamples(): number {
    return this.filter?.half ?? 0;
  }

  /** Resamples the next chunk; returns the output it completes (possibly empty). */
  push(input: Int16Array): Int16Array {
    this.inputCount += input.length;
    if (!this.filter) {
      this.outputCount += input.length;
      return input.slice();
    }
    this.append(input);
    return this.drain(Infinity);
  }

  /** Ends the stream: returns the held-back tail (the input after it counts as silence), then resets. */
  flush(): Int16Array {
    if (!this.filter) {
      this.reset();
      return new Int16Array(0);
    }
    const total = Math.ceil((this.inputCount * this.filter.up) / this.filter.down);
    this.append(new Int16Array(this.filter.half));
    const out = this.drain(total - this.outputCount);
    this.reset();
    return out;
  }

  /** Forgets all input: the next push starts a new stream at time 0. */
  reset(): void {
    this.inputCount = 0;
    this.outputCount = 0;
    this.phase = 0;
    this.start = 0;
    // The first output (time 0) reaches half-1 samples into the silence before the stream.
    this.len = this.filter ? this.filter.half - 1 : 0;
    this.buf = new Int16Array(Math.max(this.len, 1024));
  }

  private append(input: Int16Array): void {
    // Drop what no future output reads, then make room: amortised O(1) per sample, no per-push garbage.
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.len);
      this.len -= this.start;
      this.start = 0;
    }
    if (this.len + input.length > this.buf.length) {
      const grown = new Int16Array(Math.max(this.len + input.length, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(input, this.len);
    this.len += input.length;
  }

  /** Computes every output whose window is complete, at most `limit`. */
  private drain(limit: number): Int16Array {
    const { up, down, half, coefs } = this.filter!;
    const taps = 2 * half;
    // Output n (from now) reads buf[start + floor((phase + n·down)/up) + taps - 1]; count those < len.
    const spare = this.len - taps - this.start;
    const ready = spare < 0 ? 0 : Math.floor(((spare + 1) * up - 1 - this.phase) / down) + 1;
    const count = Math.min(ready, limit);
    const out = new Int16Array(count);
    const buf = this.buf;
    const whole = Math.floor(down / up);
    const rest = down % up;
    let start = this.start;
    let phase = this.phase;
    for (let n = 0; n < count; n++) {
      const row = phase * taps;
      // Four partial sums: one accumulator would serialise every add on the FPU's latency (~2× slower).
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i < taps; i += 4) {
        const j = start + i;
        const k = row + i;
        a0 += buf[j]! * coefs[k]!;
        a1 += buf[j + 1]! * coefs[k + 1]!;
        a2 += buf[j + 2]! * coefs[k + 2]!;
        a3 += buf[j + 3]! * coefs[k + 3]!;
      }
      const s = Math.round(a0 + a1 + (a2 + a3));
      out[n] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
      start += whole;
      phase += rest;
      if (phase >= up) {
        phase -= up;
        start++;
      }
    }
    this.start = start;
    this.phase = phase;
    this.outputCount += count;
    return out;
  }
}

/** The filter of a rate pair, designed once per process. */
function filterFor(inputRateHz: number, outputRateHz: number): Filter {
  const key = `${inputRateHz}:${outputRateHz}`;
  let filter = filters.get(key);
  if (!filter) {
    filter = design(inputRateHz, outputRateHz);
    filters.set(key, filter);
  }
  return filter;
}

function design(inputRateHz: number, outputRateHz: number): Filter {
  const g = gcd(inputRateHz, outputRateHz);
  const up = outputRateHz / g;
  const down = inputRateHz / g;
  // Frequencies in cycles per input sample. The stopband starts at the lower Nyquist frequency.
  const stop = Math.min(inputRateHz, outputRateHz) / 2 / inputRateHz;
  const pass = stop * PASSBAND_FRACTION;
  const cutoff = (pass + stop) / 2;
  // Kaiser's estimates of the length and shape for STOPBAND_DB over the transition band.
  const length = (STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * (stop - pass));
  // Even, so that 2·half taps split into the inner loop's groups of four.
  const half = 2 * Math.ceil(length / 4);
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const taps = 2 * half;
  const coefs = new Float64Array(up * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    for (let i = 0; i < taps; i++) {
      // Tap i reads the input sample at distance x (input samples) before the output time.
      const x = half - 1 - i + p / up;
      const r = x / half;
      const window = Math.abs(r) < 1 ? besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta : 0;
      const arg = 2 * cutoff * x;
      const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
      const h = 2 * cutoff * sinc * window;
      coefs[p * taps + i] = h;
      sum += h;
    }
    // Unit DC gain in every phase: otherwise the gain would wobble with the phase pattern.
    for (let i = 0; i < taps; i++) coefs[p * taps + i]! /= sum;
  }
  return { up, down, half, coefs };
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for x < 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
