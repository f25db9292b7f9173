// @ts-check
/**
 * Shared plumbing of the live benches (latency, sync, capacity, startup): the server in a child
 * process (server-host.mjs), the REST and LITE calls a customer's backend makes, /proc readings,
 * the machine's load, and small statistics. Times are epoch ms with sub-ms resolution
 * (`performance.timeOrigin + performance.now()`), comparable across processes on one machine.
 */
/* global fetch -- Node 20's built-in */
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

export { sleep };
export const AVATAR_ID = 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a';
export const API_KEY = 'lf_bench_key_0123456789abcdef01234567';
export const now = () => performance.timeOrigin + performance.now();

/** One line describing the machine and how busy it is right now. */
export function machine() {
  const cpu = cpus()[0]?.model.trim() ?? '?';
  return `${cpus().length} × ${cpu}, Node ${process.version}, loadavg ${load()}`;
}
/** The 1/5/15-min load averages. */
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** CPU seconds (user + system) and RSS bytes of a process, from /proc. */
export function procStat(/** @type {number} */ pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) in clock ticks; after the ")" they are at index 11 and 12.
  const ticks = Number(f[11]) + Number(f[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  return { cpuS: ticks / CLK_TCK, rssBytes: rss };
}
/** Linux's USER_HZ: 100 on every mainstream architecture. */
const CLK_TCK = 100;

/**
 * CPU seconds per thread group of a process: the JS main thread, the other Node threads (render
 * workers, libuv, V8), libwebrtc's video encoder (`EncoderQueue`: VP8) and the rest of libwebrtc.
 * @param {number} pid
 */
export function threadCpuS(pid) {
  /** @type {Record<string, number>} */
  const groups = { main: 0, workers: 0, vp8: 0, webrtc: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat = '';
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const s = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    const group =
      tid === String(pid)
        ? 'main'
        : comm === 'EncoderQueue'
          ? 'vp8'
          : /^(node|libuv|V8 |tokio)/.test(comm)
            ? 'workers'
            : 'webrtc';
    groups[group] = (groups[group] ?? 0) + s;
  }
  return groups;
}

/** CPU seconds the whole machine has been busy (all cores; not idle, not waiting for I/O). */
function machineBusyS() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = f.reduce((a, b) => a + b, 0);
  return (total - (f[3] ?? 0) - (f[4] ?? 0)) / CLK_TCK;
}

/**
 * Starts measuring CPU: `read()` gives, since the start, in % of one core, the server process, this
 * process, and everything else on the machine (other people's jobs: how busy the machine was).
 * @param {number} serverPid
 */
export function cpuMeter(serverPid) {
  const start = {
    at: now(),
    busy: machineBusyS(),
    server: procStat(serverPid).cpuS,
    self: process.cpuUsage(),
  };
  return () => {
    const dt = (now() - start.at) / 1000;
    const server = procStat(serverPid).cpuS - start.server;
    const u = process.cpuUsage(start.self);
    const self = (u.user + u.system) / 1e6;
    const busy = machineBusyS() - start.busy;
    const pct = (/** @type {number} */ s) => (100 * s) / dt;
    return { serverPct: pct(server), selfPct: pct(self), otherPct: pct(Math.max(0, busy - server - self)) };
  };
}
/** One line: the CPU a bench run and others used. */
export const cpuLine = (/** @type {ReturnType<ReturnType<typeof cpuMeter>>} */ c) =>
  `CPU over the run, % of one core: server ${c.serverPct.toFixed(0)}, bench process ${c.selfPct.toFixed(0)}, other processes ${c.otherPct.toFixed(0)}`;

/**
 * Starts the server in a child process and waits until it listens.
 * @param {{ renderWorkers?: number, config?: Record<string, unknown> }} [opts]
 */
export async function spawnServer(opts = {}) {
  const child = fork(
    new URL('./server-host.mjs', import.meta.url),
    [JSON.stringify({ apiKey: API_KEY, ...opts })],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  /** @type {Map<number, (m: any) => void>} */
  const calls = new Map();
  /** @type {((records: { kind: string, sessionId: string, row: any }[]) => void)[]} */
  const recordListeners = [];
  let nextId = 1;
  /** @type {{ url: string, pid: number, renderWorkers: number }} */
  const ready = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.on('message', (/** @type {any} */ m) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'records') for (const l of recordListeners) l(m.records);
      else if (m.id) calls.get(m.id)?.(m);
    });
  });
  /** @param {Record<string, unknown>} msg */
  const call = (msg) =>
    /** @type {Promise<any>} */ (
      new Promise((resolve, reject) => {
        const id = nextId++;
        calls.set(id, (m) => {
          calls.delete(id);
          if (m.error) reject(new Error(m.error));
          else resolve(m);
        });
        child.send({ ...msg, id });
      })
    );
  // Offset of the child's clock from ours, from the fastest of a few round trips (should be ~0).
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 10; i++) {
    const t0 = now();
    const { now: theirs } = await call({ cmd: 'now' });
    const t1 = now();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: theirs - (t0 + t1) / 2 };
  }
  return {
    ...ready,
    /** The child's clock minus ours, ms (their time − offset = our time). */
    clockOffsetMs: best.offset,
    /** Instruments a session for tracing (see server-host.mjs). */
    trace: (/** @type {string} */ sessionId, quality = 'medium') =>
      call({ cmd: 'trace', sessionId, quality }),
    onRecords: (/** @type {(typeof recordListeners)[number]} */ l) => recordListeners.push(l),
    stat: () => procStat(ready.pid),
    metrics: async () => (await fetch(`${ready.url}/metrics`)).text(),
    close: async () => {
      await Promise.race([call({ cmd: 'close' }), sleep(10_000)]);
      child.disconnect();
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    },
  };
}

