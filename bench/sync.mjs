// @ts-check
/**
 * A/V offset at the receiver with a sync-pulse clip (research notes, lipsync §3.5; issue: mean
 * |offset| ≤ 20 ms, max ≤ 40 ms, no drift over 10 minutes).
 *
 * One LITE utterance is fed in real time for `--minutes` (default 10): silence with a 200 ms 1 kHz
 * tone burst (−6 dBFS) every 1.32 s, each burst starting on a frame boundary (the utterance starts on
 * a tick, and 1.32 s is 33 frames). The lip-sync opens the mouth on a burst's first frame (a loud tone
 * reads as a voiced sound): that is the "forced mouth opening" of §3.5, done by the real estimator.
 * A loopback viewer (libwebrtc, this process) receives the stream. The server's instrumentation
 * (server-host.mjs) stamps every frame, so each decoded frame is known by the tick that drew it and
 * that tick's mouth. Per burst:
 * - audio onset: the first received sample above a quarter of full scale, timed as its 10 ms chunk's
 *   arrival at the audio sink plus its position in the chunk;
 * - video onset: the arrival of the first decoded frame drawn for the burst (its tick or a later one
 *   if that frame was skipped) with the mouth open (server jawOpen ≥ 0.3);
 * - offset = video − audio (positive: the mouth opens after the sound).
 * Cross-check without the stamps: the first decoded frame with dark mouth pixels (`mouthOpenness` >
 * 0.003; the closed mouth reads 0). The offset is fitted against time for drift; the receiver's audio
 * jitter-buffer delay (getStats) is sampled every 10 s; the server's pacing (how late ticks and
 * hand-offs to the encoders ran) is printed, since audio jitter at the receiver starts there.
 *
 * What the numbers mean: audio is timed where libwebrtc hands it to the audio device (NetEq's output,
 * pulled every 10 ms), video where the decoder hands the frame to the renderer. A browser then adds
 * its audio output latency (libwebrtc's A/V sync adds the device's reported delay to the audio side,
 * so the picture is held back about as much) and shows the frame at the next vsync (0–16 ms later).
 *
 *   npm run bench:sync [-- --minutes 10]
 */
import {
  cpuLine,
  cpuMeter,
  flag,
  linearFit,
  load,
  machine,
  mean,
  now,
  quantile,
  sleep,
  tracedSession,
} from './lib/live.mjs';
import { mouthBox, mouthOpenness, toBase64 } from './lib/media.mjs';
import { readStamp } from './lib/stamp.mjs';
import { connectViewer } from './lib/viewer.mjs';

const MINUTES = flag('--minutes', 10);
const RATE = 24_000;
const LEAD_SAMPLES = RATE * 0.4; // silence before the first burst (10 frames)
const PERIOD = RATE * 1.32; // 33 frames
const BURST = RATE * 0.2;
const AMP = 16_384;
const LOUD = 8192;
const JAW_OPEN = 0.3;
const PIXELS_OPEN = 0.003;
// Far enough ahead that a stalled bench process never lets the utterance run dry (that would move
// the bursts off the frame grid).
const FEED_AHEAD_MS = 1000;

const loadStart = load();
console.log(`bench:sync — ${machine()}; ${MINUTES} min`);
const { server, cpu, session, lite, rows, close } = await tracedSession();

const box = mouthBox('medium');
/** @type {{ at: number, seq: number | null, pixels: number }[]} */
const frames = [];
/** Audio onsets at the viewer: rising edges after ≥ 300 ms below the threshold. */
/** @type {number[]} */
const audioOnsets = [];
let lastLoud = -Infinity;
const viewer = await connectViewer(session.webrtcUrl, {
  onFrame: (f, at) =>
    frames.push({ at, seq: readStamp(f.data, f.width), pixels: mouthOpenness({ at, ...f }, box) }),
  onAudio: (s, rate, at) => {
    const i = s.findIndex((v) => Math.abs(v) > LOUD);
    if (i < 0) return;
    const t = at + (i * 1000) / rate;
    if (t - lastLoud > 300) audioOnsets.push(t);
    for (let k = s.length - 1; k >= 0; k--)
      if (Math.abs(s[k] ?? 0) > LOUD) {
        lastLoud = at + (k * 1000) / rate;
        break;
      }
  },
});
await viewer.firstFrame;
await sleep(1000);

