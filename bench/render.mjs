// @ts-check
/**
 * Renderer benchmark (issue 3): ms per frame for each built-in avatar at 360p/480p/720p over an
 * animated pose sequence (visemes tweening, blinks, gaze, head motion, breathing, hair lag).
 *
 * Default (`--mode worker`): the path live sessions and offline renders use. One render worker
 * (RenderPool of size 1), one frame in flight; the time is the worker's own (draw + canvas readback +
 * copy into the transfer buffer), and "rt" is the round trip seen by the main thread (message both
 * ways plus the I420 conversion).
 *
 * `--mode inline`: the old measurement, `renderer.render()` in a tight synchronous loop on the main
 * thread. It shows the "slow mode" (docs/benchmarks.md): with no event-loop turn between frames the
 * canvas readbacks are never freed, every frame touches fresh memory, and in some processes that
 * costs ~5 ms more per 480p frame.
 *
 * Each cell runs in several fresh processes (the slow mode was per process): we print the median of
 * the per-process medians and p95s, and every per-process median so a slow process is visible.
 *
 *   npm run bench:render [-- --procs 6] [-- --frames 300] [-- --mode inline] [-- --quality medium]
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../packages/engine/dist/', import.meta.url));
const POOL = fileURLToPath(new URL('../packages/server/dist/media/render-pool.js', import.meta.url));
/** @type {typeof import('../packages/engine/src/index.js')} */
const engine = await import(join(ENGINE, 'index.js'));

