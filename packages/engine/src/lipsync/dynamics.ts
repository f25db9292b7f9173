/**
 * Mouth dynamics at the 10 ms hop rate: critically damped springs per parameter (fast attack, slower
 * release, so the mouth pops open and closes smoothly), plus the /p b m/ closure rule that keeps a
 * detected closure on screen for at least one video frame.
 */
import { NEUTRAL_MOUTH, type MouthParams } from '../types.js';

const KEYS = Object.keys(NEUTRAL_MOUTH) as Array<keyof MouthParams>;

/** Spring and closure settings. */
export interface DynamicsOptions {
  /** Step of `step()`. */
  hopMs: number;
  /** Time to reach ~90 % of a step when the value rises (attack) / falls (release). */
  attackMs: number;
  releaseMs: number;
  /** Shortest closure drawn once one starts (≥ one video frame, so a frame always catches it). */
  closureHoldMs: number;
}

// A critically damped step reaches 90 % at ω·t ≈ 3.89.
const OMEGA_T90 = 3.89;

/** Spring state for all mouth parameters; `step()` advances it one hop toward a target. */
export class MouthDynamics {
  private readonly x: MouthParams = { ...NEUTRAL_MOUTH };
  private readonly v: MouthParams = { ...NEUTRAL_MOUTH };
  private readonly decayAttack: number;
  private readonly decayRelease: number;
  private readonly omegaAttack: number;
  private readonly omegaRelease: number;
  private readonly holdHops: number;
  private hold = 0;
  private wasClosure = false;

  constructor(private readonly opts: DynamicsOptions) {
    this.omegaAttack = OMEGA_T90 / (opts.attackMs / 1000);
    this.omegaRelease = OMEGA_T90 / (opts.releaseMs / 1000);
    this.decayAttack = Math.exp((-this.omegaAttack * opts.hopMs) / 1000);
    this.decayRelease = Math.exp((-this.omegaRelease * opts.hopMs) / 1000);
    this.holdHops = Math.ceil(opts.closureHoldMs / opts.hopMs);
  }

  /**
   * One hop toward `target`. `closure` says the classifier sees /p b m/ now: the lips snap shut while it
   * lasts and for at least the hold from its start, because a closure shorter than a video frame may
   * never be drawn. Extending every closure instead would eat into the next vowel.
   */
  step(target: MouthParams, closure: boolean): MouthParams {
    if (closure && !this.wasClosure) this.hold = this.holdHops;
    else if (closure) this.hold = Math.max(this.hold, 1);
    this.wasClosure = closure;
    const dt = this.opts.hopMs / 1000;
    for (const k of KEYS) {
      const rising = target[k] > this.x[k];
      const w = rising ? this.omegaAttack : this.omegaRelease;
      const decay = rising ? this.decayAttack : this.decayRelease;
      // Exact solution of x'' = −2ωx' − ω²(x − target) over one step: stable for any step size.
      const y = this.x[k] - target[k];
      const c = this.v[k] + w * y;
      this.x[k] = target[k] + (y + c * dt) * decay;
      this.v[k] = (this.v[k] - w * c * dt) * decay;
    }
    if (this.hold > 0) {
      this.hold--;
      this.x.lipClose = 1;
      this.x.jawOpen = 0;
      this.x.teethShow = 0;
      this.v.lipClose = 0;
      this.v.jawOpen = 0;
      this.v.teethShow = 0;
    }
    return this.x;
  }

  /** Back to a neutral, still mouth. */
  reset(): void {
    Object.assign(this.x, NEUTRAL_MOUTH);
    Object.assign(this.v, NEUTRAL_MOUTH);
    this.hold = 0;
    this.wasClosure = false;
  }
}
