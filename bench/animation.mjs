// @ts-check
/**
 * Animation benchmark (issue 3): µs per frame of `Animator.step` (blinks, gaze, breath, head, springs)
 * over a deterministic sequence that cycles idle → listening → talking with speech-like loudness and
 * pitch, and µs per 40 ms frame of the F0 tracker on voiced audio. Single thread; prints the median
 * of several runs and the share of one core at 25 fps.
 *
 *   npm run bench:animation [-- --frames 30000] [-- --runs 7]
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../packages/engine/dist/', import.meta.url));
/** @type {typeof import('../packages/engine/src/index.js')} */
const engine = await import(join(ENGINE, 'index.js'));

const arg = (/** @type {string} */ name, /** @type {number} */ dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const FRAMES = arg('--frames', 30_000);
const RUNS = arg('--runs', 7);
const FPS = 25;
const SR = 24_000;

/** Inputs of frame i: 12 s per state, syllables at 4 Hz and a pitch contour while talking. */
function inputs() {
  /** @type {import('../packages/engine/src/index.js').AnimatorInput[]} */
  const out = [];
  /** @type {import('../packages/engine/src/index.js').AgentState[]} */
  const order = ['idle', 'listening', 'talking'];
  for (let i = 0; i < FRAMES; i++) {
    const state = order[Math.floor(i / (12 * FPS)) % 3] ?? 'idle';
    const syl = Math.max(0, Math.sin((2 * Math.PI * 4 * i) / FPS));
    const pause = i % 70 > 55;
    const talking = state === 'talking' && !pause;
    out.push({
      ptsMs: (i * 1000) / FPS,
      state,
      mouth: { ...engine.NEUTRAL_MOUTH, jawOpen: talking ? 0.6 * syl : 0 },
      loudness: talking ? 0.2 + 0.6 * syl : 0,
      pitchHz: talking && syl > 0.2 ? 140 * 2 ** ((Math.sin(i / 9) * 4) / 12) : null,
    });
  }
  return out;
}

const median = (/** @type {number[]} */ xs) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const seq = inputs();
const animUs = [];
let sink = 0;
for (let r = 0; r < RUNS + 1; r++) {
  const a = new engine.Animator({ seed: r, fps: FPS });
  const t0 = performance.now();
  for (const input of seq) sink += a.step(input).head.yaw;
  const us = ((performance.now() - t0) * 1000) / seq.length;
  if (r > 0) animUs.push(us); // run 0 warms the JIT
}

// One 40 ms frame of a voice-like tone (fundamental + 2 harmonics), gliding so frames differ.
const frames = Array.from({ length: 50 }, (_, k) => {
  const f0 = 100 + 4 * k;
  return Int16Array.from({ length: SR / FPS }, (_, i) => {
    const ph = (2 * Math.PI * f0 * i) / SR;
    return Math.round(6000 * (Math.sin(ph) + 0.5 * Math.sin(2 * ph + 1) + 0.3 * Math.sin(3 * ph + 2)));
  });
});
const pitchUs = [];
for (let r = 0; r < RUNS + 1; r++) {
  const tracker = new engine.PitchTracker({ sampleRateHz: SR });
  const n = 5000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += tracker.push(frames[i % frames.length] ?? frames[0]) ?? 0;
  const us = ((performance.now() - t0) * 1000) / n;
  if (r > 0) pitchUs.push(us);
}

const a = median(animUs);
const p = median(pitchUs);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `animation bench — ${cpu}, Node ${process.version}, ${FRAMES} frames × ${RUNS} runs (checksum ${sink.toFixed(1)})`,
);
console.log(
  `Animator.step     ${a.toFixed(2)} µs/frame median (runs: ${animUs.map((x) => x.toFixed(2)).join(' ')}), ${((a * FPS) / 1e4).toFixed(3)} % of a core at ${FPS} fps`,
);
console.log(
  `PitchTracker.push ${p.toFixed(2)} µs per 40 ms frame median (runs: ${pitchUs.map((x) => x.toFixed(2)).join(' ')}), ${((p * FPS) / 1e4).toFixed(3)} % of a core`,
);
