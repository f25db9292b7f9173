import { describe, expect, it } from 'vitest';
import type { AgentState } from '../audio/types.js';
import { GazeController, saccadeDurationMs } from './gaze.js';
import { Rng } from './random.js';
import type { SpeechCues } from './speech-activity.js';

const QUIET: SpeechCues = {
  speaking: false,
  phraseStart: false,
  pauseStart: false,
  speechEnd: false,
  silentMs: Infinity,
};

interface Shift {
  atMs: number;
  amplitudeDeg: number;
  toDeg: number;
}

/** Runs a controller at 1 ms and records the saccades it starts. */
function shifts(
  state: AgentState,
  seconds: number,
  seed = 1,
): { shifts: Shift[]; path: { x: number; y: number }[] } {
  const g = new GazeController(new Rng(seed));
  const out: Shift[] = [];
  const path: { x: number; y: number }[] = [];
  for (let t = 0; t < seconds * 1000; t++) {
    const s = g.update(t, state, QUIET);
    path.push({ x: s.xDeg, y: s.yDeg });
    if (s.shiftDeg > 0) out.push({ atMs: t, amplitudeDeg: s.shiftDeg, toDeg: 0 });
  }
  return { shifts: out, path };
}

describe('GazeController', () => {
  it('times saccades by amplitude and eases them out', () => {
    expect(saccadeDurationMs(1)).toBeCloseTo(22.5);
    expect(saccadeDurationMs(15)).toBeCloseTo(57.5);
    const { shifts: s, path } = shifts('idle', 60);
    const big = s.find((x) => x.amplitudeDeg > 8)!;
    const d = saccadeDurationMs(big.amplitudeDeg);
    const p = (t: number) => path[big.atMs + Math.round(t)]!;
    const dist = (a: { x: number; y: number }, b: { x: number; y: number }) =>
      Math.hypot(a.x - b.x, a.y - b.y);
    const start = p(0);
    // Ease-out: more than half the way in the first quarter of the duration, all of it by the end.
    expect(dist(p(d / 4), start)).toBeGreaterThan(0.5 * big.amplitudeDeg);
    expect(dist(p(d + 1), start)).toBeCloseTo(big.amplitudeDeg, 1);
  });

  it('listening: mostly on the viewer, micro-saccades of 0.5–2° every 0.5–2 s', () => {
    const { shifts: s, path } = shifts('listening', 120, 2);
    const micro = s.filter((x) => x.amplitudeDeg <= 2.01);
    expect(micro.length).toBeGreaterThan(55);
    for (const m of micro) expect(m.amplitudeDeg).toBeGreaterThanOrEqual(0.5 - 1e-9);
    for (let i = 1; i < micro.length; i++) {
      const gap = micro[i]!.atMs - micro[i - 1]!.atMs;
      expect(gap).toBeLessThanOrEqual(2000 + 1500); // a look-away may sit between two
    }
    const on = path.filter((g) => Math.hypot(g.x, g.y) < 3).length / path.length;
    expect(on).toBeGreaterThan(0.85);
  });

  it('idle: looks away every 4–10 s and comes back', () => {
    const { shifts: s, path } = shifts('idle', 300, 3);
    const away = s.filter((x) => x.amplitudeDeg >= 4.5);
    // One look-away and one return per cycle: 300 s / (4–10 s + 1–3 s hold) ≈ 23–60 shifts.
    expect(away.length).toBeGreaterThan(40);
    expect(away.length).toBeLessThan(130);
    const on = path.filter((g) => Math.hypot(g.x, g.y) < 3).length / path.length;
    expect(on).toBeGreaterThan(0.5);
    expect(on).toBeLessThan(0.95);
  });

  it('talking: looks away at phrase starts and returns at the pause', () => {
    const g = new GazeController(new Rng(4));
    let awayAtStart = 0;
    let returned = 0;
    const phrases = 60;
    let t = 0;
    for (let k = 0; k < phrases; k++) {
      const s = g.update(t++, 'talking', { ...QUIET, speaking: true, phraseStart: true, silentMs: 0 });
      const wentAway = s.away;
      if (wentAway) awayAtStart++;
      for (let i = 0; i < 500; i++) g.update(t++, 'talking', { ...QUIET, speaking: true, silentMs: 0 });
      const p = g.update(t++, 'talking', { ...QUIET, pauseStart: true, silentMs: 300 });
      for (let i = 0; i < 300; i++) g.update(t++, 'talking', { ...QUIET, silentMs: 300 + i });
      const end = g.update(t++, 'talking', { ...QUIET, silentMs: 600 });
      if (wentAway && !p.away && Math.hypot(end.xDeg, end.yDeg) < 2.5) returned++;
    }
    expect(awayAtStart / phrases).toBeGreaterThan(0.4);
    expect(awayAtStart / phrases).toBeLessThan(0.8);
    expect(returned).toBe(awayAtStart);
  });
});