/** The clip's sample n. */
const sample = (/** @type {number} */ n) => {
  const k = n - LEAD_SAMPLES;
  if (k < 0 || k % PERIOD >= BURST) return 0;
  return Math.round(AMP * Math.sin((2 * Math.PI * 1000 * (k % PERIOD)) / RATE));
};
// The receiver's jitter-buffer delay over each interval (Δ delay / Δ samples emitted).
/** @type {{ at: number, ms: number, targetMs: number }[]} */
const jitter = [];
let prevJb = { delay: 0, target: 0, count: 0 };
const sampleJitter = async () => {
  /** @type {Map<string, any>} */
  const stats = await viewer.pc.getStats();
  for (const s of stats.values()) {
    if (s.type !== 'inbound-rtp' || s.kind !== 'audio') continue;
    const d = {
      delay: s.jitterBufferDelay ?? 0,
      target: s.jitterBufferTargetDelay ?? 0,
      count: s.jitterBufferEmittedCount ?? 0,
    };
    if (d.count > prevJb.count)
      jitter.push({
        at: now(),
        ms: (1000 * (d.delay - prevJb.delay)) / (d.count - prevJb.count),
        targetMs: (1000 * (d.target - prevJb.target)) / (d.count - prevJb.count),
      });
    prevJb = d;
  }
};

const totalSamples = Math.round(MINUTES * 60 * RATE);
let sent = 0;
const t0 = now();
let nextReport = t0 + 60_000;
let nextJitter = t0;
/** Other processes' CPU per minute of the run (% of one core): which minutes were clean. */
/** @type {number[]} */
const otherByMinute = [];
let minuteCpu = cpuMeter(server.pid);
while (sent < totalSamples) {
  const due = Math.min(totalSamples, Math.round(((now() - t0 + FEED_AHEAD_MS) * RATE) / 1000));
  if (due > sent) {
    const pcm = new Int16Array(due - sent);
    for (let i = 0; i < pcm.length; i++) pcm[i] = sample(sent + i);
    lite.send({ type: 'agent.speak', event_id: `sync-${sent}`, audio: toBase64(pcm) });
    sent = due;
  }
  if (now() > nextJitter) {
    nextJitter += 10_000;
    await sampleJitter();
  }
  if (now() > nextReport) {
    nextReport += 60_000;
    otherByMinute.push(minuteCpu().otherPct);
    minuteCpu = cpuMeter(server.pid);
    console.log(
      `  ${((now() - t0) / 60_000).toFixed(0)} min: ${audioOnsets.length} bursts heard, jitter buffer ${jitter.at(-1)?.ms.toFixed(0)} ms, other processes ${otherByMinute.at(-1)?.toFixed(0)} % CPU, loadavg ${load()}`,
    );
  }
  await sleep(100);
}
lite.send({ type: 'agent.speak_end', event_id: 'sync-end' });
await sleep(2000);
otherByMinute.push(minuteCpu().otherPct);
const loadEnd = load();
const cpuUse = cpu();
viewer.close();
await close();

// ---- analysis: server times in our clock ----
const ticks = rows('tick');
const jawByPts = new Map(ticks.map((t) => [t.ptsMs, t.jaw]));
const sentRows = rows('sent');
const sentByPts = new Map(sentRows.map((s) => [s.ptsMs, s]));
const audioRows = rows('audioOut');
const audioByPts = new Map(audioRows.map((s) => [s.ptsMs, s]));
const ptsBySeq = new Map(sentRows.filter((s) => s.seq !== null).map((s) => [s.seq, s.ptsMs]));
/** Received frames with the tick that drew them. */
const received = frames
  .map((f) => ({ ...f, pts: f.seq === null ? undefined : ptsBySeq.get(f.seq) }))
  .filter((f) => f.pts !== undefined);
