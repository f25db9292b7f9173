// @ts-check
/**
 * Capacity (issue: ≥ 6 concurrent talking sessions at 480p, each received at ≥ 24 fps, on 2 cores;
 * ≤ 60 MB RSS per session).
 *
 * The server runs alone in a child process (lib/server-host.mjs, default settings: render workers =
 * cores), so its CPU and RSS come from /proc. This process holds the other ends: per session a LITE
 * WebSocket fed vowel-like speech in real time (300 ms ahead, one endless utterance, so the mouth moves
 * all the time) and one viewer. Viewers keep no frames in JavaScript (`sinks: false`), but libwebrtc
 * still decodes VP8, on the same two cores: their cost is printed too. Received fps is libwebrtc's
 * `framesDecoded` over the window.
 *
 * Ramp: sessions are added to reach each N of `--steps`; after `--warmup` s, a `--window` s steady
 * window measures per-session received fps (min / avg, and the worst 1 s of any session), frames
 * the server handed to the encoders per session and second (`liveface_webrtc_frames_total`), the
 * mean time a render worker took per frame (`liveface_render_duration_seconds`), server
 * CPU (% of one core) and RSS, both per session (minus the idle server's; RSS also per added
 * session), frames late (`liveface_frames_late_total`), playout stalls, this process's CPU (LITE
 * clients + viewers) and everybody else's (other jobs on the machine: a run is only clean when that
 * is ~0), and the server's CPU by thread: JS main thread, other Node threads (the render workers),
 * libwebrtc's VP8 encoder threads, the rest of libwebrtc. Stops after two failing steps in a row.
 *
 *   npm run bench:capacity [-- --steps 1,2,4,6,7,8,9,10] [-- --window 15] [-- --warmup 5]
 */
import { cpus } from 'node:os';
import { clearInterval, setInterval } from 'node:timers';
import {
  cpuMeter,
  flag,
  load,
  machine,
  mean,
  metricValue,
  now,
  openLite,
  sleep,
  spawnServer,
  startSession,
  threadCpuS,
} from './lib/live.mjs';
import { syllables, toBase64 } from './lib/media.mjs';
import { connectViewer } from './lib/viewer.mjs';

const i = process.argv.indexOf('--steps');
const STEPS = (i >= 0 ? String(process.argv[i + 1]) : '1,2,4,6,7,8,9,10').split(',').map(Number);
const WINDOW_S = flag('--window', 15);
const WARMUP_S = flag('--warmup', 5);
const RATE = 24_000;
const AHEAD_MS = 300;
const MIN_FPS = 24;

const loadStart = load();
console.log(`bench:capacity — ${machine()}`);
const server = await spawnServer();
console.log(`server pid ${server.pid}, ${server.renderWorkers} render workers`);

/** 4 s of speech, looped. */
const speech = syllables(4000);
/** @type {{ lite: Awaited<ReturnType<typeof openLite>>, viewer: Awaited<ReturnType<typeof connectViewer>>, t0: number, sent: number }[]} */
const sessions = [];
const feeder = setInterval(() => {
  for (const s of sessions) {
    const due = Math.round(((now() - s.t0 + AHEAD_MS) * RATE) / 1000);
    if (due <= s.sent) continue;
    const pcm = new Int16Array(due - s.sent);
    for (let k = 0; k < pcm.length; k++) pcm[k] = speech[(s.sent + k) % speech.length] ?? 0;
    s.lite.send({ type: 'agent.speak', audio: toBase64(pcm) });
    s.sent = due;
  }
}, 100);

/** Server and bench process readings at one instant. */
async function snapshot() {
  const metrics = await server.metrics();
  return {
    at: now(),
    server: server.stat(),
    threads: threadCpuS(server.pid),
    self: process.cpuUsage(),
    frames: await Promise.all(sessions.map((s) => s.viewer.framesDecoded())),
    late: metricValue(metrics, 'liveface_frames_late_total'),
    stalledMs: metricValue(metrics, 'liveface_playout_stalled_ms_total'),
    sent: metricValue(metrics, 'liveface_webrtc_frames_total'),
    renderS: metricValue(metrics, 'liveface_render_duration_seconds_sum'),
    rendered: metricValue(metrics, 'liveface_render_duration_seconds_count'),
  };
}

