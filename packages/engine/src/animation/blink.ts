/**
 * Blinks (lipsync research notes §5): log-normal inter-blink intervals whose mean depends on the agent's
 * state (rest ~17/min, talking ~26/min), at least 0.8 s apart; each closure eases in over 60–80 ms,
 * holds 0–40 ms and eases out over 120–180 ms (opening is slower than closing); ~12 % are double blinks.
 * Extra blinks are requested at speech ends, long pauses and large gaze shifts.
 */
import type { AgentState } from '../audio/types.js';
import type { Rng } from './random.js';
import { easeInQuad, easeOutQuad } from './springs.js';

/** Blink rates, blinks per minute, per state (Bentivoglio et al. 1997: rest 17, conversation 26). */
export const BLINK_RATE_PER_MIN: Readonly<Record<AgentState, number>> = {
  idle: 17,
  listening: 17,
  talking: 26,
};
/** Log-space sigma of the inter-blink interval (coefficient of variation ≈ 0.66). */
const INTERVAL_SIGMA_LOG = 0.6;
/** Minimum gap between the starts of two blink episodes. */
export const BLINK_MIN_GAP_MS = 800;
/** Closing, hold and opening durations, ms [min, max]. */
export const BLINK_CLOSE_MS = [60, 80] as const;
export const BLINK_HOLD_MS = [0, 40] as const;
export const BLINK_OPEN_MS = [120, 180] as const;
/** Share of episodes that are double blinks. */
export const DOUBLE_BLINK_PROBABILITY = 0.12;
/** Openness at which the second closure of a double blink begins (the lid is 30 % closed). */
const DOUBLE_REOPEN_LEVEL = 0.3;
/**
 * Triggered blinks (pauses, speech ends, gaze shifts) add to the spontaneous ones; the spontaneous
 * intervals are stretched per state so the overall rate stays near the table (calibrated on 10 min
 * simulated runs over several seeds: idle has look-aways, talking has pauses every few seconds).
 */
const TRIGGER_COMPENSATION: Readonly<Record<AgentState, number>> = {
  idle: 1.15,
  listening: 1.02,
  talking: 1.55,
};

interface Closure {
  startMs: number;
  closeMs: number;
  holdMs: number;
  openMs: number;
}

/** Lid closure of one closure at `tMs`, 0 open … 1 shut. */
function closureAt(c: Closure, tMs: number): number {
  const u = tMs - c.startMs;
  if (u <= 0) return 0;
  if (u < c.closeMs) return easeInQuad(u / c.closeMs);
  const v = u - c.closeMs;
  if (v <= c.holdMs) return 1;
  const w = v - c.holdMs;
  if (w >= c.openMs) return 0;
  return 1 - easeOutQuad(w / c.openMs);
}

/** Generates blinks; `update` once per frame returns the lid closure (both eyes). */
export class BlinkGenerator {
  private closures: Closure[] = [];
  private nextSpontaneousMs: number | null = null;
  private lastEpisodeMs = -Infinity;
  private pendingTriggerMs: number | null = null;
  private state: AgentState = 'idle';
  /** Closures started so far (a double blink counts twice). */
  blinkCount = 0;

  constructor(
    private readonly rng: Rng,
    private readonly frameMs: number,
    private readonly ratePerMin: Readonly<Record<AgentState, number>> = BLINK_RATE_PER_MIN,
  ) {}

  /** Asks for a blink `delayMs` from now; dropped if it would come sooner than the minimum gap. */
  trigger(nowMs: number, delayMs = 0): void {
    const at = nowMs + delayMs;
    if (at - this.lastEpisodeMs < BLINK_MIN_GAP_MS) return;
    if (this.pendingTriggerMs === null || at < this.pendingTriggerMs) this.pendingTriggerMs = at;
  }

  /** Advances to `nowMs` in `state`; returns lid closure 0..1. */
  update(nowMs: number, state: AgentState): number {
    if (this.nextSpontaneousMs === null) {
      this.state = state;
      this.nextSpontaneousMs = nowMs + this.sampleIntervalMs(state) * this.rng.next();
    } else if (state !== this.state) {
      // Keep the phase of the pending interval but re-time it at the new state's rate.
      const ratio = this.meanIntervalMs(state) / this.meanIntervalMs(this.state);
      this.nextSpontaneousMs = nowMs + Math.max(0, this.nextSpontaneousMs - nowMs) * ratio;
      this.state = state;
    }

    const due =
      nowMs >= this.nextSpontaneousMs || (this.pendingTriggerMs !== null && nowMs >= this.pendingTriggerMs);
    if (due && nowMs - this.lastEpisodeMs >= BLINK_MIN_GAP_MS && !this.isClosing(nowMs))
      this.startEpisode(nowMs);
    else if (due && this.pendingTriggerMs !== null && nowMs >= this.pendingTriggerMs)
      this.pendingTriggerMs = null;

    let close = 0;
    for (const c of this.closures) close = Math.max(close, closureAt(c, nowMs));
    this.closures = this.closures.filter((c) => nowMs < c.startMs + c.closeMs + c.holdMs + c.openMs);
    return close;
  }

  private isClosing(nowMs: number): boolean {
    return this.closures.some((c) => closureAt(c, nowMs) > 0);
  }

  private startEpisode(nowMs: number): void {
    this.lastEpisodeMs = nowMs;
    this.pendingTriggerMs = null;
    this.nextSpontaneousMs = nowMs + Math.max(BLINK_MIN_GAP_MS, this.sampleIntervalMs(this.state));
    const first = this.newClosure(nowMs, nowMs);
    this.closures.push(first);
    if (this.rng.chance(DOUBLE_BLINK_PROBABILITY)) {
      // The second closure starts while the lid is still reopening, so it reads as one double blink.
      const reopenedMs = first.openMs * (1 - Math.sqrt(DOUBLE_REOPEN_LEVEL));
      const desired = first.startMs + first.closeMs + first.holdMs + reopenedMs + this.rng.range(0, 40);
      this.closures.push(this.newClosure(nowMs, desired));
    }
  }

  /**
   * A closure that begins at or after `desiredMs`, shifted so that a frame lands exactly at full
   * closure: at 25 fps a 70 ms close and 0–40 ms hold could otherwise fall between frames and never
   * show a shut eye.
   */
  private newClosure(nowMs: number, desiredMs: number): Closure {
    const closeMs = this.rng.range(BLINK_CLOSE_MS[0], BLINK_CLOSE_MS[1]);
    const holdMs = this.rng.range(BLINK_HOLD_MS[0], BLINK_HOLD_MS[1]);
    const openMs = this.rng.range(BLINK_OPEN_MS[0], BLINK_OPEN_MS[1]);
    const frames = Math.ceil((desiredMs - nowMs + closeMs) / this.frameMs - 1e-9);
    this.blinkCount++;
    return { startMs: nowMs + frames * this.frameMs - closeMs, closeMs, holdMs, openMs };
  }

  private meanIntervalMs(state: AgentState): number {
    // Episodes, not closures: a double blink is two blinks of the rate.
    return ((60_000 * (1 + DOUBLE_BLINK_PROBABILITY)) / this.ratePerMin[state]) * TRIGGER_COMPENSATION[state];
  }

  private sampleIntervalMs(state: AgentState): number {
    return this.rng.logNormal(this.meanIntervalMs(state), INTERVAL_SIGMA_LOG);
  }
}
