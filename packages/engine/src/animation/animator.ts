/**
 * The behaviour layer: turns the agent state, the lip-sync mouth and the loudness and pitch of the
 * avatar's own voice into a whole AvatarPose, once per video frame. Sans-IO and deterministic: time comes
 * only from `ptsMs`, randomness only from the seed (one named stream per subsystem).
 */
import type { AgentState } from '../audio/types.js';
import { NEUTRAL_MOUTH, type AvatarPose, type MouthParams } from '../types.js';
import { BlinkGenerator, BLINK_RATE_PER_MIN } from './blink.js';
import { Breathing } from './breath.js';
import { GAZE_RANGE_X_DEG, GAZE_RANGE_Y_DEG, GazeController } from './gaze.js';
import { HairMotion } from './hair.js';
import { HeadMotion } from './head.js';
import { Rng, ValueNoise, hash32 } from './random.js';
import { SpeechActivity } from './speech-activity.js';
import { Spring, clamp, clamp01 } from './springs.js';

/** Options of an {@link Animator}. */
export interface AnimatorOptions {
  /** Seed of every random choice; same seed and inputs → same poses. */
  seed: number;
  /** Video frame rate the animator is stepped at (blinks are aligned so a frame shows the eye shut). */
  fps: number;
  /** Blink rates per state, blinks/min (defaults: idle 17, listening 17, talking 26). */
  blinkRatePerMin?: Partial<Record<AgentState, number>>;
}

/** What the animator needs for one frame. */
export interface AnimatorInput {
  /** Presentation time of the frame, ms. */
  ptsMs: number;
  state: AgentState;
  /** Lip-sync output for this frame; NEUTRAL_MOUTH when silent. */
  mouth: MouthParams;
  /** Loudness of the frame's speech, 0..1. */
  loudness: number;
  /** F0 of the frame's speech, Hz, or null/undefined when unvoiced or unknown. */
  pitchHz?: number | null;
}

const MOUTH_KEYS = Object.keys(NEUTRAL_MOUTH) as (keyof MouthParams)[];
/** Smile per state: warm while listening, a trace while talking, none at idle. */
const SMILE: Readonly<Record<AgentState, number>> = { idle: 0, listening: 0.3, talking: 0.05 };
/** Longest gap between frames treated as elapsed time; longer gaps (a stall, a seek) count as one frame. */
const MAX_STEP_MS = 250;
/** Blinks at the end of speech and at long pauses (chance, delay ms). */
const SPEECH_END_BLINK = { probability: 0.8, delayMs: [100, 250] } as const;
const PAUSE_BLINK = { probability: 0.3, delayMs: [50, 200] } as const;

/** Chance of a gaze-evoked blink for a shift of `deg`: 0 below 5°, rising to 50 % at 15° and above. */
export function gazeBlinkProbability(deg: number): number {
  return clamp((deg - 5) / 20, 0, 0.5);
}

/** The behaviour layer; see the module comment. Implements the frame scheduler's `Behaviour`. */
export class Animator {
  private readonly frameMs: number;
  private blink!: BlinkGenerator;
  private gaze!: GazeController;
  private breath!: Breathing;
  private head!: HeadMotion;
  private hair!: HairMotion;
  private speech!: SpeechActivity;
  private rng!: Rng;
  private smileNoise!: ValueNoise;
  private smile!: Spring;
  private relaxed!: Record<keyof MouthParams, Spring>;
  private clockMs = 0;
  private lastPtsMs: number | null = null;

  constructor(private readonly opts: AnimatorOptions) {
    if (!(opts.fps > 0)) throw new RangeError(`fps must be positive, got ${opts.fps}`);
    this.frameMs = 1000 / opts.fps;
    this.reset();
  }

  /** Back to the initial state: the next `step` sequence repeats the first one exactly. */
  reset(): void {
    const { seed } = this.opts;
    this.blink = new BlinkGenerator(Rng.fork(seed, 'blink'), this.frameMs, {
      ...BLINK_RATE_PER_MIN,
      ...this.opts.blinkRatePerMin,
    });
    this.gaze = new GazeController(Rng.fork(seed, 'gaze'));
    this.breath = new Breathing(Rng.fork(seed, 'breath'));
    this.head = new HeadMotion(hash32(seed, 0x4ead), Rng.fork(seed, 'head'));
    this.hair = new HairMotion();
    this.speech = new SpeechActivity();
    this.rng = Rng.fork(seed, 'animator');
    this.smileNoise = new ValueNoise(hash32(seed, 0x5e11e), 5000);
    this.smile = new Spring(0, 350);
    this.relaxed = Object.fromEntries(MOUTH_KEYS.map((k) => [k, new Spring(0, 60)])) as Record<
      keyof MouthParams,
      Spring
    >;
    this.clockMs = 0;
    this.lastPtsMs = null;
  }

