// @ts-check
/**
 * Time to first frame (issue: ≤ 500 ms on loopback): from the start call to the first decoded frame
 * at a viewer, over `--sessions` sessions one after another (default 20), after one cold session
 * that is reported apart (the first peer connection of the viewer's process pays for libwebrtc's
 * threads and codec factories).
 *
 * The server runs in its own process (lib/server-host.mjs); the viewer (libwebrtc, decoding VP8) in
 * this one does what a page does: `POST /v1/sessions/start` with the session token (minted before,
 * not timed: a customer's backend does that ahead), then its offer with every local ICE candidate
 * (WHEP is non-trickle), `POST webrtc_url`, apply the answer, wait for ICE + DTLS, first frame.
 * Phases: start call | offer + local ICE gathering | WHEP POST (the server answers after its own
 * gathering) | ICE + DTLS connected | first decoded frame.
 *
 *   npm run bench:startup [-- --sessions 20]
 */
import {
  cpuLine,
  cpuMeter,
  createToken,
  flag,
  load,
  machine,
  quantile,
  sleep,
  spawnServer,
  startWithToken,
  stopSession,
  now,
} from './lib/live.mjs';
import { connectViewer } from './lib/viewer.mjs';

const SESSIONS = flag('--sessions', 20);
const loadStart = load();
console.log(`bench:startup — ${machine()}`);
const server = await spawnServer();
const cpu = cpuMeter(server.pid);

const PHASES = /** @type {const} */ (['start', 'offer', 'whep', 'connected', 'frame', 'total']);
/** @type {Record<(typeof PHASES)[number], number>[]} */
const runs = [];
for (let i = 0; i <= SESSIONS; i++) {
  const token = await createToken(server.url);
  const t0 = now();
  const session = await startWithToken(server.url, token);
  const started = now();
  const viewer = await connectViewer(session.webrtcUrl);
  await Promise.race([viewer.firstFrame, sleep(10_000)]);
  const t = viewer.t;
  runs.push({
    start: started - t0,
    offer: (t.gathered ?? NaN) - started,
    whep: (t.answered ?? NaN) - (t.gathered ?? NaN),
    connected: (t.connected ?? NaN) - (t.answered ?? NaN),
    frame: (t.firstFrame ?? NaN) - (t.connected ?? NaN),
    total: (t.firstFrame ?? NaN) - t0,
  });
  viewer.close();
  await stopSession(server.url, session.sessionId);
  await sleep(300);
}
const loadEnd = load();
const cpuUse = cpu();
await server.close();

const fmt = (/** @type {number} */ x) => x.toFixed(1).padStart(7);
const cold = runs[0];
const warm = runs.slice(1);
console.log(
  `\n${'phase (ms)'.padEnd(34)}${'cold'.padStart(7)}${'p50'.padStart(7)}${'p95'.padStart(7)}${'max'.padStart(7)}`,
);
const label = {
  start: 'start call',
  offer: 'offer + local ICE gathering',
  whep: 'WHEP POST (server answer)',
  connected: 'ICE + DTLS connected',
  frame: 'first decoded frame',
  total: 'total: start call → first frame',
};
for (const p of PHASES) {
  const xs = warm.map((r) => r[p]);
  console.log(
    `${label[p].padEnd(34)}${fmt(cold?.[p] ?? NaN)}${fmt(quantile(xs, 0.5))}${fmt(quantile(xs, 0.95))}${fmt(Math.max(...xs))}`,
  );
}
const failed = warm.filter((r) => !Number.isFinite(r.total)).length;
console.log(
  `\n${warm.length} warm sessions (${failed} without a frame in 10 s)\n${cpuLine(cpuUse)}; loadavg at start ${loadStart}, end ${loadEnd}`,
);
// libwebrtc can abort while tearing down at exit; everything is closed, so leave now.
process.exit(0);
