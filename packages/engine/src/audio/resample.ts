/**
 * Band-limited resampling by windowed-sinc interpolation (Blackman window). Whole-buffer, for offline
 * input (e.g. a 44.1 kHz WAV to 24 kHz); quality over speed, still ~100× real time.
 */

/** Taps on each side of the interpolation point. */
const HALF_TAPS = 24;

/** Resamples mono float audio from `fromHz` to `toHz`. */
export function resample(input: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (fromHz === toHz) return input.slice();
  const ratio = toHz / fromHz;
  const outLength = Math.floor(input.length * ratio);
  const out = new Float32Array(outLength);
  // When downsampling, lower the cutoff to the new Nyquist frequency (and widen the kernel with it).
  const cutoff = Math.min(1, ratio) * 0.95;
  const step = 1 / ratio;
  for (let i = 0; i < outLength; i++) {
    const t = i * step;
    const centre = Math.floor(t);
    let acc = 0;
    let norm = 0;
    const span = Math.ceil(HALF_TAPS / cutoff);
    for (let k = centre - span + 1; k <= centre + span; k++) {
      if (k < 0 || k >= input.length) continue;
      const x = (t - k) * cutoff;
      const w = x / (span * cutoff);
      if (w <= -1 || w >= 1) continue;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const win = 0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w);
      const h = sinc * win;
      acc += input[k]! * h;
      norm += h;
    }
    out[i] = norm > 0 ? acc / norm : 0;
  }
  return out;
}