/**
 * The server in a child process with one traced session (see server-host.mjs) and its LITE socket.
 * `rows(kind)` returns the trace records of one kind with their times on this process's clock.
 */
export async function tracedSession() {
  const server = await spawnServer();
  /** @type {{ kind: string, row: any }[]} */
  const records = [];
  server.onRecords((r) => records.push(...r));
  const cpu = cpuMeter(server.pid);
  const session = await startSession(server.url);
  const lite = await openLite(session.wsUrl);
  await server.trace(session.sessionId);
  const rows = (/** @type {string} */ kind) =>
    records.filter((r) => r.kind === kind).map((r) => ({ ...r.row, at: r.row.at - server.clockOffsetMs }));
  /** Closes the LITE socket, stops the session and the server. */
  const close = async () => {
    lite.close();
    await stopSession(server.url, session.sessionId);
    await server.close();
  };
  return { server, cpu, session, lite, rows, close };
}

/** A counter or gauge from Prometheus text, summed over its labels. */
export function metricValue(/** @type {string} */ text, /** @type {string} */ name) {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) sum += Number(line.split(' ').at(-1));
  return sum;
}

/**
 * What a customer's backend does before a viewer joins: a session token, then the start call.
 * @param {string} url
 * @param {{ quality?: string }} [opts]
 */
export async function createToken(url, opts = {}) {
  const r = await fetch(`${url}/v1/sessions/token`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({
      mode: 'LITE',
      avatar_id: AVATAR_ID,
      video_settings: { quality: opts.quality ?? 'medium' },
    }),
  });
  const body = /** @type {any} */ (await r.json());
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(body)}`);
  return /** @type {string} */ (body.data.session_token);
}

/** @returns {Promise<{ sessionId: string, wsUrl: string, webrtcUrl: string }>} */
export async function startWithToken(/** @type {string} */ url, /** @type {string} */ token) {
  const r = await fetch(`${url}/v1/sessions/start`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  const body = /** @type {any} */ (await r.json());
  if (r.status !== 200) throw new Error(`start: ${r.status} ${JSON.stringify(body)}`);
  return { sessionId: body.data.session_id, wsUrl: body.data.ws_url, webrtcUrl: body.data.webrtc_url };
}

/** Token + start. */
export async function startSession(/** @type {string} */ url, /** @type {{ quality?: string }} */ opts = {}) {
  return startWithToken(url, await createToken(url, opts));
}

export async function stopSession(/** @type {string} */ url, /** @type {string} */ sessionId) {
  const r = await fetch(`${url}/v1/sessions/stop`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ session_id: sessionId }),
  });
  await r.arrayBuffer();
}

/**
 * A LITE WebSocket: resolves once the server says `connected`; records every event with its time.
 * @param {string} wsUrl
 */
export async function openLite(wsUrl) {
  const ws = new WebSocket(wsUrl);
  /** @type {(Record<string, any> & { at: number })[]} */
  const events = [];
  await new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      const e = { ...JSON.parse(String(data)), at: now() };
      events.push(e);
      if (e.type === 'session.state_updated' && e.state === 'connected') resolve(null);
    });
    ws.once('error', reject);
    ws.once('close', () => reject(new Error('LITE socket closed before connected')));
  });
  return {
    events,
    /** Sends one command; returns the time just before it left. */
    send: (/** @type {Record<string, unknown>} */ cmd) => {
      const at = now();
      ws.send(JSON.stringify(cmd));
      return at;
    },
    close: () => ws.close(),
  };
}

/** Quantile of numbers (linear interpolation). */
export function quantile(/** @type {number[]} */ xs, /** @type {number} */ q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return (s[lo] ?? NaN) + ((s[Math.ceil(i)] ?? NaN) - (s[lo] ?? NaN)) * (i - lo);
}
export const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Least-squares line y = a + b·x. */
export function linearFit(/** @type {number[]} */ x, /** @type {number[]} */ y) {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += ((x[i] ?? 0) - mx) * ((y[i] ?? 0) - my);
    sxx += ((x[i] ?? 0) - mx) ** 2;
  }
  const b = sxx ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}
/** Prints one row of ms values: the name padded to `width`, then p50, p95 and max in aligned columns. */
export function msRow(/** @type {string} */ name, /** @type {number[]} */ xs, width = 52) {
  const col = (/** @type {number} */ v) => v.toFixed(1).padStart(6);
  console.log(
    `${name.padEnd(width)} p50 ${col(quantile(xs, 0.5))}  p95 ${col(quantile(xs, 0.95))}  max ${col(Math.max(...xs))} ms`,
  );
}

/** `p50 / p95 / max` of ms values, one decimal. */
export const summary = (/** @type {number[]} */ xs) =>
  `p50 ${quantile(xs, 0.5).toFixed(1)} / p95 ${quantile(xs, 0.95).toFixed(1)} / max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

/** Reads `--name value` from argv. */
export function flag(/** @type {string} */ name, /** @type {number} */ dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
