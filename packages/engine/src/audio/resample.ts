/**
 * Band-limited resampling by windowed-sinc interpolation (Blackman window). Whole-buffer, for offline
 * input (a 44.1 kHz WAV, a TTS sentence at 22.05 kHz → 24 kHz). Between common rates the output
 * times fall on a few fractional positions of the input (160 for 22 050 → 24 000), so each position's
 * kernel is computed once and every output is a dot product: 10–20× faster than when
 * every tap cost a sine and two cosines.
 */

/** Taps on each side of the interpolation point. */
const HALF_TAPS = 24;
/** Most distinct fractional positions whose kernels are tabulated; beyond, kernels are computed per output. */
const MAX_PHASES = 8192;

/** Resamples mono float audio from `fromHz` to `toHz`. */
export function resample(input: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (fromHz === toHz) return input.slice();
  const ratio = toHz / fromHz;
  const outLength = Math.floor(input.length * ratio);
  const out = new Float32Array(outLength);
  // When downsampling, lower the cutoff to the new Nyquist frequency (and widen the kernel with it).
  const cutoff = Math.min(1, ratio) * 0.95;
  const span = Math.ceil(HALF_TAPS / cutoff);
  const taps = 2 * span;
  // Output i sits at input time i·from/to = centre + phase/phases.
  const g = Number.isInteger(fromHz) && Number.isInteger(toHz) ? gcd(fromHz, toHz) : 0;
  const phases = g ? toHz / g : Infinity;
  const stride = g ? fromHz / g : 0;
  const table = phases <= MAX_PHASES ? new Array<Float64Array | undefined>(phases) : null;
  const scratch = new Float64Array(taps);
  for (let i = 0; i < outLength; i++) {
    let centre: number;
    let h: Float64Array;
    if (table) {
      const pos = i * stride;
      centre = Math.floor(pos / phases);
      const phase = pos - centre * phases;
      h = table[phase] ??= kernel(phase / phases, span, cutoff, new Float64Array(taps));
    } else {
      const t = (i * fromHz) / toHz;
      centre = Math.floor(t);
      h = kernel(t - centre, span, cutoff, scratch);
    }
    // Taps k = centre − span + 1 … centre + span; at the edges only those inside the input count.
    const first = centre - span + 1;
    const lo = Math.max(0, -first);
    const hi = Math.min(taps, input.length - first);
    let acc = 0;
    let norm = 0;
    for (let j = lo; j < hi; j++) {
      const w = h[j]!;
      acc += input[first + j]! * w;
      norm += w;
    }
    out[i] = norm > 0 ? acc / norm : 0;
  }
  return out;
}

/** The kernel at fractional position `frac` (0 ≤ frac < 1): tap j weighs input centre − span + 1 + j. */
function kernel(frac: number, span: number, cutoff: number, into: Float64Array): Float64Array {
  for (let j = 0; j < into.length; j++) {
    const x = (frac + span - 1 - j) * cutoff;
    const w = x / (span * cutoff);
    if (w <= -1 || w >= 1) {
      into[j] = 0;
      continue;
    }
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    into[j] = sinc * (0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w));
  }
  return into;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
