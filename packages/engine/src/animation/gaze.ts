/**
 * Saccades and gaze patterns (lipsync research notes §5; Lee, Badler & Badler 2002 "Eyes Alive"):
 * separate statistical modes for talking (look away at phrase starts, return at phrase ends), listening
 * (mostly on the viewer, micro-saccades) and idle (occasional look-aways). Gaze here is in degrees
 * relative to the viewer (the camera): +x to the avatar's screen right, +y down.
 */
import type { AgentState } from '../audio/types.js';
import type { Rng } from './random.js';
import type { SpeechCues } from './speech-activity.js';
import { easeOutCubic } from './springs.js';

/** Eye rotation (deg) that maps to gaze ±1 in AvatarPose, horizontally and vertically. */
export const GAZE_RANGE_X_DEG = 30;
export const GAZE_RANGE_Y_DEG = 25;

/** Saccade duration by amplitude (main-sequence rule of thumb: 20 ms + 2.5 ms/deg). */
export function saccadeDurationMs(amplitudeDeg: number): number {
  return 20 + 2.5 * Math.abs(amplitudeDeg);
}

/** Micro-saccades while fixating: 0.5–2° every 0.5–2 s, staying within this radius of the fixation point. */
const MICRO_AMPLITUDE_DEG = [0.5, 2] as const;
const MICRO_INTERVAL_MS = [500, 2000] as const;
const MICRO_RADIUS_DEG = 1.5;

/** Look-away parameters per mode: amplitude (deg), hold (ms) and interval between look-aways (ms). */
const IDLE_AWAY = { amplitudeDeg: [5, 16], holdMs: [1000, 3000], intervalMs: [4000, 10000] } as const;
const LISTEN_AWAY = { amplitudeDeg: [3, 8], holdMs: [500, 1200], intervalMs: [8000, 16000] } as const;
/** Speakers look away while planning a phrase and return to the listener towards its end. */
const PHRASE_AWAY = { probability: 0.6, amplitudeDeg: [6, 15], holdMs: [600, 2000] } as const;
/** Short glances away in the middle of long phrases. */
const GLANCE_AWAY = { amplitudeDeg: [4, 10], holdMs: [400, 1200], intervalMs: [3000, 7000] } as const;

interface Saccade {
  fromX: number;
  fromY: number;
  toX: number;
  toY: number;
  startMs: number;
  durationMs: number;
}

/** Gaze of one step, degrees from the viewer; `shiftDeg` is the amplitude of a saccade begun now, else 0. */
export interface GazeSample {
  xDeg: number;
  yDeg: number;
  shiftDeg: number;
  /** True while looking away from the viewer (head follows part of a look-away). */
  away: boolean;
}

/** Plans and plays saccades, one `update` per frame. */
export class GazeController {
  private x = 0;
  private y = 0;
  private centerX = 0;
  private centerY = 0;
  private saccade: Saccade | null = null;
  private away = false;
  private awayUntilMs = Infinity;
  private nextAwayMs = 0;
  private nextMicroMs = 0;
  private state: AgentState | null = null;

  constructor(private readonly rng: Rng) {}

