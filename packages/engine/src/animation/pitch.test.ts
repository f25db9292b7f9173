import { describe, expect, it } from 'vitest';
import { PitchTracker, detectPitchHz } from './pitch.js';
import { Rng } from './random.js';

const SR = 24_000;

/** A voice-like tone: fundamental plus decaying harmonics, PCM16. */
function tone(f0: number, samples: number, amplitude = 8000, offset = 0): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    const ph = (2 * Math.PI * f0 * (i + offset)) / SR;
    out[i] = Math.round(
      (amplitude * (Math.sin(ph) + 0.5 * Math.sin(2 * ph + 1) + 0.3 * Math.sin(3 * ph + 2))) / 1.8,
    );
  }
  return out;
}

function noise(seed: number, samples: number, amplitude: number): Int16Array {
  const rng = new Rng(seed);
  return Int16Array.from({ length: samples }, () => Math.round(amplitude * (rng.next() * 2 - 1)));
}

describe('pitch tracker', () => {
  it.each([120, 220])('finds %d Hz within ±3 % (pure and with harmonics)', (f0) => {
    const pure = new Int16Array(960).map((_, i) => Math.round(9000 * Math.sin((2 * Math.PI * f0 * i) / SR)));
    for (const frame of [pure, tone(f0, 960), tone(f0, 800, 3000, 17)]) {
      const hz = detectPitchHz(frame, SR);
      expect(hz).not.toBeNull();
      expect(Math.abs(hz! - f0) / f0).toBeLessThan(0.03);
    }
  });

  it('covers the speech range 75–380 Hz', () => {
    for (const f0 of [75, 95, 140, 180, 260, 380]) {
      const hz = detectPitchHz(tone(f0, 960), SR);
      expect(Math.abs(hz! - f0) / f0).toBeLessThan(0.03);
    }
  });

  it('reports unvoiced for silence and noise', () => {
    expect(detectPitchHz(new Int16Array(960), SR)).toBeNull();
    expect(detectPitchHz(noise(1, 960, 20), SR)).toBeNull(); // near-silent hiss
    let voiced = 0;
    for (let s = 0; s < 100; s++) if (detectPitchHz(noise(s, 960, 10_000), SR) !== null) voiced++;
    expect(voiced).toBeLessThanOrEqual(2);
  });

  it('streams: short chunks fill the window, a glide is followed', () => {
    const t = new PitchTracker({ sampleRateHz: SR });
    const out: (number | null)[] = [];
    let phase = 0;
    for (let c = 0; c < 100; c++) {
      const f0 = 120 + c; // 120 → 219 Hz over 100 chunks of 10 ms
      const chunk = new Int16Array(240);
      for (let i = 0; i < chunk.length; i++) {
        phase += (2 * Math.PI * f0) / SR;
        chunk[i] = Math.round(8000 * Math.sin(phase));
      }
      out.push(t.push(chunk));
    }
    expect(out[0]).toBeNull(); // 10 ms is too little for a period of the lowest pitches
    expect(Math.abs(out[99]! - 219) / 219).toBeLessThan(0.03);
    expect(Math.abs(out[50]! - 168.5) / 168.5).toBeLessThan(0.03);
  });
});