const arg = (/** @type {string} */ name, /** @type {string} */ dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const FRAMES = Number(arg('--frames', '300'));
const MODE = arg('--mode', 'worker');
const WARMUP_FRAMES = 30;

/** The pose at frame `i` of a 25 fps talking sequence, deterministic. */
function poseAt(
  /** @type {number} */ i,
  /** @type {import('../packages/engine/src/types.js').AvatarPose} */ p,
) {
  const classes = engine.VISEME_CLASSES;
  // A new viseme every 3 frames (~8 per second), cross-faded so the mouth moves every frame.
  const k = Math.floor(i / 3);
  const a = engine.VISEME_TEMPLATES[classes[(k * 5) % classes.length] ?? 'SIL'];
  const b = engine.VISEME_TEMPLATES[classes[((k + 1) * 5) % classes.length] ?? 'SIL'];
  const t = (i % 3) / 3;
  for (const key of /** @type {(keyof typeof a)[]} */ (Object.keys(a)))
    p.mouth[key] = a[key] + (b[key] - a[key]) * t;
  const blink = i % 90 < 4 ? ([0.5, 1, 1, 0.5][i % 90] ?? 0) : 0;
  p.eyeClose.left = blink;
  p.eyeClose.right = blink;
  p.gaze.x = Math.sin(i * 0.05) * 0.4;
  p.gaze.y = Math.cos(i * 0.037) * 0.2;
  p.browRaise = Math.sin(i * 0.09) * 0.4;
  p.head.yaw = Math.sin(i * 0.031) * 6;
  p.head.pitch = Math.sin(i * 0.047) * 3;
  p.head.roll = Math.sin(i * 0.023) * 3;
  p.headOffset.x = Math.sin(i * 0.011) * 0.01;
  p.breath = 0.5 + 0.5 * Math.sin(i * 0.025);
  p.smile = 0.2;
  // Loose hair trailing the head (the animator's HairMotion gives a few units).
  p.hair.x = Math.sin(i * 0.06) * 3;
  p.hair.y = Math.sin(i * 0.045) * 1.5;
  return p;
}

/** Median and p95 of a sample. */
function stats(/** @type {number[]} */ xs) {
  const s = [...xs].sort((x, y) => x - y);
  const q = (/** @type {number} */ f) => s[Math.min(s.length - 1, Math.floor(s.length * f))] ?? NaN;
  return { median: q(0.5), p95: q(0.95) };
}

/** One process, worker path: FRAMES frames through a render slot, one in flight. */
async function childWorker(
  /** @type {string} */ avatarId,
  /** @type {import('../packages/engine/src/render/sizes.js').RenderQuality} */ quality,
) {
  /** @type {typeof import('../packages/server/src/media/render-pool.js')} */
  const { RenderPool } = await import(POOL);
  /** @type {number[]} */
  const worker = [];
  const pool = new RenderPool({ size: 1, observer: { frameRendered: (ms) => worker.push(ms) } });
  const slot = pool.open({ avatarId, quality });
  const into = new Uint8Array((slot.width * slot.height * 3) / 2);
  const p = engine.restPose();
  /** @type {number[]} */
  const rt = [];
  for (let i = 0; i < WARMUP_FRAMES + FRAMES; i++) {
    poseAt(i, p);
    const t0 = performance.now();
    await slot.render(p, into);
    if (i >= WARMUP_FRAMES) rt.push(performance.now() - t0);
  }
  await pool.close();
  const w = stats(worker.slice(WARMUP_FRAMES));
  process.stdout.write(JSON.stringify({ ...w, rt: stats(rt).median }));
}

/** One process, inline path: FRAMES synchronous `render()` calls on this thread. */
function childInline(
  /** @type {string} */ avatarId,
  /** @type {import('../packages/engine/src/render/sizes.js').RenderQuality} */ quality,
) {
  const r = engine.createRenderer({ avatarId, quality });
  const p = engine.restPose();
  /** @type {number[]} */
  const ms = [];
  for (let i = 0; i < WARMUP_FRAMES + FRAMES; i++) {
    poseAt(i, p);
    const t0 = performance.now();
    r.render(p);
    if (i >= WARMUP_FRAMES) ms.push(performance.now() - t0);
  }
  process.stdout.write(JSON.stringify({ ...stats(ms), rt: NaN }));
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[s.length >> 1] ?? NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

if (process.argv[2] === '--child') {
  const quality = /** @type {any} */ (process.argv[4]);
  if (MODE === 'inline') childInline(process.argv[3] ?? '', quality);
  else await childWorker(process.argv[3] ?? '', quality);
} else {
  const procs = Number(arg('--procs', '6'));
  const only = arg('--quality', '');
  const qualities = /** @type {const} */ (['low', 'medium', 'high']).filter((q) => !only || q === only);
  const cpu = cpus()[0];
  console.log(
    `renderer benchmark (${MODE} path): ${FRAMES} frames/process after ${WARMUP_FRAMES} warm-up, ${procs} fresh processes per cell`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpu?.model ?? '?'} @ ${cpu?.speed ?? '?'} MHz\n`,
  );
  console.log(
    `avatar   size            median ms  p95 ms  ${MODE === 'worker' ? 'rt ms  ' : ''}per-process medians`,
  );
  for (const avatar of engine.BUILTIN_AVATARS) {
    for (const quality of qualities) {
      const runs = [];
      for (let k = 0; k < procs; k++) {
        const out = execFileSync(process.execPath, [
          fileURLToPath(import.meta.url),
          '--child',
          avatar.id,
          quality,
          '--frames',
          String(FRAMES),
          '--mode',
          MODE,
        ]);
        runs.push(/** @type {{ median: number; p95: number; rt: number }} */ (JSON.parse(out.toString())));
      }
      const { width, height } = engine.frameSize(quality);
      const rt =
        MODE === 'worker'
          ? `${median(runs.map((r) => r.rt))
              .toFixed(2)
              .padStart(5)}  `
          : '';
      console.log(
        `${avatar.name.padEnd(8)} ${`${quality} ${width}×${height}`.padEnd(15)} ${median(
          runs.map((r) => r.median),
        )
          .toFixed(2)
          .padStart(9)}  ${median(runs.map((r) => r.p95))
          .toFixed(2)
          .padStart(6)}  ${rt}${runs.map((r) => r.median.toFixed(2)).join(' ')}`,
      );
    }
  }
}