// The idle server: its own RSS and CPU, subtracted per session below.
await sleep(3000);
const idle0 = await snapshot();
await sleep(5000);
const idle1 = await snapshot();
const idleCpu = (100 * (idle1.server.cpuS - idle0.server.cpuS)) / ((idle1.at - idle0.at) / 1000);
const idleRss = idle1.server.rssBytes;
console.log(`idle server: CPU ${idleCpu.toFixed(1)} % of a core, RSS ${(idleRss / 2 ** 20).toFixed(0)} MB`);
console.log(
  '\n   N | recv fps min  avg  worst-1s | sent fps | render ms | server CPU %  per session | RSS MB  per session  marginal | late  stalls ms | bench CPU % | other CPU % | main / workers / VP8 / webrtc % | loadavg',
);

let failures = 0;
let prevRss = { n: 0, mb: idleRss / 2 ** 20 };
/** @type {string[]} */
const lines = [];
for (const n of STEPS) {
  while (sessions.length < n) {
    const s = await startSession(server.url);
    const lite = await openLite(s.wsUrl);
    const viewer = await connectViewer(s.webrtcUrl, { sinks: false });
    await Promise.race([viewer.connected, sleep(15_000)]);
    sessions.push({ lite, viewer, t0: now(), sent: 0 });
  }
  await sleep(WARMUP_S * 1000);
  const a = await snapshot();
  const meter = cpuMeter(server.pid);
  /** Worst 1 s of any session. */
  let worst = Infinity;
  let prev = a;
  for (let k = 0; k < WINDOW_S; k++) {
    await sleep(1000);
    const cur = await snapshot();
    const dt = (cur.at - prev.at) / 1000;
    for (let j = 0; j < n; j++) worst = Math.min(worst, ((cur.frames[j] ?? 0) - (prev.frames[j] ?? 0)) / dt);
    prev = cur;
  }
  const b = prev;
  const other = meter().otherPct;
  const dt = (b.at - a.at) / 1000;
  const fps = sessions.map((_, j) => ((b.frames[j] ?? 0) - (a.frames[j] ?? 0)) / dt);
  const cpu = (100 * (b.server.cpuS - a.server.cpuS)) / dt;
  const benchCpu = (b.self.user + b.self.system - a.self.user - a.self.system) / 1e4 / dt;
  const rss = b.server.rssBytes / 2 ** 20;
  const sentFps = (b.sent - a.sent) / n / dt;
  const renderMs = (1000 * (b.renderS - a.renderS)) / Math.max(1, b.rendered - a.rendered);
  const marginal = (rss - prevRss.mb) / (n - prevRss.n);
  prevRss = { n, mb: rss };
  const line = [
    String(n).padStart(4),
    ` | ${Math.min(...fps)
      .toFixed(1)
      .padStart(5)} ${mean(fps).toFixed(1).padStart(4)} ${worst.toFixed(0).padStart(6)}   `,
    ` | ${sentFps.toFixed(1).padStart(5)}`,
    ` | ${renderMs.toFixed(1).padStart(6)}`,
    ` | ${cpu.toFixed(0).padStart(6)}   ${((cpu - idleCpu) / n).toFixed(1).padStart(8)}     `,
    ` | ${rss.toFixed(0).padStart(5)} ${((b.server.rssBytes - idleRss) / 2 ** 20 / n).toFixed(1).padStart(8)} ${marginal.toFixed(1).padStart(8)}  `,
    ` | ${String(b.late - a.late).padStart(4)} ${String(Math.round(b.stalledMs - a.stalledMs)).padStart(7)}   `,
    ` | ${benchCpu.toFixed(0).padStart(6)}     `,
    ` | ${other.toFixed(0).padStart(6)}     `,
    ` | ${['main', 'workers', 'vp8', 'webrtc']
      .map((g) => ((100 * ((b.threads[g] ?? 0) - (a.threads[g] ?? 0))) / dt).toFixed(0))
      .join(' / ')
      .padEnd(16)}`,
    ` | ${load()}`,
    Math.min(...fps) >= MIN_FPS ? '' : '  ✗',
  ].join('');
  console.log(line);
  lines.push(line);
  failures = Math.min(...fps) >= MIN_FPS ? 0 : failures + 1;
  if (failures >= 2) break;
}
clearInterval(feeder);
const loadEnd = load();
for (const s of sessions) {
  s.viewer.close();
  s.lite.close();
}
await server.close();
const passed = lines.filter((l) => !l.endsWith('✗')).map((l) => Number(l.slice(0, 4)));
console.log(
  `\nlargest N with every session ≥ ${MIN_FPS} fps: ${passed.length ? Math.max(...passed) : 0} (${cpus().length} cores); loadavg at start ${loadStart}, end ${loadEnd}`,
);
// libwebrtc can abort while tearing down at exit; everything is closed, so leave now.
process.exit(0);
