/**
 * The engine's shared vocabulary: what lip-sync produces, what animation turns it into, and what a
 * renderer draws. Every value is plain data so it can cross a worker boundary.
 */

/** The 9 visual classes of lip-sync (lipsync research notes §3.3). */
export const VISEME_CLASSES = ['SIL', 'PP', 'FF', 'CH', 'TT', 'AA', 'E', 'I', 'OU'] as const;
/** One visual class. */
export type VisemeClass = (typeof VISEME_CLASSES)[number];

/**
 * Continuous articulatory parameters, each 0..1. They drive the mouth of every renderer, so a mouth
 * moves continuously and never pops between drawings.
 */
export interface MouthParams {
  /** Jaw opening (0 closed … 1 wide open, "AA"). */
  jawOpen: number;
  /** Lip rounding / pucker ("OU"). */
  lipRound: number;
  /** Lip spread / stretch ("I", "E", smile). */
  lipSpread: number;
  /** Lips pressed together (/p b m/). */
  lipClose: number;
  /** Lower lip tucked under the upper teeth (/f v/). */
  lowerLipTuck: number;
  /** Tongue raised to the teeth or ridge (/t d n l th/). */
  tongueUp: number;
  /** How much of the teeth is visible. */
  teethShow: number;
}

/** A closed, neutral mouth. */
export const NEUTRAL_MOUTH: Readonly<MouthParams> = {
  jawOpen: 0,
  lipRound: 0,
  lipSpread: 0,
  lipClose: 0,
  lowerLipTuck: 0,
  tongueUp: 0,
  teethShow: 0,
};

/** Lip-sync output for one video frame. */
export interface MouthFrame {
  /** Presentation time of the frame (its start), ms on the audio timeline. */
  ptsMs: number;
  params: MouthParams;
  /** Posterior over VISEME_CLASSES (sums to 1). */
  posterior: Float32Array;
  /** Loudness of the frame's audio, 0..1 (drives head motion and jaw gain). */
  loudness: number;
}

/**
 * The whole pose of an avatar at one instant: what the animation layer computes and the renderer draws.
 * Angles in degrees, offsets in fractions of the frame height, openness 0..1.
 */
export interface AvatarPose {
  mouth: MouthParams;
  /** 0 open … 1 closed, per eye. */
  eyeClose: { left: number; right: number };
  /** Gaze direction, -1..1 (left/right, up/down) of the eye's range. */
  gaze: { x: number; y: number };
  /** Brow raise, -1 (frown) .. 1 (raised). */
  browRaise: number;
  /** Head rotation. */
  head: { yaw: number; pitch: number; roll: number };
  /** Whole-head offset, fraction of frame height. */
  headOffset: { x: number; y: number };
  /** Breathing phase amount 0..1 (chest/shoulder rise). */
  breath: number;
  /** Smile amount 0..1 (listening warmth). */
  smile: number;
  /**
   * Secondary motion of loose hair: how far its free ends trail the head, avatar units in head space
   * (x right, y down); 0 at rest. Renderers bend each lock by it, more towards its ends.
   */
  hair: { x: number; y: number };
}

/** A pose at rest: eyes open, looking at the viewer, mouth closed. */
export function restPose(): AvatarPose {
  return {
    mouth: { ...NEUTRAL_MOUTH },
    eyeClose: { left: 0, right: 0 },
    gaze: { x: 0, y: 0 },
    browRaise: 0,
    head: { yaw: 0, pitch: 0, roll: 0 },
    headOffset: { x: 0, y: 0 },
    breath: 0,
    smile: 0,
    hair: { x: 0, y: 0 },
  };
}
