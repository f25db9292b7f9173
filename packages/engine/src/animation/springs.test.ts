import { describe, expect, it } from 'vitest';
import { Spring, halfLifeForCutoffHz } from './springs.js';
import { Rng, ValueNoise } from './random.js';

describe('Spring', () => {
  it('covers half the distance in one half-life and never overshoots', () => {
    const s = new Spring(0, 100);
    let max = 0;
    let atHalfLife = 0;
    for (let t = 1; t <= 1000; t++) {
      const v = s.step(1, 1);
      if (t === 100) atHalfLife = v;
      max = Math.max(max, v);
    }
    expect(atHalfLife).toBeGreaterThan(0.45);
    expect(atHalfLife).toBeLessThan(0.55);
    expect(max).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('gives the same result for any step size (exact integration)', () => {
    const a = new Spring(0, 80);
    const b = new Spring(0, 80);
    for (let i = 0; i < 40; i++) a.step(1, 1);
    b.step(1, 40);
    expect(a.value).toBeCloseTo(b.value, 9);
  });

  it('low-passes at the requested cutoff (−3 dB)', () => {
    const fc = 1.5;
    const gain = (hz: number): number => {
      const s = new Spring(0, halfLifeForCutoffHz(fc));
      let peak = 0;
      for (let t = 0; t < 8000; t++) {
        const v = s.step(Math.sin((2 * Math.PI * hz * t) / 1000), 1);
        if (t > 4000) peak = Math.max(peak, Math.abs(v));
      }
      return peak;
    };
    expect(gain(fc)).toBeCloseTo(Math.SQRT1_2, 1);
    expect(gain(0.2)).toBeGreaterThan(0.95);
    expect(gain(6)).toBeLessThan(0.15); // second order: 1/(1 + (6/0.644·1.5)²) ≈ 0.13
  });
});

describe('random', () => {
  it('repeats a stream for a seed and draws log-normal with the given mean', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 20_000 }, () => a.logNormal(3000, 0.6));
    expect(Array.from({ length: 20_000 }, () => b.logNormal(3000, 0.6))).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(2850);
    expect(mean).toBeLessThan(3150);
  });

  it('value noise is smooth and bounded', () => {
    const n = new ValueNoise(3, 2000);
    let prev = n.at(0);
    for (let t = 1; t < 20_000; t += 10) {
      const v = n.at(t);
      expect(Math.abs(v)).toBeLessThanOrEqual(1);
      expect(Math.abs(v - prev)).toBeLessThan(0.05);
      prev = v;
    }
  });
});
