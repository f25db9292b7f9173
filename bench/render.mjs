// @ts-check
/**
 * Renderer benchmark (issue 3): ms per frame for each built-in avatar at 360p/480p/720p, single
 * thread, over an animated pose sequence (visemes tweening, blinks, gaze, head motion, breathing),
 * including the RGBA readback. Each cell runs in several fresh processes because @napi-rs/canvas
 * readback is bimodal per process (research notes, stack §4): we print the median of the per-process
 * medians and p95s, and every per-process median so a slow process is visible.
 *
 *   npm run bench:render [-- --procs 3] [-- --frames 300]
 */
import { execFileSync } from 'node:child_process';
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
const FRAMES = arg('--frames', 300);
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
  return p;
}

/** One process: render and time FRAMES frames of one avatar at one quality. */
function child(
  /** @type {string} */ avatarId,
  /** @type {import('../packages/engine/src/render/sizes.js').RenderQuality} */ quality,
) {
  const r = engine.createRenderer({ avatarId, quality });
  const p = engine.restPose();
  const ms = [];
  for (let i = 0; i < WARMUP_FRAMES + FRAMES; i++) {
    poseAt(i, p);
    const t0 = performance.now();
    r.render(p);
    if (i >= WARMUP_FRAMES) ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  const q = (/** @type {number} */ f) => ms[Math.min(ms.length - 1, Math.floor(ms.length * f))] ?? NaN;
  process.stdout.write(JSON.stringify({ median: q(0.5), p95: q(0.95) }));
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[s.length >> 1] ?? NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

if (process.argv[2] === '--child') {
  child(process.argv[3] ?? '', /** @type {any} */ (process.argv[4]));
} else {
  const procs = arg('--procs', 3);
  const cpu = cpus()[0];
  console.log(
    `renderer benchmark: ${FRAMES} frames/process after ${WARMUP_FRAMES} warm-up, ${procs} fresh processes per cell`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpu?.model ?? '?'} @ ${cpu?.speed ?? '?'} MHz\n`,
  );
  console.log('avatar   size            median ms  p95 ms   per-process medians');
  for (const avatar of engine.BUILTIN_AVATARS) {
    for (const quality of /** @type {const} */ (['low', 'medium', 'high'])) {
      const runs = [];
      for (let k = 0; k < procs; k++) {
        const out = execFileSync(process.execPath, [
          fileURLToPath(import.meta.url),
          '--child',
          avatar.id,
          quality,
          '--frames',
          String(FRAMES),
        ]);
        runs.push(/** @type {{ median: number; p95: number }} */ (JSON.parse(out.toString())));
      }
      const { width, height } = engine.frameSize(quality);
      console.log(
        `${avatar.name.padEnd(8)} ${`${quality} ${width}×${height}`.padEnd(15)} ${median(
          runs.map((r) => r.median),
        )
          .toFixed(2)
          .padStart(9)}  ${median(runs.map((r) => r.p95))
          .toFixed(2)
          .padStart(6)}   ${runs.map((r) => r.median.toFixed(2)).join(' ')}`,
      );
    }
  }
}
