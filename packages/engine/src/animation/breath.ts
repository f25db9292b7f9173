/**
 * Breathing (lipsync research notes §5): at rest a slow cycle of ~12–16 breaths/min (inhale 1.1–1.4 s,
 * hold, exhale 1.6–2.0 s, pause); while talking the breath is spent slowly over a phrase and refilled
 * with a quick 0.3–0.5 s inhale at pauses of 300 ms or more, as speakers do.
 */
import type { Rng } from './random.js';
import type { SpeechCues } from './speech-activity.js';
import { Spring, clamp01, smoothstep } from './springs.js';

/** Phase durations of the rest cycle, ms [min, max]; together 3.5–5.0 s, i.e. 12–17 breaths/min. */
const INHALE_MS = [1100, 1400] as const;
const HOLD_MS = [200, 400] as const;
const EXHALE_MS = [1600, 2000] as const;
const REST_MS = [600, 1200] as const;
/** Depth (0..1) of one rest breath. */
const REST_DEPTH = [0.75, 1] as const;
/** Quick inhale at speech pauses. */
const QUICK_INHALE_MS = [300, 500] as const;
const QUICK_DEPTH = [0.6, 0.9] as const;
/** How long a full breath lasts when spent on speech, ms per unit of depth. */
const SPEECH_EXHALE_MS_PER_UNIT = 5000;
/** Level a speaker does not exhale below. */
const SPEECH_FLOOR = 0.1;
/** Silence within a talking turn after which the rest cycle resumes. */
const RESUME_CYCLE_SILENCE_MS = 1500;

type Phase = 'inhale' | 'hold' | 'exhale' | 'rest' | 'quick-inhale' | 'speech-exhale';

interface Segment {
  phase: Phase;
  from: number;
  to: number;
  startMs: number;
  durationMs: number;
}

/** Breath generator; `update` once per frame returns the breath amount 0..1. */
export class Breathing {
  private seg: Segment | null = null;
  private value = 0;
  /** Smooths the velocity kink when a segment is cut short (speech resumes mid-inhale). */
  private readonly spring = new Spring(0, 60);
  private lastMs: number | null = null;
  /** Breaths taken (inhale starts, rest or quick). */
  breathCount = 0;

  constructor(private readonly rng: Rng) {}

  /** Advances to `nowMs`. */
  update(nowMs: number, talking: boolean, cues: SpeechCues): number {
    if (!this.seg) this.seg = this.segment('rest', nowMs, this.value, this.rng.range(0, REST_MS[1]));
    this.value = this.valueAt(nowMs);

    const phase = this.seg.phase;
    if (talking && cues.speaking && phase !== 'speech-exhale') {
      const durationMs = Math.max(1, (this.value - SPEECH_FLOOR) * SPEECH_EXHALE_MS_PER_UNIT);
      this.seg = this.segment('speech-exhale', nowMs, SPEECH_FLOOR, durationMs);
    } else if (talking && cues.pauseStart) {
      this.breathCount++;
      const to = Math.max(this.value, this.rng.range(QUICK_DEPTH[0], QUICK_DEPTH[1]));
      this.seg = this.segment(
        'quick-inhale',
        nowMs,
        to,
        this.rng.range(QUICK_INHALE_MS[0], QUICK_INHALE_MS[1]),
      );
    } else if (phase === 'speech-exhale' && (!talking || cues.silentMs >= RESUME_CYCLE_SILENCE_MS)) {
      this.seg = this.segment(
        'exhale',
        nowMs,
        0,
        this.rng.range(EXHALE_MS[0], EXHALE_MS[1]) * Math.max(0.3, this.value),
      );
    } else if (nowMs >= this.seg.startMs + this.seg.durationMs) {
      this.seg = this.next(nowMs, talking, cues);
    }
    this.value = this.valueAt(nowMs);

    const dtMs = this.lastMs === null ? 0 : nowMs - this.lastMs;
    this.lastMs = nowMs;
    return clamp01(this.spring.step(this.value, dtMs));
  }

  private next(nowMs: number, talking: boolean, cues: SpeechCues): Segment {
    const cur = this.seg?.phase ?? 'rest';
    switch (cur) {
      case 'rest':
        this.breathCount++;
        return this.segment(
          'inhale',
          nowMs,
          this.rng.range(REST_DEPTH[0], REST_DEPTH[1]),
          this.rng.range(INHALE_MS[0], INHALE_MS[1]),
        );
      case 'inhale':
        return this.segment('hold', nowMs, this.value, this.rng.range(HOLD_MS[0], HOLD_MS[1]));
      case 'hold':
        return this.segment('exhale', nowMs, 0, this.rng.range(EXHALE_MS[0], EXHALE_MS[1]));
      case 'exhale':
        return this.segment('rest', nowMs, 0, this.rng.range(REST_MS[0], REST_MS[1]));
      case 'quick-inhale':
        // Hold the refilled breath for the next phrase; if none comes, the rest cycle takes over.
        if (talking && cues.silentMs < RESUME_CYCLE_SILENCE_MS)
          return this.segment('quick-inhale', nowMs, this.value, 100);
        return this.segment('hold', nowMs, this.value, this.rng.range(HOLD_MS[0], HOLD_MS[1]));
      case 'speech-exhale':
        return this.segment('speech-exhale', nowMs, this.value, 200);
    }
  }

  private segment(phase: Phase, nowMs: number, to: number, durationMs: number): Segment {
    return { phase, from: this.value, to, startMs: nowMs, durationMs: Math.max(1, durationMs) };
  }

  private valueAt(nowMs: number): number {
    const s = this.seg;
    if (!s) return this.value;
    return s.from + (s.to - s.from) * smoothstep((nowMs - s.startMs) / s.durationMs);
  }
}
