// @ts-check
/**
 * Set-up shared by bench:turn and bench:bargein: the real server in a child process (server-host.mjs)
 * with its STT pointed at a local server that speaks OpenAI's `/v1/audio/transcriptions` and an LLM
 * configuration pointed at the same server's streaming `/v1/chat/completions`. Both answer at once
 * (the benches measure Liveface's own overhead), the chat answer being whatever `llm.answer` holds. A
 * FULL session (CONVERSATIONAL, built-in espeak-ng voice) is started and traced, and a libwebrtc
 * viewer joins with a microphone and a data channel. `talk()` plays a 48 kHz clip as the microphone
 * in real time.
 */
/* global fetch -- Node 20's built-in */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { decodeWavPcm16 } from '../../packages/engine/dist/index.js';
import { API_KEY, AVATAR_ID, now, sleep, spawnServer } from './live.mjs';
import { connectViewer } from './viewer.mjs';

export const MIC_RATE = 48_000;
const FRAME = MIC_RATE / 100;

/** An espeak-ng sentence at 48 kHz mono, and the sample where its voice starts and ends. */
export function sentence(/** @type {string} */ text) {
  const pcm = decodeWavPcm16(
    new Uint8Array(execFileSync('espeak-ng', ['-v', 'en-us', '--stdout', text])),
    MIC_RATE,
  );
  const voiced = (/** @type {number} */ i) => Math.abs(pcm[i] ?? 0) > 1000;
  let first = 0;
  while (first < pcm.length && !voiced(first)) first++;
  let last = pcm.length - 1;
  while (last > 0 && !voiced(last)) last--;
  return { pcm, firstVoiced: first, lastVoiced: last };
}

/** The local STT + LLM server. */
async function fakeVendor() {
  const state = { transcript: 'What time is breakfast?', answer: ['Breakfast is at seven.'], gapMs: 0 };
  const http = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      if (req.url?.endsWith('/audio/transcriptions')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ text: state.transcript }));
      }
      if (!req.url?.endsWith('/chat/completions')) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (/** @type {Record<string, unknown>} */ delta, /** @type {string | null} */ finish) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }, null));
      for (const d of state.answer) {
        if (res.destroyed) return;
        res.write(chunk({ content: d }, null));
        if (state.gapMs) await sleep(state.gapMs);
      }
      res.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', () => r(null)));
  const port = /** @type {import('node:net').AddressInfo} */ (http.address()).port;
  return { url: `http://127.0.0.1:${port}`, state, close: () => http.close() };
}

/** Starts everything (see the module comment). */
export async function conversation() {
  const llm = await fakeVendor();
  const server = await spawnServer({
    config: { sttProvider: 'openai', sttBaseUrl: `${llm.url}/v1`, sttApiKey: 'sk-bench' },
  });
  /** @type {{ kind: string, row: any }[]} */
  const records = [];
  server.onRecords((r) => records.push(...r));
  const api = async (/** @type {string} */ path, /** @type {unknown} */ body, token = '') => {
    const r = await fetch(server.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : { 'x-api-key': API_KEY }),
      },
      body: JSON.stringify(body),
    });
    const json = /** @type {any} */ (await r.json());
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  const secret = await api('/v1/secrets', {
    secret_name: 'bench',
    secret_value: 'sk-bench',
    secret_type: 'OPENAI_API_KEY',
  });
  const config = await api('/v1/llm-configurations', {
    display_name: 'local',
    model_name: 'bench',
    secret_id: secret.id,
    base_url: `${llm.url}/v1`,
  });
  const context = await api('/v1/contexts', { name: 'bench', prompt: 'You are brief.' });
  const token = await api('/v1/sessions/token', {
    mode: 'FULL',
    avatar_id: AVATAR_ID,
    avatar_persona: { context_id: context.id },
    llm_configuration_id: config.id,
  });
  const started = await api('/v1/sessions/start', {}, token.session_token);
  await server.trace(token.session_id);
  /** @type {{ type: string, at: number, [k: string]: any }[]} */
  const events = [];
  /** @type {{ at: number, rms: number }[]} */
  const audio = [];
  // No video sink: decoded frames crossing into this process's JS would delay the microphone's
  // 10 ms timers (a browser captures audio on its own thread). libwebrtc still decodes the video.
  const viewer = await connectViewer(started.webrtc_url, {
    mic: true,
    video: false,
    onEvent: (e, at) => events.push({ ...e, type: e.event_type, at }),
    onAudio: (s, _rate, at) => {
      let e = 0;
      for (const v of s) e += v * v;
      audio.push({ at, rms: Math.sqrt(e / s.length) / 32768 });
    },
  });
  await viewer.connected;
  await sleep(1500);
  const rows = (/** @type {string} */ kind) =>
    records.filter((r) => r.kind === kind).map((r) => ({ ...r.row, at: r.row.at - server.clockOffsetMs }));
  /**
   * Plays `pcm` as the microphone in real time, then `silenceMs` of silence. `onSample(i, at)` is
   * told when the frame holding sample i left.
   */
  const talk = async (/** @type {Int16Array} */ pcm, silenceMs = 0, marks = /** @type {number[]} */ ([])) => {
    const all = new Int16Array(pcm.length + (silenceMs * MIC_RATE) / 1000);
    all.set(pcm);
    /** @type {number[]} */
    const at = [];
    const t0 = now();
    for (let i = 0, k = 0; i + FRAME <= all.length; i += FRAME, k++) {
      viewer.mic(all.slice(i, i + FRAME));
      for (const m of marks) if (m >= i && m < i + FRAME) at.push(now());
      const wait = t0 + (k + 1) * 10 - now();
      if (wait > 0) await sleep(wait);
    }
    return at;
  };
  return {
    server,
    llm,
    viewer,
    events,
    audio,
    rows,
    talk,
    close: async () => {
      viewer.close();
      await server.close();
      llm.close();
    },
  };
}

/** Resolves when `pred` holds (polling every 5 ms), or rejects after `ms`. */
export async function until(/** @type {() => boolean} */ pred, ms = 20_000, what = 'condition') {
  const end = now() + ms;
  while (!pred()) {
    if (now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
