// Offline render speed: 30 s of speech-like audio → 480p MP4 through `liveface render` (lip-sync and
// animation on the main thread, frames drawn on render workers, I420 into ffmpeg: x264 ultrafast + AAC),
// per avatar, in fresh processes. Prints media seconds per wall second ("× real time") as the command
// reports it (from the command's start: workers, reading the audio, lip-sync, frames, encoder) and for
// the whole process (plus Node start-up and module loading), and the machine's load average, since
// other work on a 2-core machine shows in these numbers.
// Each 30 s render is paired with a 2 s one of the same audio, run right after it, which splits the
// whole-process time into a fixed start-up cost (process, modules, workers, ffmpeg, JIT warm-up, the
// encoder's finish) and a steady per-second speed: (30 − 2) s of media / (wall₃₀ − wall₂).
// ENCODER=none hands the frames to a stand-in for ffmpeg that reads and discards them (`--ffmpeg`):
// the speed of everything but the encoder.
// NODE_EXTRA_CA_CERTS, when set (some sandboxes and corporate machines set it for a TLS proxy), makes
// every Node process parse its certificates before running any code: ~50 ms of start-up on the
// benchmark machine, against ~30 ms for all the rest of Node's own start. `liveface render` makes no
// TLS connection, so the renders run without it, as on a machine without it (KEEP_CA_CERTS=1 keeps it);
// the bench prints what it costs here.
//   SECONDS_OF_AUDIO=30 RUNS=5 [ENCODER=none] [KEEP_CA_CERTS=1] npm run bench:offline
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../packages/engine/dist/index.js';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'packages/server/dist/cli.js');
const seconds = Number(process.env.SECONDS_OF_AUDIO ?? 30);
const runs = Number(process.env.RUNS ?? 5);
/** The short render that measures the start-up cost. */
const SHORT_SECONDS = 2;
const avatars = [
  ['Wayne', 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a'],
  ['Maya', '3f6c1d2a-8b4e-4c7a-9e15-6a2d0b9c4f81'],
  ['Amara', 'b51e8f07-2c94-4d3b-8a6f-0e7c3d59a2b4'],
];

/** 24 kHz mono WAV of voiced syllables (240 ms on, 160 ms off). */
function wav(secs) {
  const rate = 24000;
  const samples = new Int16Array(rate * secs);
  for (let i = 0; i < samples.length; i++) {
    const t = i / rate;
    let v = 0;
    if ((t * 1000) % 400 < 240)
      for (let h = 1; h <= 20; h++)
        v += Math.exp(-(((120 * h - 700) / 250) ** 2)) * Math.sin(2 * Math.PI * 120 * h * t);
    samples[i] = Math.round(v * 8000);
  }
  return encodeWav(samples, rate);
}

const median = (/** @type {number[]} */ xs) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const keepCaCerts = process.env.KEEP_CA_CERTS === '1';
const withoutCaCerts = { ...process.env };
delete withoutCaCerts.NODE_EXTRA_CA_CERTS;
const renderEnv = keepCaCerts ? process.env : withoutCaCerts;

const dir = mkdtempSync(join(tmpdir(), 'liveface-bench-'));
try {
  writeFileSync(join(dir, 'in.wav'), wav(seconds));
  writeFileSync(join(dir, 'short.wav'), wav(SHORT_SECONDS));
  const noEncoder = process.env.ENCODER === 'none';
  if (noEncoder) {
    // Reads the video (stdin) and the audio (fd 3) like ffmpeg would, and keeps nothing.
    writeFileSync(join(dir, 'discard'), '#!/bin/sh\ncat <&3 > /dev/null &\ncat > /dev/null\nwait\n');
    chmodSync(join(dir, 'discard'), 0o755);
  }
  console.log(
    `offline render, ${seconds} s of audio → 480p ${noEncoder ? 'frames, encoder replaced by a discarding reader' : 'MP4 (x264 ultrafast + AAC)'}, ${Math.max(1, availableParallelism() - 1)} render ` +
      `workers, ${runs} fresh processes each; load average before: ${loadavg()[0]?.toFixed(2)}`,
  );
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const boot = (/** @type {NodeJS.ProcessEnv} */ env) =>
      median(
        Array.from({ length: 5 }, () => {
          const t0 = performance.now();
          execFileSync('node', ['-e', '0'], { env });
          return performance.now() - t0;
        }),
      );
    console.log(
      `NODE_EXTRA_CA_CERTS is set: \`node -e 0\` takes ${boot(process.env).toFixed(0)} ms with it, ` +
        `${boot(withoutCaCerts).toFixed(0)} ms without; the renders run ${keepCaCerts ? 'with' : 'without'} it`,
    );
  }
  console.log('avatar   × real time per run (render)        median   whole process   steady   start-up');
  /** Runs `liveface render`; returns the speed it reports, the media seconds and the wall seconds. */
  const render = (/** @type {string} */ id, /** @type {string} */ input) => {
    const started = performance.now();
    const out = execFileSync(
      'node',
      [
        cli,
        'render',
        '--audio',
        join(dir, input),
        '--quality',
        'medium',
        '--avatar',
        id,
        ...(noEncoder ? ['--ffmpeg', join(dir, 'discard')] : []),
        '-o',
        join(dir, 'out.mp4'),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'], env: renderEnv },
    ).toString();
    const wallS = (performance.now() - started) / 1000;
    return {
      speed: Number(/\(([\d.]+)× real time\)/.exec(out)?.[1]),
      mediaS: Number(/: ([\d.]+) s, \d+ frames/.exec(out)?.[1]),
      wallS,
    };
  };
  for (const [name, id] of avatars) {
    const speeds = [];
    const whole = [];
    const steady = [];
    const startup = [];
    for (let r = 0; r < runs; r++) {
      const long = render(id, 'in.wav');
      const short = render(id, 'short.wav');
      speeds.push(long.speed);
      whole.push(long.mediaS / long.wallS);
      const perMediaS = (long.wallS - short.wallS) / (long.mediaS - short.mediaS);
      steady.push(1 / perMediaS);
      startup.push(short.wallS - short.mediaS * perMediaS);
    }
    console.log(
      `${name.padEnd(8)} ${speeds
        .map((s) => s.toFixed(1).padStart(5))
        .join(' ')
        .padEnd(36)} ${median(speeds).toFixed(1).padStart(5)}×   ${median(whole).toFixed(1).padStart(5)}×` +
        `          ${median(steady).toFixed(1).padStart(5)}×   ${median(startup).toFixed(2)} s`,
    );
  }
  console.log(`load average after: ${loadavg()[0]?.toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