// Bursts as played by the server: a loud tick after a quiet one.
const bursts = ticks.filter((t, i) => t.loudAt >= 0 && !((ticks[i - 1]?.loudAt ?? -1) >= 0));
// A sine from phase 0 passes a quarter of full scale on its 3rd sample; later means an underrun moved it.
const misaligned = bursts.filter((b) => b.loudAt > 4).length;

/** @type {{ t: number, offset: number, pixelOffset: number, lateTicks: number, audioDelay: number, videoDelay: number }[]} */
const results = [];
/** @type {string[]} */
const unmatched = [];
for (const b of bursts) {
  const handoff = audioByPts.get(b.ptsMs);
  if (!handoff) continue;
  const audioAt = audioOnsets.find((a) => a > handoff.at && a < handoff.at + 1000);
  // The first frame received that depicts the burst with the mouth open (its tick, or later).
  const video = received.find(
    (f) => f.pts >= b.ptsMs && f.pts < b.ptsMs + 200 && (jawByPts.get(f.pts) ?? 0) >= JAW_OPEN,
  );
  if (!audioAt || !video) {
    unmatched.push(
      `${((handoff.at - t0) / 1000).toFixed(1)} s: ${audioAt ? '' : 'no audio onset '}${video ? '' : `no open frame (jaw ${b.jaw.toFixed(2)})`}`,
    );
    continue;
  }
  const pixelFrame = frames.find(
    (f) => f.pixels > PIXELS_OPEN && f.at > handoff.at && f.at < handoff.at + 1000,
  );
  results.push({
    t: (handoff.at - t0) / 60_000,
    offset: video.at - audioAt,
    pixelOffset: pixelFrame ? pixelFrame.at - audioAt : NaN,
    lateTicks: (video.pts - b.ptsMs) / 40,
    audioDelay: audioAt - handoff.at,
    videoDelay: video.at - (sentByPts.get(video.pts)?.at ?? NaN),
  });
}

const fmt = (/** @type {number} */ x) => x.toFixed(1);
const describe = (/** @type {string} */ name, /** @type {number[]} */ xs) =>
  console.log(
    `${name.padEnd(30)} mean ${fmt(mean(xs))}, mean |x| ${fmt(mean(xs.map(Math.abs)))}, p5 ${fmt(quantile(xs, 0.05))}, p50 ${fmt(quantile(xs, 0.5))}, p95 ${fmt(quantile(xs, 0.95))}, max |x| ${fmt(Math.max(...xs.map(Math.abs)))} ms`,
  );
const finite = (/** @type {number[]} */ xs) => xs.filter(Number.isFinite);
const report = (/** @type {typeof results} */ rs, /** @type {string} */ label) => {
  console.log(`\n${label}: ${rs.length} bursts`);
  describe(
    'offset (video − audio)',
    rs.map((r) => r.offset),
  );
  describe('  cross-check on pixels only', finite(rs.map((r) => r.pixelOffset)));
  describe(
    'audio delay (hand-off → sink)',
    rs.map((r) => r.audioDelay),
  );
  describe('video delay (hand-off → sink)', finite(rs.map((r) => r.videoDelay)));
  const late = rs.filter((r) => r.lateTicks > 0).length;
  console.log(`open frame a tick late (burst frame skipped or mouth not yet open): ${late}`);
  const fit = linearFit(
    rs.map((r) => r.t),
    rs.map((r) => r.offset),
  );
  const fa = linearFit(
    rs.map((r) => r.t),
    rs.map((r) => r.audioDelay),
  );
  console.log(
    `drift: offset ${fit.b.toFixed(2)} ms/min (intercept ${fit.a.toFixed(1)} ms); audio delay ${fa.b.toFixed(2)} ms/min`,
  );
};
console.log(
  `\nframes with an unreadable stamp: ${frames.filter((f) => f.seq === null).length} of ${frames.length}; bursts played ${bursts.length} (off the frame grid: ${misaligned}), matched ${results.length}, unmatched ${unmatched.length}${unmatched.length ? ` (${unmatched.slice(0, 6).join('; ')}${unmatched.length > 6 ? '; …' : ''})` : ''}`,
);
const burstJaw = bursts.map((b) => b.jaw);
console.log(
  `mouth on the burst's first tick: jawOpen mean ${mean(burstJaw).toFixed(2)}, min ${Math.min(...burstJaw).toFixed(2)}`,
);
console.log(
  `first bursts (offset / audio delay / video delay, ms): ${results
    .slice(0, 8)
    .map((r) => `${fmt(r.offset)}/${fmt(r.audioDelay)}/${fmt(r.videoDelay)}`)
    .join(', ')}`,
);
report(results, 'all');
if (MINUTES > 1)
  report(
    results.filter((r) => r.t >= 0.5),
    'after the first 30 s',
  );
