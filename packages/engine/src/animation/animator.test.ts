import { describe, expect, it } from 'vitest';
import type { AgentState } from '../audio/types.js';
import type { Behaviour } from '../scheduler/frame-scheduler.js';
import { NEUTRAL_MOUTH, type AvatarPose, type MouthParams } from '../types.js';
import { Animator, type AnimatorInput } from './animator.js';
import { Rng } from './random.js';

const FPS = 25;
const FRAME_MS = 1000 / FPS;

/**
 * Speech-like input: phrases of 0.8–3 s separated by 0.35–0.9 s pauses; within a phrase the loudness
 * follows ~4 Hz syllables and the pitch a declining contour with accents. `level` scales loudness and
 * `pitchSpanSt` the pitch excursions, so loud expressive and quiet flat speech can be compared.
 */
function speechInputs(
  seed: number,
  seconds: number,
  level: number,
  pitchSpanSt: number,
): Omit<AnimatorInput, 'ptsMs' | 'state'>[] {
  const rng = new Rng(seed);
  const out: Omit<AnimatorInput, 'ptsMs' | 'state'>[] = [];
  const frames = Math.round(seconds * FPS);
  while (out.length < frames) {
    const phraseFrames = Math.round(rng.range(0.8, 3) * FPS);
    const accent = rng.range(0, phraseFrames);
    for (let i = 0; i < phraseFrames; i++) {
      const syl = Math.max(0, Math.sin((2 * Math.PI * 4 * i) / FPS + rng.range(-0.3, 0.3)));
      const loudness = level * (0.35 + 0.65 * syl);
      const st = pitchSpanSt * (0.5 - i / phraseFrames + 1.2 * Math.exp(-(((i - accent) / 4) ** 2)));
      const voiced = syl > 0.2;
      const mouth: MouthParams = { ...NEUTRAL_MOUTH, jawOpen: 0.6 * syl, lipSpread: 0.2 * syl };
      out.push({ mouth, loudness, pitchHz: voiced ? 140 * 2 ** (st / 12) : null });
    }
    const pauseFrames = Math.round(rng.range(0.35, 0.9) * FPS);
    for (let i = 0; i < pauseFrames; i++)
      out.push({ mouth: { ...NEUTRAL_MOUTH }, loudness: 0, pitchHz: null });
  }
  return out.slice(0, frames);
}

const silent = (): Omit<AnimatorInput, 'ptsMs' | 'state'> => ({
  mouth: { ...NEUTRAL_MOUTH },
  loudness: 0,
  pitchHz: null,
});

/** Runs `frames` frames; `plan(i)` gives the state and input of frame i. */
function run(
  seed: number,
  frames: number,
  plan: (i: number) => { state: AgentState; input?: Omit<AnimatorInput, 'ptsMs' | 'state'> },
  fps = FPS,
): AvatarPose[] {
  const a = new Animator({ seed, fps });
  const poses: AvatarPose[] = [];
  for (let i = 0; i < frames; i++) {
    const p = plan(i);
    poses.push(a.step({ ptsMs: (i * 1000) / fps, state: p.state, ...(p.input ?? silent()) }));
  }
  return poses;
}

/** Blinks = upward crossings of half-closed. */
function countBlinks(poses: AvatarPose[]): number {
  let n = 0;
  for (let i = 1; i < poses.length; i++)
    if (poses[i]!.eyeClose.left >= 0.5 && poses[i - 1]!.eyeClose.left < 0.5) n++;
  return n;
}

function std(v: number[]): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