  /** Advances to `nowMs`. */
  update(nowMs: number, state: AgentState, cues: SpeechCues): GazeSample {
    this.advance(nowMs);
    let shiftDeg = 0;
    const look = (tx: number, ty: number): void => {
      shiftDeg = Math.max(shiftDeg, this.startSaccade(nowMs, tx, ty));
    };

    if (state !== this.state) {
      this.state = state;
      if (this.away && state === 'listening') this.returnToViewer(nowMs, look);
      this.nextAwayMs = nowMs + this.awayInterval(state);
      this.nextMicroMs = nowMs + this.rng.range(MICRO_INTERVAL_MS[0], MICRO_INTERVAL_MS[1]);
    }

    if (state === 'talking') {
      if (cues.phraseStart && !this.away && this.rng.chance(PHRASE_AWAY.probability)) {
        this.lookAway(nowMs, PHRASE_AWAY.amplitudeDeg, PHRASE_AWAY.holdMs, look);
      } else if (this.away && (cues.pauseStart || nowMs >= this.awayUntilMs)) {
        this.returnToViewer(nowMs, look);
      } else if (!this.away && cues.speaking && nowMs >= this.nextAwayMs) {
        this.lookAway(nowMs, GLANCE_AWAY.amplitudeDeg, GLANCE_AWAY.holdMs, look);
      }
    } else {
      if (cues.speechEnd && this.away) this.returnToViewer(nowMs, look);
      else if (this.away && nowMs >= this.awayUntilMs) this.returnToViewer(nowMs, look);
      else if (!this.away && nowMs >= this.nextAwayMs) {
        const p = state === 'idle' ? IDLE_AWAY : LISTEN_AWAY;
        this.lookAway(nowMs, p.amplitudeDeg, p.holdMs, look);
      }
    }

    // Micro-saccades keep a fixation alive; they never interrupt a saccade in flight.
    if (shiftDeg === 0 && this.saccade === null && nowMs >= this.nextMicroMs) {
      const amp = this.rng.range(MICRO_AMPLITUDE_DEG[0], MICRO_AMPLITUDE_DEG[1]);
      const dx = this.x - this.centerX;
      const dy = this.y - this.centerY;
      // Aim back towards the fixation point when the drift has used up the radius, else anywhere.
      const theta =
        Math.hypot(dx, dy) + amp > MICRO_RADIUS_DEG
          ? Math.atan2(-dy, -dx) + this.rng.range(-0.8, 0.8)
          : this.rng.range(0, 2 * Math.PI);
      look(this.x + amp * Math.cos(theta), this.y + amp * Math.sin(theta));
      this.nextMicroMs = nowMs + this.rng.range(MICRO_INTERVAL_MS[0], MICRO_INTERVAL_MS[1]);
    }
    this.advance(nowMs);
    return { xDeg: this.x, yDeg: this.y, shiftDeg, away: this.away };
  }

  private awayInterval(state: AgentState): number {
    const r =
      state === 'idle'
        ? IDLE_AWAY.intervalMs
        : state === 'listening'
          ? LISTEN_AWAY.intervalMs
          : GLANCE_AWAY.intervalMs;
    return this.rng.range(r[0], r[1]);
  }

  private lookAway(
    nowMs: number,
    amplitudeDeg: readonly [number, number],
    holdMs: readonly [number, number],
    look: (x: number, y: number) => void,
  ): void {
    const amp = this.rng.range(amplitudeDeg[0], amplitudeDeg[1]);
    // Mostly sideways, a little up more often than down (looking up/aside while thinking).
    const theta = this.rng.range(-0.5, 0.3);
    const tx = this.rng.sign() * amp * Math.cos(theta);
    const ty = amp * Math.sin(theta);
    this.centerX = tx;
    this.centerY = ty;
    this.away = true;
    this.awayUntilMs = nowMs + this.rng.range(holdMs[0], holdMs[1]);
    this.nextAwayMs = Infinity;
    look(tx, ty);
  }

  private returnToViewer(nowMs: number, look: (x: number, y: number) => void): void {
    this.centerX = 0;
    this.centerY = 0;
    this.away = false;
    this.awayUntilMs = Infinity;
    this.nextAwayMs = nowMs + this.awayInterval(this.state ?? 'idle');
    look(this.rng.range(-0.5, 0.5), this.rng.range(-0.4, 0.4));
  }

  /** Starts a saccade from where the eye is now; returns its amplitude. */
  private startSaccade(nowMs: number, tx: number, ty: number): number {
    const amp = Math.hypot(tx - this.x, ty - this.y);
    this.saccade = {
      fromX: this.x,
      fromY: this.y,
      toX: tx,
      toY: ty,
      startMs: nowMs,
      durationMs: saccadeDurationMs(amp),
    };
    return amp;
  }

  private advance(nowMs: number): void {
    const s = this.saccade;
    if (!s) return;
    const p = easeOutCubic((nowMs - s.startMs) / s.durationMs);
    this.x = s.fromX + (s.toX - s.fromX) * p;
    this.y = s.fromY + (s.toY - s.fromY) * p;
    if (p >= 1) this.saccade = null;
  }
}
