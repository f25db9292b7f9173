/** WAV (RIFF) reading and writing, in memory: PCM 8/16/24/32-bit integer and 32/64-bit float, any channels. */
import { resample } from './resample.js';

/** Decoded WAV audio: one Float32Array per channel, -1..1. */
export interface WavAudio {
  sampleRateHz: number;
  channels: Float32Array[];
}

/** Why a buffer could not be read as WAV. */
export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

interface WavFormat {
  format: number;
  channels: number;
  rate: number;
  bits: number;
}

/** Parses a WAV file. Throws WavError with a message a person can act on. */
export function decodeWav(bytes: Uint8Array): WavAudio {
  const { fmt, data } = parseWav(bytes);
  const isFloat = fmt.format === 3;
  const bytesPerSample = fmt.bits / 8;
  const frames = Math.floor(data.byteLength / (bytesPerSample * fmt.channels));
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < fmt.channels; c++) {
      const o = (i * fmt.channels + c) * bytesPerSample;
      let v: number;
      if (isFloat) v = fmt.bits === 32 ? d.getFloat32(o, true) : d.getFloat64(o, true);
      else if (fmt.bits === 8) v = (d.getUint8(o) - 128) / 128;
      else if (fmt.bits === 16) v = d.getInt16(o, true) / 32768;
      else if (fmt.bits === 24)
        v = (d.getUint8(o) | (d.getUint8(o + 1) << 8) | (d.getInt8(o + 2) << 16)) / 8388608;
      else v = d.getInt32(o, true) / 2147483648;
      channels[c]![i] = v;
    }
  }
  return { sampleRateHz: fmt.rate, channels };
}

/**
 * A WAV file as mono PCM16 at `rateHz`: downmixed and resampled as needed. A file that already is
 * mono PCM16 at that rate is taken as it is, without the round trip through floats (30 s of audio:
 * ~25 ms less, the start of an offline render).
 */
export function decodeWavPcm16(bytes: Uint8Array, rateHz: number): Int16Array {
  const { fmt, data } = parseWav(bytes);
  if (fmt.format === 1 && fmt.bits === 16 && fmt.channels === 1 && fmt.rate === rateHz && LITTLE_ENDIAN) {
    const out = new Int16Array(data.byteLength >> 1);
    new Uint8Array(out.buffer).set(data.subarray(0, out.byteLength));
    return out;
  }
  const wav = decodeWav(bytes);
  return floatToPcm16(resample(downmix(wav.channels), wav.sampleRateHz, rateHz));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The format and the sample bytes of a WAV file, checked. */
function parseWav(bytes: Uint8Array): { fmt: WavFormat; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new WavError(
      'not a WAV file (no RIFF/WAVE header); convert it with e.g. `ffmpeg -i in -ar 24000 out.wav`',
    );
  }
  let fmt: WavFormat | null = null;
  let data: Uint8Array | null = null;
  for (let o = 12; o + 8 <= bytes.byteLength;) {
    const id = tag(o);
    const size = view.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      let format = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first 2 bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 26) format = view.getUint16(body + 24, true);
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      // Streams written on the fly may carry a size of 0 or 0xffffffff: take the rest of the file.
      const end =
        size === 0 || size === 0xffffffff ? bytes.byteLength : Math.min(bytes.byteLength, body + size);
      data = bytes.subarray(body, end);
    }
    o = body + size + (size & 1);
    if (size === 0xffffffff) break;
  }
  if (!fmt) throw new WavError('WAV file has no fmt chunk');
  if (!data) throw new WavError('WAV file has no data chunk');
  if (fmt.channels < 1 || fmt.rate < 1000)
    throw new WavError(`unsupported WAV: ${fmt.channels} channels at ${fmt.rate} Hz`);
  const isInt = fmt.format === 1;
  const isFloat = fmt.format === 3;
  if (!(isInt && [8, 16, 24, 32].includes(fmt.bits)) && !(isFloat && [32, 64].includes(fmt.bits))) {
    throw new WavError(`unsupported WAV encoding (format ${fmt.format}, ${fmt.bits}-bit); use PCM or float`);
  }
  return { fmt, data };
}

/** Writes PCM16 as a WAV file; with `channels` > 1, `samples` are interleaved frames. */
export function encodeWav(samples: Int16Array, sampleRateHz: number, channels = 1): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(out.buffer);
  const str = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i);
  };
  str(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * 2 * channels, true);
  v.setUint16(32, 2 * channels, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + i * 2, samples[i]!, true);
  return out;
}

/** Averages channels to mono. */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const ch of channels) for (let i = 0; i < n; i++) out[i]! += ch[i]! / channels.length;
  return out;
}

/** Float -1..1 → PCM16 with clipping. */
export function floatToPcm16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i]! * 32768)));
  return out;
}