const jb = jitter.filter((j) => j.at - t0 > 30_000);
if (jb.length)
  console.log(
    `receiver audio jitter buffer after 30 s (10 s samples): mean ${fmt(mean(jb.map((j) => j.ms)))} ms, min ${fmt(Math.min(...jb.map((j) => j.ms)))}, max ${fmt(Math.max(...jb.map((j) => j.ms)))}; NetEq target mean ${fmt(mean(jb.map((j) => j.targetMs)))} ms`,
  );
console.log('per minute (offset mean, max |x| / audio delay / video delay / other processes):');
for (let m = 0; m < Math.ceil(MINUTES); m++) {
  const rs = results.filter((r) => r.t >= m && r.t < m + 1);
  if (rs.length)
    console.log(
      `  ${m}–${m + 1}: ${fmt(mean(rs.map((r) => r.offset)))}, ${fmt(Math.max(...rs.map((r) => Math.abs(r.offset))))} / ${fmt(mean(rs.map((r) => r.audioDelay)))} / ${fmt(mean(finite(rs.map((r) => r.videoDelay))))} ms / ${otherByMinute[m]?.toFixed(0) ?? '?'} % CPU`,
    );
}
// The minutes other jobs left alone (< 25 % of a core), after the first (A/V sync converging).
const clean = results.filter((r) => r.t >= 1 && (otherByMinute[Math.floor(r.t)] ?? Infinity) < 25);
if (clean.length && MINUTES > 1) report(clean, 'minutes 2+ with other processes < 25 % of a core');
// Server-side pacing: how late each tick ran and each hand-off to the encoders left, against the
// earliest (tick time − pts) of the utterance; audio jitter at the receiver comes from here.
const fromPts = ticks.find((t) => t.speech > 0)?.ptsMs ?? 0;
const uttTicks = ticks.filter((t) => t.ptsMs >= fromPts);
const base = Math.min(...uttTicks.map((t) => t.at - t.ptsMs));
const tickLate = uttTicks.map((t) => t.at - t.ptsMs - base);
const handoffLate = audioRows.filter((s) => s.ptsMs >= fromPts).map((s) => s.at - s.ptsMs - base);
const frameLate = sentRows.filter((s) => s.ptsMs >= fromPts).map((s) => s.at - s.ptsMs - base);
const pct = (/** @type {number[]} */ xs) =>
  `p50 ${fmt(quantile(xs, 0.5))}, p95 ${fmt(quantile(xs, 0.95))}, p99 ${fmt(quantile(xs, 0.99))}, max ${fmt(Math.max(...xs))} ms`;
console.log(
  `server tick lateness: ${pct(tickLate)}; audio hand-off lateness: ${pct(handoffLate)}; frame hand-off lateness: ${pct(frameLate)}`,
);
console.log(`${cpuLine(cpuUse)}; loadavg at start ${loadStart}, end ${loadEnd}`);
// libwebrtc can abort while tearing down at exit; everything is closed, so leave now.
process.exit(0);
