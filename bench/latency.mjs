// @ts-check
/**
 * Mouth-to-glass latency (issue: p50 ≤ 60 ms, p95 ≤ 100 ms): from a LITE chunk reaching the server to
 * a loopback viewer receiving the frame that depicts the chunk's first audio.
 *
 * The server runs in its own process (lib/server-host.mjs), the viewer (libwebrtc, decoding VP8) and
 * the LITE client in this one. The avatar is idle; every `--gap` ms one chunk of loud vowel-like
 * speech (`--chunk` ms of the tests' `syllables`, after `--lead` ms of silence) is sent with
 * `agent.speak` + `agent.speak_end`. The server's instrumentation (server-host.mjs) stamps a sequence
 * number into every frame, so each frame the viewer decodes is matched to the tick that drew it. All
 * times are from the moment the chunk left the client plus the lead (when its speech is due):
 * - **frame**: arrival of the frame of the first tick whose audio holds the speech (the frame that
 *   depicts the chunk's first audio, whatever the mouth looks like on it);
 * - **open**: arrival of the first frame whose mouth is open on the decoded pixels (`mouthOpenness` >
 *   threshold, calibrated on idle frames), and how many ticks after the first speech tick it was drawn;
 * - **audio**: arrival of the first 10 ms of audio above −30 dBFS RMS at the viewer's audio sink;
 * - the split of the frame path: send → runtime.append (WebSocket + JSON + base64), append → tick
 *   (the clock re-phases for a silent avatar), tick → hand-off to the encoders (render worker + I420),
 *   hand-off → decoded at the viewer (VP8 encode, RTP over loopback, jitter buffer and A/V sync, decode).
 *
 * With `--video-only` the viewer receives no audio, so libwebrtc's lip sync cannot hold the video back
 * for the audio jitter buffer: the video path alone (a diagnostic, not the target).
 *
 *   npm run bench:latency [-- --trials 40] [-- --gap 2000] [-- --chunk 480] [-- --lead 0] [-- --video-only]
 */
import { cpuLine, flag, load, machine, mean, quantile, sleep, summary, tracedSession } from './lib/live.mjs';
import { mouthBox, mouthOpenness, rms, syllables, toBase64 } from './lib/media.mjs';
import { readStamp } from './lib/stamp.mjs';
import { connectViewer } from './lib/viewer.mjs';

const TRIALS = flag('--trials', 40);
const GAP_MS = flag('--gap', 2000);
const CHUNK_MS = flag('--chunk', 480);
const LEAD_MS = flag('--lead', 0);
const VIDEO_ONLY = process.argv.includes('--video-only');
const AUDIO_RMS = 10 ** (-30 / 20);

const loadStart = load();
console.log(`bench:latency — ${machine()}`);
const { server, cpu, session, lite, rows, close } = await tracedSession();

const box = mouthBox('medium');
/** @type {{ at: number, seq: number | null, open: number }[]} */
const frames = [];
/** @type {{ at: number, rms: number }[]} */
const audio = [];
const viewer = await connectViewer(session.webrtcUrl, {
  onFrame: (f, at) =>
    frames.push({ at, seq: readStamp(f.data, f.width), open: mouthOpenness({ at, ...f }, box) }),
  onAudio: (s, _rate, at) => audio.push({ at, rms: rms(s) }),
  audio: !VIDEO_ONLY,
});
await viewer.firstFrame;
await sleep(3000);

// Threshold: the idle mouth after VP8 (a closed mouth reads 0), with a floor.
const idleOpen = Math.max(...frames.map((f) => f.open));
const threshold = Math.max(0.005, 2 * idleOpen);

const pcm = new Int16Array(((LEAD_MS + CHUNK_MS) * 24_000) / 1000);
pcm.set(syllables(CHUNK_MS), (LEAD_MS * 24_000) / 1000);
const chunk = toBase64(pcm);
/** When each trial's speech is due: the send time plus the lead. */
/** @type {number[]} */
const due = [];
for (let i = 0; i < TRIALS; i++) {
  due.push(lite.send({ type: 'agent.speak', event_id: `lat-${i}`, audio: chunk }) + LEAD_MS);
  lite.send({ type: 'agent.speak_end', event_id: `lat-end-${i}` });
  await sleep(GAP_MS);
}
await sleep(500);
const loadEnd = load();
const cpuUse = cpu();
viewer.close();
await close();

