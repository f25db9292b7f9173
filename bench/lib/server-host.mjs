// @ts-check
/**
 * The server process of the live benches: the real Liveface server (`startServer` from the built
 * package, as `liveface serve` runs it) on 127.0.0.1, port 0, with a temp data folder, started by
 * `spawnServer` (live.mjs) so that its CPU and memory can be read from /proc apart from the viewers'.
 *
 * On request (IPC `trace`) it instruments one session, for the latency and sync benches only:
 * - `runtime.append` is wrapped to note when each LITE chunk reached the runtime;
 * - `scheduler.tick` is wrapped to note each tick's time, mouth opening and where its audio is loud;
 * - a media sink, added before any viewer so it runs before the WebRTC transport's, notes when each
 *   tick's audio is handed to the encoders ('audioOut'), stamps a sequence number into each frame
 *   (stamp.mjs) and notes when the frame is handed over and the mouth openness of its pixels (the
 *   tests' `mouthOpenness`) ('sent'). Being a subscriber, it also starts the drawing a moment before
 *   the viewer joins. Audio rows say whether the tick was voiced (the avatar speaking);
 * - FULL sessions: the agent events (user.speak_started/ended, transcripts) as they leave ('agent'),
 *   and mic frames holding a voiced sample as they reach the session's listener ('mic').
 * Records go to the parent in batches. Times are epoch ms (`performance.timeOrigin + now()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { parseConfig, startServer } from '../../packages/server/dist/index.js';
import { mouthBox, mouthOpenness } from './media.mjs';
import { writeStamp } from './stamp.mjs';

const send = (/** @type {unknown} */ m) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();
/** @type {{ apiKey: string, renderWorkers?: number, fps?: 25 | 30, config?: Record<string, unknown> }} */
const opts = JSON.parse(process.argv[2] ?? '{}');
const dataDir = mkdtempSync(join(tmpdir(), 'liveface-bench-'));
const server = await startServer(
  parseConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    apiKey: opts.apiKey,
    logLevel: 'silent',
    ...(opts.renderWorkers ? { renderWorkers: opts.renderWorkers } : {}),
    ...(opts.fps ? { fps: opts.fps } : {}),
    ...opts.config,
  }),
);

/** @type {Map<string, ReturnType<typeof mouthBox>>} */
const boxes = new Map();
/** Pending records per kind, flushed every 200 ms. */
/** @type {{ kind: string, sessionId: string, row: Record<string, unknown> }[]} */
let pending = [];
const flushTimer = setInterval(() => {
  if (!pending.length) return;
  send({ type: 'records', records: pending });
  pending = [];
}, 200);

/**
 * Instruments one session (see the module comment).
 * @param {string} sessionId
 * @param {'low' | 'medium' | 'high' | 'very_high'} quality
 */
function trace(sessionId, quality) {
  const runtime = server.sessions.runtime(sessionId);
  if (!runtime) throw new Error(`no runtime for ${sessionId}`);
  const box = boxes.get(quality) ?? mouthBox(quality);
  boxes.set(quality, box);
  const push = (/** @type {string} */ kind, /** @type {Record<string, unknown>} */ row) =>
    pending.push({ kind, sessionId, row });

  const append = runtime.append.bind(runtime);
  runtime.append = (samples, source) => {
    const at = now();
    const r = append(samples, source);
    // doneAt − at: lip-sync run on the chunk (and a new utterance's estimator), inside append.
    push('append', { at, doneAt: now(), samples: samples.length, source });
    return r;
  };
  const scheduler = runtime.scheduler;
  const tick = scheduler.tick.bind(scheduler);
  scheduler.tick = () => {
    const at = now();
    const f = tick();
    // First sample of the tick's audio above a quarter of full scale (-1: none): burst onsets.
    const loudAt = f.audio.findIndex((v) => Math.abs(v) > 8192);
    push('tick', { at, ptsMs: f.ptsMs, jaw: f.pose.mouth.jawOpen, speech: f.speechSamples, loudAt });
    return f;
  };
  // FULL sessions: the agent's events (user.speak_started/ended, transcripts) as they leave, and the
  // microphone frames with a voiced sample as they reach the listener.
  server.sessions.onAgentEvent(sessionId, (e) => push('agent', { at: now(), type: e.event_type }));
  const ears = server.sessions.listener(sessionId);
  if (ears) {
    const hear = ears.push.bind(ears);
    ears.push = (samples, rate, viewer) => {
      if (samples.some((v) => Math.abs(v) > 1000)) push('mic', { at: now() });
      hear(samples, rate, viewer);
    };
  }
  let seq = 0;
  runtime.addMediaSink({
    audio: (ptsMs, samples) =>
      push('audioOut', { at: now(), ptsMs, voiced: samples.some((v) => Math.abs(v) > 300) }),
    video: (ptsMs, frame) => {
      const at = now();
      const open = mouthOpenness({ at: 0, width: frame.width, height: frame.height, data: frame.data }, box);
      writeStamp(frame.data, frame.width, seq);
      push('sent', { at, ptsMs, seq: seq++ & 0xffff, open });
    },
  });
}

process.on('message', (/** @type {{ id: number, cmd: string, [k: string]: any }} */ m) => {
  try {
    if (m.cmd === 'now') return send({ id: m.id, now: now() });
    if (m.cmd === 'trace') return (trace(m.sessionId, m.quality ?? 'medium'), send({ id: m.id, ok: true }));
    if (m.cmd === 'close') return void close().then(() => send({ id: m.id, ok: true }));
    send({ id: m.id, error: `unknown command ${m.cmd}` });
  } catch (e) {
    send({ id: m.id, error: String(e) });
  }
});

async function close() {
  clearInterval(flushTimer);
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.on('disconnect', () => void close().finally(() => process.exit(0)));

send({ type: 'ready', url: server.url, pid: process.pid, renderWorkers: server.renderPool.size });
