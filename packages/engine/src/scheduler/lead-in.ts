/**
 * A silent lead-in for a fresh estimator. Each utterance gets a new estimator, and a new one has no
 * past: its context window and springs start empty, so the first syllable of an utterance barely opens
 * the mouth (jawOpen ≈ 0.2 on the first speech frame, against ≈ 0.8 after ≥ 160 ms of silence;
 * docs/benchmarks.md, latency). Feeding it whole frames of silence first, and dropping their frames,
 * makes the first syllable look like every other one. Costs ~0.5 ms per utterance.
 */
import type { TimedWord } from '../lipsync/text-lip-sync.js';
import type { MouthFrame } from '../types.js';
import type { MouthEstimator } from './frame-scheduler.js';

/** Silence fed before an utterance: the estimator's context with room to spare. */
export const LEAD_IN_MS = 160;

/**
 * Wraps `estimator` so it starts on whole frames of silence (≥ LEAD_IN_MS) that never appear in its
 * output; word times (text-aware estimators) move by the lead-in too.
 */
export function withLeadIn(
  estimator: MouthEstimator,
  o: { fps: number; sampleRateHz: number },
): MouthEstimator {
  const frameSamples = o.sampleRateHz / o.fps;
  const frames = Math.ceil((LEAD_IN_MS * o.fps) / 1000);
  const leadMs = (frames * 1000) / o.fps;
  let skip = frames;
  const strip = (out: MouthFrame[]): MouthFrame[] => {
    const keep: MouthFrame[] = [];
    for (const f of out) {
      if (skip > 0) skip--;
      else keep.push({ ...f, ptsMs: f.ptsMs - leadMs });
    }
    return keep;
  };
  const shift = (w: TimedWord): TimedWord => ({
    text: w.text,
    ...(w.startMs !== undefined ? { startMs: w.startMs + leadMs } : {}),
    ...(w.endMs !== undefined ? { endMs: w.endMs + leadMs } : {}),
  });
  strip(estimator.push(new Int16Array(frames * frameSamples)));
  const words = estimator.words?.bind(estimator);
  return {
    ...(estimator.lookaheadMs !== undefined ? { lookaheadMs: estimator.lookaheadMs } : {}),
    push: (samples) => strip(estimator.push(samples)),
    flush: () => strip(estimator.flush()),
    ...(words
      ? {
          words: (ws, opts = {}) =>
            strip(
              words(
                ws.map(shift),
                opts.knownUntilMs !== undefined ? { knownUntilMs: opts.knownUntilMs + leadMs } : {},
              ),
            ),
        }
      : {}),
  };
}
