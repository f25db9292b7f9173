/**
 * Seeded randomness for behaviour: a small PRNG with the distributions animation needs, and smooth 1-D
 * value noise. Every subsystem forks its own stream from the session seed, so adding a draw in one
 * (say, gaze) never reshuffles another (blinks) — pose sequences stay comparable across changes.
 */

/** splitmix32-style integer hash: well mixed, cheap, stable across platforms. */
export function hash32(a: number, b = 0): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Hashes a label to 32 bits (FNV-1a), for naming random streams. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A deterministic PRNG (mulberry32) with the distributions behaviour uses. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = hash32(seed >>> 0, 0x5eed) | 0;
  }

  /** An independent stream named `label`, derived from this stream's seed only. */
  static fork(seed: number, label: string): Rng {
    return new Rng(hash32(seed >>> 0, hashLabel(label)));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** -1 or +1. */
  sign(): number {
    return this.next() < 0.5 ? -1 : 1;
  }

  /** Standard normal (Box–Muller; one draw per call keeps the stream simple to reason about). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) never happens
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given arithmetic mean and log-space sigma. */
  logNormal(mean: number, sigmaLog: number): number {
    const mu = Math.log(mean) - (sigmaLog * sigmaLog) / 2;
    return Math.exp(mu + sigmaLog * this.normal());
  }
}

/** Quintic fade: C2-continuous, so noise has no visible velocity kinks. */
function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

/**
 * Smooth 1-D value noise in [-1, 1]: random values on a lattice `periodMs` apart, blended with a
 * quintic fade, plus a second octave at twice the rate and half the weight. Stateless in time, so it
 * can be sampled at any instant.
 */
export class ValueNoise {
  private readonly seed: number;

  constructor(
    seed: number,
    private readonly periodMs: number,
  ) {
    this.seed = seed >>> 0;
  }

  /** The noise at `tMs`, in [-1, 1]. */
  at(tMs: number): number {
    const a = this.octave(tMs / this.periodMs, 0);
    const b = this.octave((tMs * 2) / this.periodMs, 1);
    return (a + 0.5 * b) / 1.5;
  }

  private octave(x: number, octave: number): number {
    const i = Math.floor(x);
    const f = x - i;
    const v0 = this.lattice(i, octave);
    const v1 = this.lattice(i + 1, octave);
    return v0 + (v1 - v0) * fade(f);
  }

  private lattice(i: number, octave: number): number {
    return (hash32(hash32(this.seed, octave), i) / 4294967295) * 2 - 1;
  }
}
