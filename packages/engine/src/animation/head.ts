/**
 * Head and brow motion (lipsync research notes §5): slow smooth drift of ±1–2°; while talking, head pitch
 * follows the voice's pitch (semitones re the speaker's running median, ±3°, low-passed at 1.5 Hz), more
 * motion when louder, nods of 3–6° on energy peaks and brow raises on pitch-accent peaks; while listening,
 * an attentive tilt and small nods 1–2 times per 10 s. Angles in degrees; pitch > 0 is chin down and yaw
 * follows gaze x (renderer convention).
 */
import type { AgentState } from '../audio/types.js';
import { ValueNoise, hash32, type Rng } from './random.js';
import type { SpeechCues } from './speech-activity.js';
import { Spring, clamp, clamp01, halfLifeForCutoffHz, pulse } from './springs.js';

/** Drift amplitude (deg per unit of noise) and lattice period (ms) per axis. */
const DRIFT = {
  yawDeg: 2.2,
  pitchDeg: 1.4,
  roll: 1.6,
  periodMs: { yaw: 2600, pitch: 3100, roll: 3700, offset: 4300 },
} as const;
/** Drift scale per state; talking adds loudness on top (louder speech, livelier head). */
const DRIFT_SCALE: Readonly<Record<AgentState, number>> = { idle: 1, listening: 0.7, talking: 1 };
const DRIFT_LOUDNESS_GAIN = 1.5;
/** Head pitch per semitone above the speaker's median (higher voice → head up, i.e. negative pitch). */
const PITCH_DEG_PER_SEMITONE = -0.6;
const PROSODY_MAX_DEG = 3;
/** Cutoff of the pitch → head low-pass, Hz (1–2 Hz per the notes). */
const PROSODY_CUTOFF_HZ = 1.5;
/** Speaker median tracking rate: a stochastic-median step per voiced frame, semitones. */
const MEDIAN_STEP_ST = 0.15;
/** Nods on energy peaks while talking: peak above the running mean, refractory, chance, size. */
const ENERGY_NOD = {
  marginRatio: 1.3,
  marginAbs: 0.08,
  refractoryMs: 2000,
  probability: 0.5,
  ampDeg: [3, 6],
  durMs: [300, 500],
} as const;
/** Brow raise on pitch accents: semitones above median, hold, size. */
const BROW_ACCENT = {
  thresholdSt: 2.5,
  refractoryMs: 900,
  probability: 0.7,
  holdMs: [150, 300],
  amount: [0.4, 0.7],
} as const;
/** Listening nods: interval 4–8 s (1.25–2.5 per 10 s), 2–4°, 400–600 ms, some double. */
const LISTEN_NOD = {
  intervalMs: [4000, 8000],
  ampDeg: [2, 4],
  durMs: [400, 600],
  doubleProbability: 0.25,
} as const;
/** Listening posture: attentive tilt and a slight forward lean. */
const LISTEN_POSTURE = { rollDeg: 2, pitchDeg: 1, brow: 0.12 } as const;
/** Share of a look-away taken by the head (eye–head coordination). */
const HEAD_GAZE_SHARE = { x: 0.25, y: 0.15 } as const;

interface Nod {
  startMs: number;
  durationMs: number;
  ampDeg: number;
  cycles: number;
}

/** Inputs of one head step. */
export interface HeadInput {
  nowMs: number;
  dtMs: number;
  state: AgentState;
  loudness: number;
  pitchHz: number | null;
  cues: SpeechCues;
  /** World gaze while looking away, deg (0, 0 when on the viewer). */
  awayXDeg: number;
  awayYDeg: number;
}

/** Head pose and brow of one step. */
export interface HeadSample {
  yaw: number;
  pitch: number;
  roll: number;
  brow: number;
  offsetX: number;
  offsetY: number;
}

