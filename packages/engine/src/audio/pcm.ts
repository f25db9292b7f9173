/** PCM16 helpers. Audio inside the engine is mono Int16 at a known rate; bytes on the wire are little-endian. */

/** Why a byte buffer is not PCM16. */
export type PcmProblem = 'odd_byte_count' | 'empty';

/** Checks that `bytes` can be read as whole PCM16 samples. */
export function checkPcm16(bytes: Uint8Array): PcmProblem | null {
  if (bytes.byteLength === 0) return 'empty';
  if (bytes.byteLength % 2 !== 0) return 'odd_byte_count';
  return null;
}

/** True on little-endian hosts, where wire bytes can be viewed as samples directly. */
const HOST_IS_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads little-endian PCM16 bytes as samples (copies, so the result is aligned and owned). */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.byteLength >> 1);
  if (HOST_IS_LE) {
    // One memcpy instead of a DataView read per sample: this is on every audio chunk's path.
    new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 2));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, out.length * 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Writes samples as little-endian PCM16 bytes. */
export function pcm16ToBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

/** Duration in milliseconds of `samples` at `sampleRateHz`. */
export function samplesToMs(samples: number, sampleRateHz: number): number {
  return (samples * 1000) / sampleRateHz;
}

/** Root-mean-square level of samples, 0..1 of full scale. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length) / 32768;
}

/** PCM16 chunks joined into one buffer. */
export function concatPcm16(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
