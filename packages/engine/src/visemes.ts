/**
 * Viseme class ⇄ mouth parameter mapping shared by lip-sync (posterior → params) and sprite-based
 * renderers (params → which drawing to show).
 */
import { NEUTRAL_MOUTH, VISEME_CLASSES, type MouthParams, type VisemeClass } from './types.js';

/** The mouth shape of each visual class at full strength. */
export const VISEME_TEMPLATES: Readonly<Record<VisemeClass, MouthParams>> = {
  SIL: { jawOpen: 0, lipRound: 0, lipSpread: 0, lipClose: 0.2, lowerLipTuck: 0, tongueUp: 0, teethShow: 0 },
  PP: { jawOpen: 0, lipRound: 0.1, lipSpread: 0, lipClose: 1, lowerLipTuck: 0, tongueUp: 0, teethShow: 0 },
  FF: {
    jawOpen: 0.1,
    lipRound: 0,
    lipSpread: 0.2,
    lipClose: 0,
    lowerLipTuck: 1,
    tongueUp: 0,
    teethShow: 0.8,
  },
  CH: {
    jawOpen: 0.25,
    lipRound: 0.6,
    lipSpread: 0,
    lipClose: 0,
    lowerLipTuck: 0,
    tongueUp: 0.3,
    teethShow: 0.7,
  },
  TT: {
    jawOpen: 0.25,
    lipRound: 0,
    lipSpread: 0.3,
    lipClose: 0,
    lowerLipTuck: 0,
    tongueUp: 0.8,
    teethShow: 0.6,
  },
  AA: { jawOpen: 1, lipRound: 0, lipSpread: 0.2, lipClose: 0, lowerLipTuck: 0, tongueUp: 0, teethShow: 0.5 },
  E: {
    jawOpen: 0.6,
    lipRound: 0,
    lipSpread: 0.6,
    lipClose: 0,
    lowerLipTuck: 0,
    tongueUp: 0.1,
    teethShow: 0.6,
  },
  I: {
    jawOpen: 0.35,
    lipRound: 0,
    lipSpread: 1,
    lipClose: 0,
    lowerLipTuck: 0,
    tongueUp: 0.2,
    teethShow: 0.8,
  },
  OU: { jawOpen: 0.45, lipRound: 1, lipSpread: 0, lipClose: 0, lowerLipTuck: 0, tongueUp: 0, teethShow: 0.1 },
};

/** Every mouth parameter, in declaration order. */
const KEYS = Object.keys(NEUTRAL_MOUTH) as (keyof MouthParams)[];

/** Posterior-weighted mix of the class templates. */
export function paramsFromPosterior(posterior: ArrayLike<number>): MouthParams {
  const out: MouthParams = { ...NEUTRAL_MOUTH };
  VISEME_CLASSES.forEach((c, i) => {
    const w = posterior[i] ?? 0;
    for (const k of KEYS) out[k] += w * VISEME_TEMPLATES[c][k];
  });
  return out;
}

/**
 * The two classes whose templates are nearest to `params`, with the cross-fade weight of the second:
 * what a sprite renderer blends so the mouth tweens instead of popping.
 */
export function nearestVisemes(params: MouthParams): { a: VisemeClass; b: VisemeClass; mix: number } {
  const dist = VISEME_CLASSES.map((c) => {
    let d = 0;
    for (const k of KEYS) d += (params[k] - VISEME_TEMPLATES[c][k]) ** 2;
    return { c, d: Math.sqrt(d) };
  }).sort((x, y) => x.d - y.d);
  const [first, second] = dist as [{ c: VisemeClass; d: number }, { c: VisemeClass; d: number }];
  const sum = first.d + second.d;
  return { a: first.c, b: second.c, mix: sum === 0 ? 0 : first.d / sum };
}
