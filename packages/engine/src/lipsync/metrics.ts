/**
 * Lip-sync scoring exactly as research notes §3.3 define it: acc9 and acc5 on video frames labelled at
 * their centre, /p b m/ recall (some frame within ±1 frame shows a closed mouth), Pearson r of openness
 * on a 10 ms grid, and lag = argmax of the cross-correlation over ±200 ms (positive = prediction late).
 * Used by the benchmark and the regression test; no timing here.
 */
import { VISEME_CLASSES, type MouthFrame, type VisemeClass } from '../types.js';
import { isClosedMouth } from './exporters.js';
import { classAt, opennessAt, type GroundTruth } from './ground-truth.js';
import { CLASS_INDEX } from './phone-classes.js';

/** The 5 mouth shapes of acc5: closed, labiodental, narrow, open, round. */
export const SHAPE5: Readonly<Record<VisemeClass, number>> = {
  SIL: 0,
  PP: 0,
  FF: 1,
  CH: 2,
  TT: 2,
  I: 2,
  AA: 3,
  E: 3,
  OU: 4,
};

/** Scores over a set of utterances. */
export interface LipSyncScores {
  frames: number;
  acc9: number;
  acc5: number;
  /** Share of /p b m/ phones with a closed mouth within ±1 frame. */
  ppRecall: number;
  /** Share of frames of other speech sounds (not near a /p b m/) drawn closed: the cost of the closure rule. */
  falseClosure: number;
  openR: number;
  lagMs: number;
  /** confusion[truth][predicted], VISEME_CLASSES order. */
  confusion: number[][];
}

const LAG_HOPS = 20;
const GRID_MS = 10;

/** Accumulates per-utterance results; `result()` pools them. */
export class LipSyncScorer {
  private n = 0;
  private ok9 = 0;
  private ok5 = 0;
  private pp = 0;
  private ppHit = 0;
  private other = 0;
  private otherClosed = 0;
  private readonly confusion = VISEME_CLASSES.map(() => VISEME_CLASSES.map(() => 0));
  private readonly open: Array<{ pred: Float32Array; truth: Float32Array }> = [];

  /** Video-rate frames of one utterance (the classes, closures). */
  addFrames(gt: GroundTruth, frames: readonly MouthFrame[], frameMs: number): void {
    const closed = frames.map((f) => isClosedMouth(f.params));
    const nearPP = new Uint8Array(frames.length);
    for (const b of gt.bilabials) {
      const k0 = Math.max(0, Math.floor(b.startMs / frameMs) - 1);
      const k1 = Math.min(frames.length - 1, Math.ceil(b.endMs / frameMs));
      let hit = false;
      for (let k = k0; k <= k1; k++) {
        hit ||= closed[k]!;
        nearPP[k] = 1;
      }
      this.pp++;
      if (hit) this.ppHit++;
    }
    frames.forEach((f, k) => {
      const truth = classAt(gt, f.ptsMs + frameMs / 2);
      let best = 0;
      for (let i = 1; i < VISEME_CLASSES.length; i++) if (f.posterior[i]! > f.posterior[best]!) best = i;
      const pred = VISEME_CLASSES[best]!;
      this.n++;
      if (pred === truth) this.ok9++;
      if (SHAPE5[pred] === SHAPE5[truth]) this.ok5++;
      this.confusion[CLASS_INDEX[truth]]![best]!++;
      if (truth !== 'SIL' && truth !== 'PP' && !nearPP[k]) {
        this.other++;
        if (closed[k]) this.otherClosed++;
      }
    });
  }

  /** Predicted openness of one utterance on the 10 ms grid, sample i at time (i + 0.5) × 10 ms. */
  addOpenness(gt: GroundTruth, pred: ArrayLike<number>): void {
    const times = Array.from({ length: pred.length }, (_, i) => (i + 0.5) * GRID_MS);
    this.open.push({ pred: Float32Array.from(pred), truth: opennessAt(gt, times) });
  }

  /** Pooled scores. */
  result(): LipSyncScores {
    const r = (lag: number): number => pearson(this.open, lag);
    const rs = Array.from({ length: 2 * LAG_HOPS + 1 }, (_, i) => r(i - LAG_HOPS));
    let best = 0;
    for (let i = 1; i < rs.length; i++) if (rs[i]! > rs[best]!) best = i;
    // Parabolic refinement of the peak, for a lag finer than the 10 ms grid.
    let frac = 0;
    if (best > 0 && best < rs.length - 1) {
      const [a, b, c] = [rs[best - 1]!, rs[best]!, rs[best + 1]!];
      const den = a - 2 * b + c;
      if (den < 0) frac = (0.5 * (a - c)) / den;
    }
    return {
      frames: this.n,
      acc9: this.ok9 / this.n,
      acc5: this.ok5 / this.n,
      ppRecall: this.pp ? this.ppHit / this.pp : NaN,
      falseClosure: this.other ? this.otherClosed / this.other : NaN,
      openR: r(0),
      lagMs: (best - LAG_HOPS + frac) * GRID_MS,
      confusion: this.confusion,
    };
  }
}

/** Pearson r of pred[t] against truth[t − lag] (lag in grid steps), pooled over utterances. */
function pearson(sets: ReadonlyArray<{ pred: Float32Array; truth: Float32Array }>, lag: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const { pred, truth } of sets) {
    const len = Math.min(pred.length, truth.length);
    for (let t = Math.max(0, lag); t < Math.min(len, len + lag); t++) {
      const x = pred[t]!;
      const y = truth[t - lag]!;
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
  }
  const cov = sxy - (sx * sy) / n;
  const den = Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
  return den > 0 ? cov / den : 0;
}