  /** Blinks and nods so far (a double blink counts twice), for logs and tests. */
  get counts(): { blinks: number; nods: number; breaths: number } {
    return { blinks: this.blink.blinkCount, nods: this.head.nodCount, breaths: this.breath.breathCount };
  }

  /** Computes the pose of one frame. Call once per frame with increasing `ptsMs`. */
  step(input: AnimatorInput): AvatarPose {
    const dtMs = this.advanceClock(input.ptsMs);
    const now = this.clockMs;
    const { state } = input;
    const loudness = Number.isFinite(input.loudness) ? clamp01(input.loudness) : 0;

    const cues = this.speech.update(state, loudness, dtMs);
    if (cues.speechEnd && this.rng.chance(SPEECH_END_BLINK.probability)) {
      this.blink.trigger(now, this.rng.range(SPEECH_END_BLINK.delayMs[0], SPEECH_END_BLINK.delayMs[1]));
    } else if (cues.pauseStart && this.rng.chance(PAUSE_BLINK.probability)) {
      this.blink.trigger(now, this.rng.range(PAUSE_BLINK.delayMs[0], PAUSE_BLINK.delayMs[1]));
    }

    const g = this.gaze.update(now, state, cues);
    if (g.shiftDeg > 0 && this.rng.chance(gazeBlinkProbability(g.shiftDeg))) this.blink.trigger(now);
    const eyeClose = this.blink.update(now, state);
    const breath = this.breath.update(now, state === 'talking', cues);
    const head = this.head.update({
      nowMs: now,
      dtMs,
      state,
      loudness,
      pitchHz: input.pitchHz ?? null,
      cues,
      awayXDeg: g.away ? g.xDeg : 0,
      awayYDeg: g.away ? g.yDeg : 0,
    });
    const hair = this.hair.update(head, dtMs);
    const smileTarget = SMILE[state] * (1 + 0.15 * this.smileNoise.at(now));

    return {
      mouth: this.mouth(input.mouth, state === 'talking', dtMs),
      eyeClose: { left: eyeClose, right: eyeClose },
      // Eyes counter-rotate the head (vestibulo-ocular reflex), so eye contact holds while the head drifts.
      gaze: {
        x: clamp((g.xDeg - head.yaw) / GAZE_RANGE_X_DEG, -1, 1),
        y: clamp((g.yDeg - head.pitch) / GAZE_RANGE_Y_DEG, -1, 1),
      },
      browRaise: head.brow,
      head: { yaw: head.yaw, pitch: head.pitch, roll: head.roll },
      headOffset: { x: head.offsetX, y: head.offsetY },
      breath,
      smile: clamp01(this.smile.step(smileTarget, dtMs)),
      hair,
    };
  }

  /**
   * Lip-sync already smooths the mouth (and each utterance's estimator starts on silence, so its first
   * frame opens from closed), so while talking it passes through untouched: any filtering here would
   * add lag and hold back the first syllable. Outside talking it relaxes towards the input (normally
   * neutral) on springs, so an interrupt mid-word never snaps the mouth shut.
   */
  private mouth(input: MouthParams, talking: boolean, dtMs: number): MouthParams {
    const out = { ...NEUTRAL_MOUTH };
    for (const k of MOUTH_KEYS) {
      const target = Number.isFinite(input[k]) ? clamp01(input[k]) : 0;
      const s = this.relaxed[k];
      // Talking keeps the springs on the mouth with its velocity, so leaving hands over smoothly.
      if (talking) s.set(target, dtMs > 0 ? (target - s.value) / (dtMs / 1000) : 0);
      else s.step(target, dtMs);
      out[k] = clamp01(s.value);
    }
    return out;
  }

  private advanceClock(ptsMs: number): number {
    let dtMs = 0;
    if (this.lastPtsMs !== null) {
      const d = ptsMs - this.lastPtsMs;
      dtMs = d >= 0 && d <= MAX_STEP_MS ? d : this.frameMs;
    }
    this.lastPtsMs = ptsMs;
    this.clockMs += dtMs;
    return dtMs;
  }
}
