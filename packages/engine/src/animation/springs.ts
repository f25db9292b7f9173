/**
 * Critically damped springs and easing curves. Every continuous behaviour value goes through a spring
 * (lipsync research notes §6a step 7, §5): a spring follows a moving target with no overshoot and, unlike
 * a lerp, keeps its velocity when the target changes, so state switches never show a kink or a jump.
 */

/** ω·h at which a critically damped spring from rest has covered half the way: e^(−x)(1 + x) = ½. */
const HALF_LIFE_OMEGA_TIMES_S = 1.678347;

/** Natural frequency ω (rad/s) of a spring that covers half the distance to a fixed target in `halfLifeMs`. */
function omegaForHalfLife(halfLifeMs: number): number {
  return HALF_LIFE_OMEGA_TIMES_S / Math.max(1e-6, halfLifeMs / 1000);
}

/**
 * Half-life (ms) of a critically damped spring whose −3 dB cutoff is `cutoffHz`: as a second-order
 * low-pass ω²/(s + ω)², it cuts off at ω·√(√2 − 1) ≈ 0.644 ω.
 */
export function halfLifeForCutoffHz(cutoffHz: number): number {
  const omega = (2 * Math.PI * cutoffHz) / Math.sqrt(Math.SQRT2 - 1);
  return (HALF_LIFE_OMEGA_TIMES_S * 1000) / omega;
}

/** A critically damped spring, integrated exactly (stable for any step). */
export class Spring {
  value: number;
  velocityPerS = 0;
  private omega: number;

  constructor(initial: number, halfLifeMs: number) {
    this.value = initial;
    this.omega = omegaForHalfLife(halfLifeMs);
  }

  /** Changes the stiffness without disturbing position or velocity. */
  setHalfLife(halfLifeMs: number): void {
    this.omega = omegaForHalfLife(halfLifeMs);
  }

  /** Advances `dtMs` towards `target` and returns the new value. */
  step(target: number, dtMs: number): number {
    const dt = dtMs / 1000;
    const y = this.omega;
    const j0 = this.value - target;
    const j1 = this.velocityPerS + j0 * y;
    const e = Math.exp(-y * dt);
    this.value = e * (j0 + j1 * dt) + target;
    this.velocityPerS = e * (this.velocityPerS - j1 * y * dt);
    return this.value;
  }

  /** Places the spring at `value` with velocity `velocityPerS` (pass-through mode). */
  set(value: number, velocityPerS = 0): void {
    this.value = value;
    this.velocityPerS = velocityPerS;
  }
}

/**
 * An underdamped spring (damping ratio < 1), integrated exactly for a target held over each step: it
 * overshoots a little and rings down, as loose things do (hair, earrings). The critically damped
 * {@link Spring} is for everything that must never overshoot.
 */
export class SwingSpring {
  value: number;
  velocityPerS = 0;
  private readonly omega: number;
  private readonly zeta: number;
  private readonly omegaD: number;

  /** `frequencyHz`: natural frequency; `dampingRatio`: 0 (rings forever) … < 1. */
  constructor(initial: number, frequencyHz: number, dampingRatio: number) {
    if (!(dampingRatio > 0 && dampingRatio < 1)) {
      throw new RangeError(`dampingRatio must be in (0, 1), got ${dampingRatio}`);
    }
    this.value = initial;
    this.omega = 2 * Math.PI * frequencyHz;
    this.zeta = dampingRatio;
    this.omegaD = this.omega * Math.sqrt(1 - dampingRatio * dampingRatio);
  }

  /** Advances `dtMs` towards `target` and returns the new value. */
  step(target: number, dtMs: number): number {
    const t = dtMs / 1000;
    const { omega: w, zeta: z, omegaD: wd } = this;
    const x0 = this.value - target;
    const v0 = this.velocityPerS;
    const e = Math.exp(-z * w * t);
    const c = Math.cos(wd * t);
    const s = Math.sin(wd * t);
    this.value = target + e * (x0 * c + ((v0 + z * w * x0) / wd) * s);
    this.velocityPerS = e * (v0 * c - ((z * w * v0 + w * w * x0) / wd) * s);
    return this.value;
  }

  /** Places the spring at `value` with velocity `velocityPerS`. */
  set(value: number, velocityPerS = 0): void {
    this.value = value;
    this.velocityPerS = velocityPerS;
  }
}

/** Clamps to [0, 1]. */
export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Clamps to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Quadratic ease-in on [0, 1]: starts slowly (a lid accelerating shut). */
export function easeInQuad(t: number): number {
  const u = clamp01(t);
  return u * u;
}

/** Quadratic ease-out on [0, 1]: ends slowly (a lid settling open). */
export function easeOutQuad(t: number): number {
  const u = clamp01(t);
  return 1 - (1 - u) * (1 - u);
}

/** Cubic ease-out on [0, 1]: a saccade's fast start and long deceleration. */
export function easeOutCubic(t: number): number {
  const u = 1 - clamp01(t);
  return 1 - u * u * u;
}

/** Smoothstep on [0, 1]: zero velocity at both ends (breathing phases). */
export function smoothstep(t: number): number {
  const u = clamp01(t);
  return u * u * (3 - 2 * u);
}

/** A down-and-back pulse on [0, 1]: 0 at both ends with zero velocity, 1 at the middle (a nod). */
export function pulse(t: number): number {
  if (t <= 0 || t >= 1) return 0;
  const s = Math.sin(Math.PI * t);
  return s * s;
}
