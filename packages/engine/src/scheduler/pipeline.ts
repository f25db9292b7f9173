/**
 * The standard avatar pipeline: audio-only lip-sync (text-aware for utterances appended as timed), the
 * animator and a built-in avatar renderer behind one frame scheduler. Live sessions and offline
 * rendering both start here.
 */
import { Animator } from '../animation/index.js';
import { detectPitchHz } from '../animation/pitch.js';
import { FEATURE_SAMPLE_RATE_HZ } from '../lipsync/features.js';
import { LipSync } from '../lipsync/lip-sync.js';
import { TextLipSync } from '../lipsync/text-lip-sync.js';
import { createRenderer } from '../render/renderer.js';
import type { Orientation, RenderQuality } from '../render/sizes.js';
import { FrameScheduler, type FrameRenderer, type MouthEstimator } from './frame-scheduler.js';
import { withLeadIn } from './lead-in.js';

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
    newEstimator:
      o.newEstimator ??
      (() => withLeadIn(new LipSync({ fps }), { fps, sampleRateHz: FEATURE_SAMPLE_RATE_HZ })),
    // Utterances whose words come with timings (FULL mode's TTS): streamed words, aligned per word.
    newTimedEstimator: () =>
      withLeadIn(new TextLipSync({ fps }), { fps, sampleRateHz: FEATURE_SAMPLE_RATE_HZ }),
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

/**
 * Runs a pipeline (poses only) over a second of a synthetic voice, so that lip-sync, animation and
 * pitch code are compiled before the first real utterance: cold, the first utterance of a process
 * costs ~40 ms on the clock's thread, enough to stall every session on it for a frame. Then the same
 * second as a timed utterance with words: the text-aware path's first utterance would cost ~190 ms
 * (loading the pronouncing dictionary, ~15 MB of heap, and compiling the alignment). ~250 ms, once.
 */
export function warmUpPipeline(fps: 25 | 30 = 25): void {
  const p = createAvatarPipeline({ avatarId: '', quality: 'low', fps, renderer: null });
  const rate = FEATURE_SAMPLE_RATE_HZ;
  const voice = new Int16Array(rate);
  for (let i = 0; i < voice.length; i++) {
    const t = i / rate;
    const syllable = Math.sin(Math.PI * ((t * 4) % 1)); // four syllables
    voice[i] = Math.round(
      6000 * syllable * (Math.sin(2 * Math.PI * 140 * t) + 0.5 * Math.sin(2 * Math.PI * 700 * t)),
    );
  }
  p.append(voice, null);
  p.commit();
  const { turnId } = p.append(voice, null, { timed: true });
  p.words(turnId, [
    { text: 'warm', startMs: 0, endMs: 500 },
    { text: 'up', startMs: 500, endMs: 1000 },
  ]);
  p.commit();
  for (let i = 0; i < fps * 2.5; i++) p.tick();
}
