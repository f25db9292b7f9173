/**
 * The standard avatar pipeline: audio-only lip-sync, the animator and a built-in avatar renderer behind
 * one frame scheduler. Live sessions and offline rendering both start here.
 */
import { Animator } from '../animation/index.js';
import { detectPitchHz } from '../animation/pitch.js';
import { LipSync } from '../lipsync/lip-sync.js';
import { createRenderer } from '../render/renderer.js';
import type { Orientation, RenderQuality } from '../render/sizes.js';
import { FrameScheduler, type FrameRenderer, type MouthEstimator } from './frame-scheduler.js';

/** Options of {@link createAvatarPipeline}. */
export interface AvatarPipelineOptions {
  avatarId: string;
  quality: RenderQuality;
  orientation?: Orientation;
  fps?: 25 | 30;
  /** Seeds blinks, gaze and head motion: the same seed and audio give the same video. */
  seed?: number;
  underrunGraceMs?: number;
  newTurnId?: () => string;
  /**
   * Another renderer (e.g. an avatar pack) instead of the built-in avatar; `null` for none: the
   * scheduler then yields poses only and frames are drawn elsewhere (render workers).
   */
  renderer?: FrameRenderer | null;
  /** Another mouth estimator per utterance (e.g. text-aware) instead of audio-only lip-sync. */
  newEstimator?: () => MouthEstimator;
}

/** Builds a frame scheduler for a built-in avatar (or the given renderer). */
export function createAvatarPipeline(o: AvatarPipelineOptions): FrameScheduler {
  const fps = o.fps ?? 25;
  return new FrameScheduler({
    fps,
    ...(o.underrunGraceMs !== undefined ? { underrunGraceMs: o.underrunGraceMs } : {}),
    ...(o.newTurnId ? { newTurnId: o.newTurnId } : {}),
    newEstimator: o.newEstimator ?? (() => new LipSync({ fps })),
    behaviour: new Animator({ seed: o.seed ?? 1, fps }),
    ...(o.renderer === null
      ? {}
      : {
          renderer:
            o.renderer ??
            createRenderer({
              avatarId: o.avatarId,
              quality: o.quality,
              ...(o.orientation ? { orientation: o.orientation } : {}),
            }),
        }),
    pitch: detectPitchHz,
  });
}