/** Head motion generator. */
export class HeadMotion {
  private readonly noise: { yaw: ValueNoise; pitch: ValueNoise; roll: ValueNoise; offset: ValueNoise };
  private readonly driftScale = new Spring(1, 400);
  private readonly posture = { yaw: new Spring(0, 250), pitch: new Spring(0, 250), roll: new Spring(0, 400) };
  private readonly prosody = new Spring(0, halfLifeForCutoffHz(PROSODY_CUTOFF_HZ));
  private readonly brow = new Spring(0, 60);
  private readonly loudFast = new Spring(0, 40);
  private loudMeanValue = 0;
  private medianSt: number | null = null;
  private prosodyTargetDeg = 0;
  private lastDeviationSt = 0;
  private nods: Nod[] = [];
  private lastEnergyNodMs = -Infinity;
  private aboveEnergy = false;
  private lastAccentMs = -Infinity;
  private browUntilMs = -Infinity;
  private browAmount = 0;
  private nextListenNodMs: number | null = null;
  /** Nods started so far (energy and listening). */
  nodCount = 0;

  constructor(
    seed: number,
    private readonly rng: Rng,
  ) {
    this.noise = {
      yaw: new ValueNoise(hash32(seed, 1), DRIFT.periodMs.yaw),
      pitch: new ValueNoise(hash32(seed, 2), DRIFT.periodMs.pitch),
      roll: new ValueNoise(hash32(seed, 3), DRIFT.periodMs.roll),
      offset: new ValueNoise(hash32(seed, 4), DRIFT.periodMs.offset),
    };
  }

  /** Advances one frame. */
  update(i: HeadInput): HeadSample {
    const talking = i.state === 'talking';
    const loud = this.loudFast.step(talking ? clamp01(i.loudness) : 0, i.dtMs);
    // Slow running mean of loudness (τ ≈ 1.5 s) against which energy peaks are judged.
    this.loudMeanValue += (loud - this.loudMeanValue) * (1 - Math.exp(-i.dtMs / 1500));

    this.updateProsody(i, talking);
    if (talking) this.energyNods(i.nowMs, loud);
    this.listeningNods(i.nowMs, i.state);

    const scale = this.driftScale.step(
      DRIFT_SCALE[i.state] + (talking ? DRIFT_LOUDNESS_GAIN * loud : 0),
      i.dtMs,
    );
    const listening = i.state === 'listening';
    const yawP = this.posture.yaw.step(HEAD_GAZE_SHARE.x * i.awayXDeg, i.dtMs);
    const pitchP = this.posture.pitch.step(
      (listening ? LISTEN_POSTURE.pitchDeg : 0) + HEAD_GAZE_SHARE.y * i.awayYDeg,
      i.dtMs,
    );
    const rollP = this.posture.roll.step(listening ? LISTEN_POSTURE.rollDeg : 0, i.dtMs);
    const prosodyDeg = this.prosody.step(
      talking && i.cues.silentMs < 400 ? this.prosodyTargetDeg : 0,
      i.dtMs,
    );

    let nodDeg = 0;
    for (const n of this.nods) {
      const u = (i.nowMs - n.startMs) / n.durationMs;
      if (u > 0 && u < 1) nodDeg += n.ampDeg * pulse((u * n.cycles) % 1);
    }
    this.nods = this.nods.filter((n) => i.nowMs < n.startMs + n.durationMs);

    const browTarget =
      (listening ? LISTEN_POSTURE.brow : 0) + (i.nowMs < this.browUntilMs ? this.browAmount : 0);
    const t = i.nowMs;
    return {
      yaw: scale * DRIFT.yawDeg * this.noise.yaw.at(t) + yawP,
      pitch: scale * DRIFT.pitchDeg * this.noise.pitch.at(t) + pitchP + prosodyDeg + nodDeg,
      roll: scale * DRIFT.roll * this.noise.roll.at(t) + rollP,
      brow: clamp(this.brow.step(browTarget, i.dtMs), -1, 1),
      offsetX: 0.003 * scale * this.noise.offset.at(t),
      // Nodding also dips the head a little (fraction of the frame height per degree).
      offsetY: 0.0004 * nodDeg,
    };
  }

