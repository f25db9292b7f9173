import { describe, expect, it } from 'vitest';
import { resample } from './resample.js';
import { decodeWav, decodeWavPcm16, downmix, encodeWav, floatToPcm16, WavError } from './wav.js';

function tone(hz: number, rate: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate),
  );
}
/** Dominant frequency by zero crossings. */
function zeroCrossHz(x: Float32Array, rate: number): number {
  let n = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) n++;
  return n / 2 / (x.length / rate);
}

describe('wav', () => {
  it('round-trips PCM16 mono', () => {
    const pcm = floatToPcm16(tone(440, 24_000, 0.1));
    const wav = decodeWav(encodeWav(pcm, 24_000));
    expect(wav.sampleRateHz).toBe(24_000);
    expect(floatToPcm16(wav.channels[0]!)).toEqual(pcm);
  });

  it('reads any WAV as mono PCM16 at a rate: as it is when it already is, else downmixed and resampled', () => {
    const pcm = floatToPcm16(tone(440, 24_000, 0.1));
    pcm[0] = -32768;
    pcm[1] = 32767;
    const taken = decodeWavPcm16(encodeWav(pcm, 24_000), 24_000);
    expect(taken).toEqual(pcm);
    // The same samples the long way round (through floats), which other files take.
    expect(taken).toEqual(floatToPcm16(decodeWav(encodeWav(pcm, 24_000)).channels[0]!));

    const left = floatToPcm16(tone(440, 48_000, 0.1));
    const right = floatToPcm16(tone(660, 48_000, 0.1));
    const stereo = new Int16Array(left.length * 2);
    left.forEach((v, i) => ((stereo[2 * i] = v), (stereo[2 * i + 1] = right[i]!)));
    const bytes = encodeWav(stereo, 48_000, 2);
    const wav = decodeWav(bytes);
    const mono = decodeWavPcm16(bytes, 24_000);
    expect(mono.length).toBe(left.length / 2);
    expect(mono).toEqual(floatToPcm16(resample(downmix(wav.channels), 48_000, 24_000)));
    expect(() => decodeWavPcm16(new Uint8Array(8), 24_000)).toThrow(WavError);
  });

  it('reads stereo float32 and downmixes', () => {
    const n = 100;
    const buf = new Uint8Array(44 + n * 8);
    const v = new DataView(buf.buffer);
    const put = (o: number, s: string) => [...s].forEach((c, i) => (buf[o + i] = c.charCodeAt(0)));
    put(0, 'RIFF');
    v.setUint32(4, 36 + n * 8, true);
    put(8, 'WAVE');
    put(12, 'fmt ');
    v.setUint32(16, 16, true);
    v.setUint16(20, 3, true);
    v.setUint16(22, 2, true);
    v.setUint32(24, 48_000, true);
    v.setUint16(34, 32, true);
    put(36, 'data');
    v.setUint32(40, n * 8, true);
    for (let i = 0; i < n; i++) {
      v.setFloat32(44 + i * 8, 0.5, true);
      v.setFloat32(48 + i * 8, -0.25, true);
    }
    const wav = decodeWav(buf);
    expect(wav.channels).toHaveLength(2);
    expect(downmix(wav.channels)[10]).toBeCloseTo(0.125, 6);
  });

  it('refuses non-WAV input with an actionable message', () => {
    expect(() => decodeWav(new TextEncoder().encode('ID3 this is an mp3'))).toThrow(WavError);
    expect(() => decodeWav(new TextEncoder().encode('ID3 this is an mp3'))).toThrow(/ffmpeg/);
  });
});

describe('resample', () => {
  it('keeps a tone at its frequency across 44.1 → 24 kHz and 16 → 24 kHz', () => {
    const down = resample(tone(440, 44_100, 1), 44_100, 24_000);
    expect(down.length).toBe(24_000);
    expect(zeroCrossHz(down, 24_000)).toBeCloseTo(440, -1);
    const up = resample(tone(300, 16_000, 1), 16_000, 24_000);
    expect(up.length).toBe(24_000);
    expect(zeroCrossHz(up, 24_000)).toBeCloseTo(300, -1);
  });

  it('removes content above the new Nyquist frequency when downsampling', () => {
    const high = resample(tone(15_000, 48_000, 0.5), 48_000, 24_000);
    const peak = high.slice(200, -200).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeLessThan(0.05);
  });
});

describe('encodeWav', () => {
  it('writes interleaved stereo that decodes back to its channels', () => {
    const frames = Int16Array.from([100, -100, 200, -200, 300, -300]);
    const wav = decodeWav(encodeWav(frames, 44_100, 2));
    expect(wav.sampleRateHz).toBe(44_100);
    expect(Array.from(floatToPcm16(wav.channels[0]!))).toEqual([100, 200, 300]);
    expect(Array.from(floatToPcm16(wav.channels[1]!))).toEqual([-100, -200, -300]);
  });
});
