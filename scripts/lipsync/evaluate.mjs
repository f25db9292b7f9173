// @ts-check
/**
 * Runs the production streaming API over corpus utterances and scores it (metrics per research notes
 * §3.3). Shared by the trainer (validation voices) and the benchmark (held-out test voices).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLE_RATE_HZ } from './corpus.mjs';

const ENGINE = fileURLToPath(new URL('../../packages/engine/dist/', import.meta.url));
/** @type {typeof import('../../packages/engine/src/lipsync/lip-sync.js')} */
const { LipSync } = await import(join(ENGINE, 'lipsync/lip-sync.js'));
/** @type {typeof import('../../packages/engine/src/lipsync/metrics.js')} */
const { LipSyncScorer } = await import(join(ENGINE, 'lipsync/metrics.js'));

/**
 * Feeds each utterance in `chunkMs` chunks at 25 fps (classes, closures, CPU) and at 100 fps (openness
 * on the 10 ms grid), then scores.
 * @param {import('./corpus.mjs').Utterance[]} utts
 * @param {{ model?: any, chunkMs?: number, attackMs?: number, releaseMs?: number }} [opts]
 */
export function evaluate(utts, opts = {}) {
  const scorer = new LipSyncScorer();
  const chunk = Math.round(((opts.chunkMs ?? 1000) * SAMPLE_RATE_HZ) / 1000);
  let cpuUs = 0;
  let audioS = 0;
  /** @type {number | undefined} */
  let lookaheadMs;
  for (const u of utts) {
    for (const fps of [25, 100]) {
      const ls = new LipSync({ fps, ...opts });
      lookaheadMs = ls.lookaheadMs;
      const frames = [];
      const c0 = process.cpuUsage();
      for (let i = 0; i < u.samples.length; i += chunk)
        frames.push(...ls.push(u.samples.subarray(i, i + chunk)));
      frames.push(...ls.flush());
      const c = process.cpuUsage(c0);
      if (fps === 25) {
        cpuUs += c.user + c.system;
        audioS += u.samples.length / SAMPLE_RATE_HZ;
        scorer.addFrames(u.gt, frames, 40);
      } else {
        scorer.addOpenness(
          u.gt,
          frames.map((f) => f.params.jawOpen),
        );
      }
    }
  }
  return {
    ...scorer.result(),
    cpuMsPerAudioS: cpuUs / 1000 / audioS,
    lookaheadMs: lookaheadMs ?? NaN,
    audioS,
  };
}

/** @type {typeof import('../../packages/engine/src/lipsync/text-lip-sync.js')} */
const { TextLipSync } = await import(join(ENGINE, 'lipsync/text-lip-sync.js'));

/**
 * The text-aware path (`TextLipSync`) over corpus utterances, scored like `evaluate`: with the word
 * timings from espeak-ng's WORD events (`timed`), or with the text only. `streamed` (with `timed`):
 * the words are not given up front but through `words()`, each after the chunk its audio ends in, as
 * a TTS that groups characters into words hands them over (FULL mode).
 * @param {import('./corpus.mjs').Utterance[]} utts
 * @param {{ timed: boolean, streamed?: boolean, chunkMs?: number } & Partial<import('../../packages/engine/src/lipsync/text-lip-sync.js').TextLipSyncOptions>} opts
 */
export function evaluateText(utts, opts) {
  const scorer = new LipSyncScorer();
  const chunk = Math.round(((opts.chunkMs ?? 1000) * SAMPLE_RATE_HZ) / 1000);
  let cpuUs = 0;
  let audioS = 0;
  let lowConfidence = 0;
  let words = 0;
  for (const u of utts) {
    for (const fps of [25, 100]) {
      const streamed = opts.timed && opts.streamed;
      const ls = new TextLipSync({
        ...opts,
        fps,
        ...(streamed ? {} : { words: opts.timed ? u.words : u.item.text }),
      });
      const frames = [];
      let given = 0;
      const c0 = process.cpuUsage();
      for (let i = 0; i < u.samples.length; i += chunk) {
        frames.push(...ls.push(u.samples.subarray(i, i + chunk)));
        if (!streamed) continue;
        const endMs = ((i + chunk) * 1000) / SAMPLE_RATE_HZ;
        const from = given;
        while (given < u.words.length && (u.words[given]?.endMs ?? Infinity) <= endMs) given++;
        frames.push(...ls.words(u.words.slice(from, given)));
      }
      if (streamed) frames.push(...ls.words(u.words.slice(given)));
      frames.push(...ls.flush());
      const c = process.cpuUsage(c0);
      if (fps === 25) {
        cpuUs += c.user + c.system;
        audioS += u.samples.length / SAMPLE_RATE_HZ;
        scorer.addFrames(u.gt, frames, 40);
        lowConfidence += ls.lowConfidenceWords;
        words += u.words.length;
      } else {
        scorer.addOpenness(
          u.gt,
          frames.map((f) => f.params.jawOpen),
        );
      }
    }
  }
  return {
    ...scorer.result(),
    cpuMsPerAudioS: cpuUs / 1000 / audioS,
    audioS,
    lowConfidenceShare: opts.timed ? lowConfidence / words : NaN,
  };
}
