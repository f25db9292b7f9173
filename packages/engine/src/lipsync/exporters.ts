/**
 * Exporters from lip-sync output to common rig formats (research notes §6a mapping table): Oculus/Meta
 * 15 visemes, ARKit-style blendshapes and Rhubarb mouth shapes.
 */
import { VISEME_CLASSES, type MouthFrame, type MouthParams, type VisemeClass } from '../types.js';

/** The Oculus/Meta (OVRLipSync, OpenXR) viseme set, in its canonical order. */
export const OCULUS_VISEMES = [
  'sil',
  'PP',
  'FF',
  'TH',
  'DD',
  'kk',
  'CH',
  'SS',
  'nn',
  'RR',
  'aa',
  'E',
  'ih',
  'oh',
  'ou',
] as const;
/** One Oculus viseme name. */
export type OculusViseme = (typeof OCULUS_VISEMES)[number];

// Audio alone cannot tell t from k or s, so TT is spread over the alveolar/velar visemes; OU goes to
// "ou" and "oh" (rounded vs open-rounded). Each row sums to 1, so the output sums to the posterior's 1.
const OCULUS_SPLIT: Readonly<Record<VisemeClass, ReadonlyArray<readonly [OculusViseme, number]>>> = {
  SIL: [['sil', 1]],
  PP: [['PP', 1]],
  FF: [['FF', 1]],
  CH: [['CH', 1]],
  TT: [
    ['DD', 0.4],
    ['SS', 0.2],
    ['nn', 0.2],
    ['kk', 0.15],
    ['TH', 0.05],
  ],
  AA: [['aa', 1]],
  E: [['E', 1]],
  I: [['ih', 1]],
  OU: [
    ['ou', 0.6],
    ['oh', 0.4],
  ],
};

/** Posterior over VISEME_CLASSES → Oculus-15 weights (sum 1). */
export function toOculusVisemes(posterior: ArrayLike<number>): Record<OculusViseme, number> {
  const out = Object.fromEntries(OCULUS_VISEMES.map((v) => [v, 0])) as Record<OculusViseme, number>;
  VISEME_CLASSES.forEach((c, i) => {
    const p = posterior[i] ?? 0;
    for (const [v, w] of OCULUS_SPLIT[c]) out[v] += p * w;
  });
  return out;
}

/** The ARKit-style blendshapes that lip-sync drives (all others stay at the rig's rest value). */
export const ARKIT_MOUTH_SHAPES = [
  'jawOpen',
  'mouthClose',
  'mouthFunnel',
  'mouthPucker',
  'mouthSmileLeft',
  'mouthSmileRight',
  'mouthStretchLeft',
  'mouthStretchRight',
  'mouthRollLower',
  'mouthRollUpper',
  'mouthPressLeft',
  'mouthPressRight',
  'mouthUpperUpLeft',
  'mouthUpperUpRight',
  'mouthLowerDownLeft',
  'mouthLowerDownRight',
  'tongueOut',
] as const;
/** One ARKit blendshape name driven by lip-sync. */
export type ArkitMouthShape = (typeof ARKIT_MOUTH_SHAPES)[number];

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/** Mouth params → ARKit-style blendshape weights, each 0..1. */
export function toArkitBlendshapes(p: MouthParams): Record<ArkitMouthShape, number> {
  // ARKit's mouthClose closes the lips *against* an open jaw, so it only carries the closure the jaw's
  // opening would otherwise undo; a closed jaw with pressed lips is mouthPress.
  const press = clamp01(p.lipClose);
  return {
    jawOpen: clamp01(p.jawOpen),
    mouthClose: clamp01(press * p.jawOpen),
    mouthFunnel: clamp01(p.lipRound * (0.3 + 0.7 * p.jawOpen)),
    mouthPucker: clamp01(p.lipRound * (1 - 0.5 * p.jawOpen)),
    mouthSmileLeft: clamp01(0.3 * p.lipSpread),
    mouthSmileRight: clamp01(0.3 * p.lipSpread),
    mouthStretchLeft: clamp01(0.6 * p.lipSpread),
    mouthStretchRight: clamp01(0.6 * p.lipSpread),
    mouthRollLower: clamp01(p.lowerLipTuck),
    mouthRollUpper: clamp01(0.3 * p.lowerLipTuck),
    mouthPressLeft: clamp01(0.6 * press),
    mouthPressRight: clamp01(0.6 * press),
    mouthUpperUpLeft: clamp01(0.5 * p.teethShow * (1 - press)),
    mouthUpperUpRight: clamp01(0.5 * p.teethShow * (1 - press)),
    mouthLowerDownLeft: clamp01(0.5 * p.teethShow * p.jawOpen),
    mouthLowerDownRight: clamp01(0.5 * p.teethShow * p.jawOpen),
    tongueOut: clamp01(0.15 * p.tongueUp * p.jawOpen),
  };
}

/** Whether the lips are shut (what a /p b m/ must show; Rhubarb "A"). */
export function isClosedMouth(p: MouthParams): boolean {
  return p.lipClose >= 0.5 && p.jawOpen < 0.2;
}

/** Rhubarb Lip Sync mouth shapes: A closed (P B M), B clenched (K S T EE), C open (EH AE), D wide (AA),
 * E slightly rounded (AO ER), F puckered (UW OW W), G F/V, H long L, X idle. */
export type RhubarbShape = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'X';

/** One frame → the Rhubarb shape a sprite renderer should draw (H is never chosen from audio alone). */
export function toRhubarbShape(frame: Pick<MouthFrame, 'params' | 'posterior'>): RhubarbShape {
  const { params, posterior } = frame;
  // The closure rule acts on params, so a held closure wins over the posterior's argmax.
  if (isClosedMouth(params)) return 'A';
  let best = 0;
  for (let i = 1; i < VISEME_CLASSES.length; i++) if ((posterior[i] ?? 0) > (posterior[best] ?? 0)) best = i;
  const cls = VISEME_CLASSES[best]!;
  switch (cls) {
    case 'SIL':
      return 'X';
    case 'PP':
      return 'A';
    case 'FF':
      return 'G';
    case 'CH':
    case 'TT':
    case 'I':
      return 'B';
    case 'E':
      return 'C';
    case 'AA':
      return params.jawOpen >= 0.55 ? 'D' : 'C';
    case 'OU':
      return params.lipRound >= 0.6 ? 'F' : 'E';
  }
}