  /** Pitch → head pitch target and brow raises on accents. */
  private updateProsody(i: HeadInput, talking: boolean): void {
    if (!talking || i.pitchHz === null || !(i.pitchHz > 0) || !i.cues.speaking) return;
    const st = 12 * Math.log2(i.pitchHz / 100);
    if (this.medianSt === null) this.medianSt = st;
    // Stochastic median: robust to the octave errors any cheap F0 tracker makes.
    this.medianSt += MEDIAN_STEP_ST * Math.sign(st - this.medianSt);
    const dev = clamp(st - this.medianSt, -8, 8);
    this.prosodyTargetDeg = clamp(PITCH_DEG_PER_SEMITONE * dev, -PROSODY_MAX_DEG, PROSODY_MAX_DEG);

    const rising = dev >= BROW_ACCENT.thresholdSt && this.lastDeviationSt < BROW_ACCENT.thresholdSt;
    this.lastDeviationSt = dev;
    if (rising && i.nowMs - this.lastAccentMs >= BROW_ACCENT.refractoryMs) {
      this.lastAccentMs = i.nowMs;
      if (this.rng.chance(BROW_ACCENT.probability)) {
        this.browAmount =
          this.rng.range(BROW_ACCENT.amount[0], BROW_ACCENT.amount[1]) * clamp01(dev / 5 + 0.5);
        this.browUntilMs = i.nowMs + this.rng.range(BROW_ACCENT.holdMs[0], BROW_ACCENT.holdMs[1]);
      }
    }
  }

  /** A nod when loudness rises clearly above its running mean (stressed syllables). */
  private energyNods(nowMs: number, loud: number): void {
    const above = loud > this.loudMeanValue * ENERGY_NOD.marginRatio + ENERGY_NOD.marginAbs;
    const onset = above && !this.aboveEnergy;
    this.aboveEnergy = above;
    if (!onset || nowMs - this.lastEnergyNodMs < ENERGY_NOD.refractoryMs) return;
    this.lastEnergyNodMs = nowMs;
    if (!this.rng.chance(ENERGY_NOD.probability)) return;
    const prominence = clamp01((loud - this.loudMeanValue) / 0.3);
    const ampDeg = ENERGY_NOD.ampDeg[0] + (ENERGY_NOD.ampDeg[1] - ENERGY_NOD.ampDeg[0]) * prominence;
    this.addNod(nowMs, ampDeg, this.rng.range(ENERGY_NOD.durMs[0], ENERGY_NOD.durMs[1]), 1);
  }

  private listeningNods(nowMs: number, state: AgentState): void {
    if (state !== 'listening') {
      this.nextListenNodMs = null;
      return;
    }
    this.nextListenNodMs ??= nowMs + this.rng.range(LISTEN_NOD.intervalMs[0] / 2, LISTEN_NOD.intervalMs[1]);
    if (nowMs < this.nextListenNodMs) return;
    const double = this.rng.chance(LISTEN_NOD.doubleProbability);
    const durMs = this.rng.range(LISTEN_NOD.durMs[0], LISTEN_NOD.durMs[1]) * (double ? 1.7 : 1);
    this.addNod(nowMs, this.rng.range(LISTEN_NOD.ampDeg[0], LISTEN_NOD.ampDeg[1]), durMs, double ? 2 : 1);
    this.nextListenNodMs = nowMs + durMs + this.rng.range(LISTEN_NOD.intervalMs[0], LISTEN_NOD.intervalMs[1]);
  }

  private addNod(nowMs: number, ampDeg: number, durationMs: number, cycles: number): void {
    // One nod at a time: overlapping nods would add up to an implausible bob.
    if (this.nods.length > 0) return;
    this.nodCount++;
    this.nods.push({ startMs: nowMs, durationMs, ampDeg, cycles });
  }
}