// Server times in our clock.
const appends = rows('append');
const ticks = rows('tick');
const sent = rows('sent');
const sentByPts = new Map(sent.map((s) => [s.ptsMs, s]));
const frameBySeq = new Map(frames.filter((f) => f.seq !== null).map((f) => [f.seq, f]));

/** @type {Record<'frame' | 'open' | 'audio' | 'wsAppend' | 'lipSync' | 'appendTick' | 'tickHandoff' | 'handoffView' | 'openTicks' | 'jaw', number[]>} */
const m = {
  frame: [],
  open: [],
  audio: [],
  wsAppend: [],
  lipSync: [],
  appendTick: [],
  tickHandoff: [],
  handoffView: [],
  openTicks: [],
  jaw: [],
};
let skipped = 0;
let lost = 0;
for (let i = 0; i < TRIALS; i++) {
  const t0 = due[i] ?? 0;
  const append = appends.find((a) => a.source === `lat-${i}`);
  // The first tick whose audio is loud (its first sample of speech: the syllable starts at once).
  const first = append && ticks.find((t) => t.at >= append.at - 1 && t.loudAt >= 0);
  if (!append || !first) continue;
  // The tick's frame, or (frame skipped: the worker was still drawing) the next tick that has one.
  const out = sent.find((s) => s.ptsMs >= first.ptsMs && s.seq !== null);
  const recv = out && frameBySeq.get(out.seq);
  if (!out || !recv) {
    lost++;
    continue;
  }
  if (out.ptsMs !== first.ptsMs) skipped++;
  m.frame.push(recv.at - t0);
  m.jaw.push(first.jaw);
  m.wsAppend.push(append.at - (t0 - LEAD_MS));
  m.lipSync.push(append.doneAt - append.at);
  m.appendTick.push(first.at - append.doneAt - LEAD_MS);
  m.tickHandoff.push((sentByPts.get(first.ptsMs)?.at ?? out.at) - first.at);
  m.handoffView.push(recv.at - out.at);
  const open = frames.find((f) => f.at > t0 && f.at < t0 + GAP_MS && f.open > threshold);
  if (open) {
    m.open.push(open.at - t0);
    const o = sent.find((s) => s.seq === open.seq);
    if (o) m.openTicks.push((o.ptsMs - first.ptsMs) / 40);
  }
  const a = audio.find((x) => x.at > t0 - LEAD_MS && x.rms > AUDIO_RMS);
  if (a) m.audio.push(a.at - t0);
}

const med = (/** @type {number[]} */ xs) => quantile(xs, 0.5).toFixed(1);
const p95 = (/** @type {number[]} */ xs) => quantile(xs, 0.95).toFixed(1);
console.log(
  `\n${m.frame.length}/${TRIALS} trials (${lost} frames lost), ${LEAD_MS} ms silence + ${CHUNK_MS} ms speech every ${GAP_MS} ms; server clock offset ${server.clockOffsetMs.toFixed(3)} ms; frames with an unreadable stamp ${frames.filter((f) => f.seq === null).length} of ${frames.length}`,
);
console.log(
  `mouth: jawOpen on the first speech tick mean ${mean(m.jaw).toFixed(2)} (min ${Math.min(...m.jaw).toFixed(2)}); pixel threshold ${threshold.toFixed(4)} (idle max ${idleOpen.toFixed(4)})`,
);
console.log(`frame of the first audio  : ${summary(m.frame)}   (its frame skipped, worker busy: ${skipped})`);
console.log(
  `first open mouth (pixels) : ${summary(m.open)}   (drawn ${mean(m.openTicks).toFixed(1)} ticks after the first speech tick on average)`,
);
console.log(`first audio at the viewer: ${summary(m.audio)}`);
console.log(
  `split, p50 (p95): send→append ${med(m.wsAppend)} (${p95(m.wsAppend)}), append (lip-sync) ${med(m.lipSync)} (${p95(m.lipSync)}), →tick ${med(m.appendTick)} (${p95(m.appendTick)}), tick→hand-off ${med(m.tickHandoff)} (${p95(m.tickHandoff)}), hand-off→decoded ${med(m.handoffView)} (${p95(m.handoffView)}) ms`,
);
console.log(`${cpuLine(cpuUse)}; loadavg at start ${loadStart}, end ${loadEnd}`);
// libwebrtc can abort while tearing down at exit; everything is closed, so leave now.
process.exit(0);