/** Largest per-frame change of head angles (deg) and gaze (units) over a sequence. */
function maxSteps(poses: AvatarPose[]): {
  headDeg: number;
  gaze: number;
  mouth: number;
  smile: number;
  breath: number;
} {
  const r = { headDeg: 0, gaze: 0, mouth: 0, smile: 0, breath: 0 };
  for (let i = 1; i < poses.length; i++) {
    const a = poses[i - 1]!;
    const b = poses[i]!;
    r.headDeg = Math.max(
      r.headDeg,
      Math.abs(b.head.yaw - a.head.yaw),
      Math.abs(b.head.pitch - a.head.pitch),
      Math.abs(b.head.roll - a.head.roll),
    );
    r.gaze = Math.max(r.gaze, Math.hypot(b.gaze.x - a.gaze.x, b.gaze.y - a.gaze.y));
    r.mouth = Math.max(r.mouth, Math.abs(b.mouth.jawOpen - a.mouth.jawOpen));
    r.smile = Math.max(r.smile, Math.abs(b.smile - a.smile));
    r.breath = Math.max(r.breath, Math.abs(b.breath - a.breath));
  }
  return r;
}

describe('Animator', () => {
  it('fits the frame scheduler Behaviour interface', () => {
    const b: Behaviour = new Animator({ seed: 1, fps: FPS });
    expect(
      b.step({ ptsMs: 0, state: 'idle', mouth: NEUTRAL_MOUTH, loudness: 0, pitchHz: null }).eyeClose.left,
    ).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic for a seed, different across seeds, and reset() replays', () => {
    const speech = speechInputs(3, 20, 0.6, 4);
    const stateAt = (i: number): AgentState => (i < 150 ? 'idle' : i < 300 ? 'listening' : 'talking');
    const plan = (i: number) => ({ state: stateAt(i), input: i >= 300 ? speech[i - 300] : undefined });
    const a = run(42, 800, plan);
    const b = run(42, 800, plan);
    const c = run(43, 800, plan);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const anim = new Animator({ seed: 42, fps: FPS });
    for (let i = 0; i < 100; i++) anim.step({ ptsMs: i * FRAME_MS, state: 'idle', ...silent() });
    anim.reset();
    const replay = Array.from({ length: 800 }, (_, i) =>
      anim.step({ ptsMs: i * FRAME_MS, state: plan(i).state, ...(plan(i).input ?? silent()) }),
    );
    expect(replay).toEqual(a);
  });

  it('blinks at the rest rate when idle and faster when talking (10 simulated minutes each)', () => {
    const frames = 10 * 60 * FPS;
    const idle = countBlinks(run(7, frames, () => ({ state: 'idle' }))) / 10;
    const listening = countBlinks(run(7, frames, () => ({ state: 'listening' }))) / 10;
    const speech = speechInputs(8, 600, 0.6, 4);
    const talking = countBlinks(run(7, frames, (i) => ({ state: 'talking', input: speech[i] }))) / 10;
    console.log({ idle, listening, talking });
    // Bentivoglio et al. 1997: rest 17/min, conversation 26/min; Doughty 2001 95 % ranges 8–21 and 10.5–32.5.
    expect(idle).toBeGreaterThanOrEqual(13);
    expect(idle).toBeLessThanOrEqual(21);
    expect(listening).toBeGreaterThanOrEqual(13);
    expect(listening).toBeLessThanOrEqual(21);
    expect(talking).toBeGreaterThanOrEqual(21);
    expect(talking).toBeLessThanOrEqual(32);
    expect(talking).toBeGreaterThan(idle * 1.25);
  });

  it('shows a fully shut eye in a frame of every blink at 25 fps', () => {
    const poses = run(11, 60 * FPS, () => ({ state: 'idle' }));
    let inBlink = false;
    let peak = 0;
    const peaks: number[] = [];
    for (const p of poses) {
      const c = p.eyeClose.left;
      expect(p.eyeClose.right).toBe(c);
      if (c > 0.05) {
        inBlink = true;
        peak = Math.max(peak, c);
      } else if (inBlink) {
        peaks.push(peak);
        inBlink = false;
        peak = 0;
      }
    }
    expect(peaks.length).toBeGreaterThan(8);
    for (const p of peaks) expect(p).toBeGreaterThan(0.999);
  });

  it('is not static when silent: gaze, head and breath change within a few seconds', () => {
    for (const state of ['idle', 'listening'] as const) {
      const poses = run(5, 5 * FPS, () => ({ state }));
      const gx = poses.map((p) => p.gaze.x);
      const yaw = poses.map((p) => p.head.yaw);
      const breath = poses.map((p) => p.breath);
      expect(Math.max(...gx) - Math.min(...gx)).toBeGreaterThan(0.01);
      expect(Math.max(...yaw) - Math.min(...yaw)).toBeGreaterThan(0.3);
      expect(Math.max(...breath) - Math.min(...breath)).toBeGreaterThan(0.4);
    }
  });

  it('breathes 12–16 times a minute at rest', () => {
    const a = new Animator({ seed: 9, fps: FPS });
    for (let i = 0; i < 5 * 60 * FPS; i++) a.step({ ptsMs: i * FRAME_MS, state: 'idle', ...silent() });
    const perMin = a.counts.breaths / 5;
    expect(perMin).toBeGreaterThanOrEqual(12);
    expect(perMin).toBeLessThanOrEqual(17);
  });

  it('never jumps: per-frame changes stay bounded, including across state switches', () => {
    const speech = speechInputs(21, 60, 0.8, 6);
    // Switch state every 1.3–4 s, including mid-word talking → idle (an interrupt) and back.
    const rng = new Rng(99);
    const states: AgentState[] = [];
    const order: AgentState[] = ['idle', 'talking', 'listening', 'talking', 'idle', 'listening'];
    let k = 0;
    while (states.length < 60 * FPS) {
      const n = Math.round(rng.range(1.3, 4) * FPS);
      for (let i = 0; i < n; i++) states.push(order[k % order.length]!);
      k++;
    }
    const poses = run(13, 60 * FPS, (i) => ({
      state: states[i]!,
      input: states[i] === 'talking' ? speech[i] : undefined,
    }));
    const m = maxSteps(poses);
    console.log('max per-frame steps', m);
    // A 6° nod over 300 ms peaks at ~2.5°/frame at 25 fps; posture springs add little on top.
    expect(m.headDeg).toBeLessThan(3);
    // Saccades are fast by nature (a 15° look-away takes ~60 ms); nothing moves more than one look-away.
    expect(m.gaze).toBeLessThan(0.55);
    expect(m.smile).toBeLessThan(0.05);
    // The quickest breath is a 0.3 s inhale at a pause: ~0.16 per frame at its steepest.
    expect(m.breath).toBeLessThan(0.2);

    // The frames right after a switch move no more than the frames elsewhere.
    const switchSteps: AvatarPose[][] = [];
    for (let i = 1; i < states.length - 3; i++)
      if (states[i] !== states[i - 1]) switchSteps.push(poses.slice(i - 1, i + 3));
    expect(switchSteps.length).toBeGreaterThan(10);
    for (const s of switchSteps) expect(maxSteps(s).headDeg).toBeLessThan(3);
    // Leaving talking mid-word: the mouth relaxes over a few frames rather than snapping shut.
    for (let i = 1; i < states.length - 3; i++) {
      if (states[i - 1] === 'talking' && states[i] !== 'talking')
        expect(maxSteps(poses.slice(i - 1, i + 3)).mouth).toBeLessThan(0.35);
    }
  });

  it('blinks at the end of speech far more often than by chance', () => {
    const a = new Animator({ seed: 23, fps: FPS });
    const speech = speechInputs(5, 2, 0.6, 3);
    let t = 0;
    let hits = 0;
    const turns = 60;
    for (let k = 0; k < turns; k++) {
      for (let i = 0; i < 2 * FPS; i++) a.step({ ptsMs: t++ * FRAME_MS, state: 'talking', ...speech[i]! });
      const before = a.counts.blinks;
      for (let i = 0; i < 3 * FPS; i++) {
        a.step({ ptsMs: t++ * FRAME_MS, state: 'idle', ...silent() });
        if (i === Math.round(0.5 * FPS) && a.counts.blinks > before) hits++;
      }
    }
    // By chance alone (17/min), a blink would start in a given 0.5 s window ~14 % of the time.
    expect(hits / turns).toBeGreaterThan(0.5);
  });

  it('listening nods (1–2 per 10 s) and smiles; idle does neither', () => {
    const listen = new Animator({ seed: 17, fps: FPS });
    const idle = new Animator({ seed: 17, fps: FPS });
    const lp: AvatarPose[] = [];
    const ip: AvatarPose[] = [];
    for (let i = 0; i < 60 * FPS; i++) {
      lp.push(listen.step({ ptsMs: i * FRAME_MS, state: 'listening', ...silent() }));
      ip.push(idle.step({ ptsMs: i * FRAME_MS, state: 'idle', ...silent() }));
    }
    const nodsPer10s = listen.counts.nods / 6;
    expect(nodsPer10s).toBeGreaterThanOrEqual(1);
    expect(nodsPer10s).toBeLessThanOrEqual(2.2);
    expect(idle.counts.nods).toBe(0);
    // Nods are visible in the signal: head pitch dips of ≥ 1.5° above the posture baseline.
    const pitch = lp.map((p) => p.head.pitch);
    expect(Math.max(...pitch) - Math.min(...pitch)).toBeGreaterThan(3);
    const settled = (ps: AvatarPose[]) => ps.slice(3 * FPS);
    expect(Math.min(...settled(lp).map((p) => p.smile))).toBeGreaterThan(0.2);
    expect(Math.max(...ip.map((p) => p.smile))).toBeLessThan(0.02);
    // Attentive gaze: mostly on the viewer.
    const onViewer =
      settled(lp).filter((p) => Math.abs(p.gaze.x) < 0.1 && Math.abs(p.gaze.y) < 0.15).length /
      settled(lp).length;
    expect(onViewer).toBeGreaterThan(0.75);
  });

  it('moves the head more for loud, expressive speech than for quiet, flat speech', () => {
    const seconds = 60;
    const motion = (level: number, span: number): number => {
      const speech = speechInputs(31, seconds, level, span);
      const poses = run(4, seconds * FPS, (i) => ({ state: 'talking', input: speech[i] }));
      return (
        std(poses.map((p) => p.head.pitch)) +
        std(poses.map((p) => p.head.yaw)) +
        std(poses.map((p) => p.head.roll))
      );
    };
    const loud = motion(0.9, 7);
    const quiet = motion(0.12, 0.5);
    console.log({ loud, quiet });
    expect(loud).toBeGreaterThan(quiet * 1.4);
  });

  it('raises the brows on pitch accents and looks away at phrase starts while talking', () => {
    const speech = speechInputs(41, 60, 0.7, 7);
    const poses = run(6, 60 * FPS, (i) => ({ state: 'talking', input: speech[i] }));
    expect(Math.max(...poses.map((p) => p.browRaise))).toBeGreaterThan(0.3);
    const away = poses.filter((p) => Math.abs(p.gaze.x) > 0.15).length / poses.length;
    expect(away).toBeGreaterThan(0.05);
    expect(away).toBeLessThan(0.6);
  });

  it('passes the mouth through while talking and relaxes it to neutral otherwise', () => {
    const a = new Animator({ seed: 1, fps: FPS });
    const open: MouthParams = { ...NEUTRAL_MOUTH, jawOpen: 0.7, lipRound: 0.4 };
    let p = a.step({ ptsMs: 0, state: 'talking', mouth: open, loudness: 0.5 });
    for (let i = 1; i < 20; i++)
      p = a.step({ ptsMs: i * FRAME_MS, state: 'talking', mouth: open, loudness: 0.5 });
    expect(p.mouth).toEqual(open);
    const after: number[] = [];
    for (let i = 20; i < 40; i++)
      after.push(
        a.step({ ptsMs: i * FRAME_MS, state: 'idle', mouth: NEUTRAL_MOUTH, loudness: 0 }).mouth.jawOpen,
      );
    expect(after[0]).toBeGreaterThan(0.2);
    expect(after[after.length - 1]).toBeLessThan(0.01);
    for (let i = 1; i < after.length; i++) expect(after[i]).toBeLessThanOrEqual(after[i - 1]! + 1e-9);
  });
});
