/**
 * FULL mode, spoken turns, end to end: a libwebrtc viewer sends an espeak-ng sentence as its
 * microphone in real time; the server's Silero VAD cuts the turn, a local server speaking OpenAI's
 * `/v1/audio/transcriptions` transcribes it, a local OpenAI-compatible LLM answers, and the avatar
 * speaks. CONVERSATIONAL (with barge-in) and PUSH_TO_TALK. And the avatar's own voice from a local
 * server speaking `/v1/audio/speech` (a voice bound with `base_url`, as Kokoro-FastAPI would be).
 */
import { execFileSync } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, decodeWavPcm16 } from '@liveface/engine';
import { dgMetadata, dgResults } from './helpers/fake-deepgram.js';
import { rms, syllables } from './helpers/media.js';
import { streamChat } from './helpers/fake-openai.js';
import { delay, startFakeServer, type FakeServer } from './helpers/fake-server.js';
import { fullPersona, fullToken } from './helpers/full.js';
import { expectOk } from './helpers/rest.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connectViewer, type Viewer } from './helpers/viewer.js';

const MIC_RATE = 48_000;
let server: TestServer;
let vendor: FakeServer;
let persona: Awaited<ReturnType<typeof fullPersona>>;
const viewers: Viewer[] = [];
let llmDeltas: string[] = ['Breakfast is at seven.'];
let llmGapMs = 0;

/** An espeak-ng sentence at 48 kHz mono. */
function speech(text: string): Int16Array {
  return decodeWavPcm16(
    new Uint8Array(execFileSync('espeak-ng', ['-v', 'en-us', '--stdout', text])),
    MIC_RATE,
  );
}
const SENTENCE = speech('When is breakfast served in the morning?');

/** Sends `pcm` as the viewer's microphone in real time (10 ms frames), then `silenceMs` of silence. */
async function talk(v: Viewer, pcm: Int16Array, silenceMs = 1000): Promise<void> {
  const frame = MIC_RATE / 100;
  const all = new Int16Array(pcm.length + (silenceMs * MIC_RATE) / 1000);
  all.set(pcm);
  const t0 = performance.now();
  for (let i = 0, k = 0; i + frame <= all.length; i += frame, k++) {
    v.mic(all.slice(i, i + frame));
    const wait = t0 + (k + 1) * 10 - performance.now();
    if (wait > 0) await delay(wait);
  }
}

/** What the local TTS server says for any text: 1.6 s of speech-like PCM16 at 24 kHz. */
const TTS_PCM = syllables(1600);

beforeAll(async () => {
  vendor = await startFakeServer();
  vendor.onHttp(async (req, res: ServerResponse) => {
    if (req.url.endsWith('/audio/speech')) {
      // Raw PCM, streamed in pieces that split samples (as a real server's chunks may).
      const bytes = Buffer.from(TTS_PCM.buffer, TTS_PCM.byteOffset, TTS_PCM.byteLength);
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      for (const [a, b] of [
        [0, 4801],
        [4801, 30_001],
        [30_001, bytes.length],
      ] as const) {
        res.write(bytes.subarray(a, b));
        await delay(20);
      }
      res.end();
      return;
    }
    if (req.url.endsWith('/audio/transcriptions')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ text: 'When is breakfast?' }));
      return;
    }
    if (!req.url.endsWith('/chat/completions')) return void res.writeHead(404).end();
    await streamChat(res, llmDeltas, llmGapMs);
  });
  server = await startTestServer({
    sttProvider: 'openai',
    sttBaseUrl: `${vendor.url}/v1`,
    sttApiKey: 'sk-stt',
  });
  persona = await fullPersona(server, `${vendor.url}/v1`, {
    name: 'hotel',
    prompt: 'You are a hotel concierge.',
  });
});
afterEach(() => {
  for (const v of viewers.splice(0)) v.close();
});
afterAll(async () => {
  await server.stop();
  await vendor.stop();
});

/** Starts a FULL session on `on` and joins it with a viewer that has a microphone. */
async function startFull(
  interactivity: 'CONVERSATIONAL' | 'PUSH_TO_TALK',
  on = server,
  p: Parameters<typeof fullToken>[1] = persona,
) {
  const t = await fullToken(on, p, { interactivity_type: interactivity });
  const data = expectOk(
    await on.api('/v1/sessions/start', { method: 'POST', token: t.session_token, key: null }),
  );
  const v = await connectViewer(data.webrtc_url, { withMic: true });
  viewers.push(v);
  await v.until(() => v.connectionState() === 'connected', 10_000, 'connected');
  return { v, sessionId: t.session_id };
}

const ofType = (v: Viewer, t: string) => v.events.filter((e) => e.event_type === t);
const types = (v: Viewer) => v.events.map((e) => e.event_type as string);

describe('FULL mode: spoken turns', () => {
  it('CONVERSATIONAL: the user speaks, the VAD cuts the turn, STT → LLM → the avatar answers', async () => {
    llmDeltas = ['Breakfast is at seven.'];
    llmGapMs = 0;
    const { v, sessionId } = await startFull('CONVERSATIONAL');
    const before = vendor.requests.length;
    await talk(v, SENTENCE);
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'answer spoken');
    const order = types(v);
    for (const [a, b] of [
      ['user.speak_started', 'user.speak_ended'],
      ['user.speak_ended', 'user.transcription'],
      ['user.transcription', 'avatar.transcription.chunk'],
      ['avatar.transcription.chunk', 'avatar.speak_started'],
      ['avatar.speak_started', 'avatar.speak_ended'],
    ])
      expect(order.indexOf(a!), `${a} before ${b}`).toBeLessThan(order.indexOf(b!));
    expect(ofType(v, 'user.speak_started')).toHaveLength(1);
    expect(ofType(v, 'user.transcription')[0]).toMatchObject({ text: 'When is breakfast?' });
    // The STT got one WAV of the sentence (16 kHz mono), about as long as it was spoken.
    const stt = vendor.requests.slice(before).filter((r) => r.url.endsWith('/audio/transcriptions'));
    expect(stt).toHaveLength(1);
    const body = stt[0]!.body;
    const riff = body.indexOf('RIFF');
    expect(riff).toBeGreaterThan(0);
    const wav = decodeWav(new Uint8Array(body.subarray(riff)));
    expect(wav.sampleRateHz).toBe(16_000);
    const seconds = wav.channels[0]!.length / 16_000;
    expect(seconds).toBeGreaterThan(SENTENCE.length / MIC_RATE - 0.6);
    expect(seconds).toBeLessThan(SENTENCE.length / MIC_RATE + 1.2);
    const tr = expectOk(await server.api(`/v1/sessions/${sessionId}/transcript`));
    expect(
      tr.transcript_data.map((l: { role: string; transcript: string }) => [l.role, l.transcript]),
    ).toEqual([
      ['user', 'When is breakfast?'],
      ['avatar', 'Breakfast is at seven.'],
    ]);
  });

  it('barge-in: the user speaking stops the avatar mid-answer', async () => {
    const { v } = await startFull('CONVERSATIONAL');
    llmDeltas = Array.from({ length: 30 }, (_, i) => ` This is sentence number ${i} of a long answer.`);
    llmGapMs = 60;
    await v.send({ event_type: 'avatar.speak_response', event_id: 'long', text: 'Tell me everything.' });
    await v.until(() => ofType(v, 'avatar.speak_started').length >= 1, 20_000, 'answer started');
    await delay(500);
    llmDeltas = ['Sure.'];
    llmGapMs = 0;
    await talk(v, SENTENCE);
    await v.until(() => ofType(v, 'user.speak_ended').length >= 1, 10_000, 'user turn ended');
    // The avatar stopped when the user started speaking (at the first signs of speech, maybe before
    // the VAD confirmed the turn), not when the user's turn ended.
    const order = types(v);
    expect(order.indexOf('avatar.speak_ended')).toBeLessThan(order.indexOf('user.speak_ended'));
    expect(ofType(v, 'avatar.speak_ended')[0]).toMatchObject({ interrupted: true });
    // Then the user's turn is answered.
    await v.until(() => ofType(v, 'avatar.transcription').some((e) => e.text === 'Sure.'), 20_000, 'answer');
  });

  it('PUSH_TO_TALK: only the window between start and stop is a turn', async () => {
    llmDeltas = ['At seven.'];
    llmGapMs = 0;
    const { v } = await startFull('PUSH_TO_TALK');
    // Outside a window the microphone is ignored.
    await talk(v, SENTENCE, 800);
    expect(ofType(v, 'user.speak_started')).toHaveLength(0);
    await v.send({ event_type: 'user.start_push_to_talk' });
    await v.until(() => ofType(v, 'user.push_to_talk_started').length === 1, 5000, 'ptt started');
    await talk(v, SENTENCE, 300);
    await v.send({ event_type: 'user.stop_push_to_talk' });
    await v.until(() => ofType(v, 'user.push_to_talk_stopped').length === 1, 5000, 'ptt stopped');
    await v.until(
      () => ofType(v, 'avatar.transcription').some((e) => e.text === 'At seven.'),
      20_000,
      'answer',
    );
    expect(ofType(v, 'user.transcription')[0]).toMatchObject({ text: 'When is breakfast?' });
    // Stopping again without a window fails with the acknowledgement the SDK waits for.
    await v.send({ event_type: 'user.stop_push_to_talk' });
    await v.until(() => ofType(v, 'user.push_to_talk_stop_failed').length === 1, 5000, 'stop failed');
  });
});

describe('FULL mode: streaming STT (Deepgram protocol)', () => {
  it('interim results go out as cumulative user.transcription.chunk while the user speaks', async () => {
    const dg = await startFakeServer();
    const dgServer = await startTestServer({
      sttProvider: 'deepgram',
      sttBaseUrl: dg.wsUrl,
      sttApiKey: 'dg-key',
    });
    try {
      let spokenWhileStreaming = 0;
      dg.onSocket((s) => {
        let frames = 0;
        s.ws.on('message', (_data, isBinary) => {
          if (isBinary) {
            frames++;
            // Interim guesses while audio streams, then a final for the first phrase.
            if (frames === 5) s.ws.send(dgResults('when'));
            if (frames === 10) s.ws.send(dgResults('When is', { isFinal: true }));
            if (frames === 15) {
              spokenWhileStreaming = frames;
              s.ws.send(dgResults('break'));
            }
            return;
          }
          s.ws.send(dgResults('breakfast?', { isFinal: true, speechFinal: true }));
          s.ws.send(dgMetadata());
          s.ws.close(1000);
        });
      });
      const dgPersona = await fullPersona(dgServer, `${vendor.url}/v1`, { name: 'c', prompt: 'Be brief.' });
      const { v } = await startFull('CONVERSATIONAL', dgServer, dgPersona);
      llmDeltas = ['At seven.'];
      llmGapMs = 0;
      await talk(v, SENTENCE);
      await v.until(
        () => ofType(v, 'avatar.transcription').some((e) => e.text === 'At seven.'),
        20_000,
        'answer',
      );
      expect(spokenWhileStreaming).toBe(15);
      expect(ofType(v, 'user.transcription.chunk').map((e) => e.text)).toEqual([
        'when',
        'When is',
        'When is break',
        'When is breakfast?',
      ]);
      expect(ofType(v, 'user.transcription')).toEqual([
        expect.objectContaining({ text: 'When is breakfast?' }),
      ]);
      // The chunks came while the user was speaking, before the turn ended.
      const order = types(v);
      expect(order.indexOf('user.transcription.chunk')).toBeLessThan(order.indexOf('user.speak_ended'));
      expect(dg.sockets).toHaveLength(1);
      expect(dg.sockets[0]!.headers.authorization).toBe('Token dg-key');
    } finally {
      await dgServer.stop();
      await dg.stop();
    }
  });
});

describe('FULL mode: a voice at an OpenAI-compatible TTS server', () => {
  it('an openai voice with base_url speaks through that server, and the avatar says its audio', async () => {
    const secret = expectOk(
      await server.api('/v1/secrets', {
        body: { secret_name: 'kokoro', secret_value: 'sk-tts', secret_type: 'OPENAI_API_KEY' },
      }),
    );
    // A bare host, as a local server's address is usually given: `/v1` is added (openAiApi's rule).
    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', {
        body: { provider_voice_id: 'af_heart', secret_id: secret.id, base_url: vendor.url, model: 'kokoro' },
      }),
    );
    const { v, sessionId } = await startFull('CONVERSATIONAL', server, { ...persona, voiceId: voice_id });
    const said: Int16Array[] = [];
    server.sessions.runtime(sessionId)!.addMediaSink({
      audio: (_pts, samples) => void said.push(samples.slice()),
      video: () => undefined,
    });
    const before = vendor.requests.length;
    await v.send({ event_type: 'avatar.speak_text', event_id: 'k1', text: 'At seven.' });
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'spoken');

    const tts = vendor.requests.slice(before).filter((r) => r.url === '/v1/audio/speech');
    expect(tts).toHaveLength(1);
    expect(tts[0]!.headers.authorization).toBe('Bearer sk-tts');
    expect(JSON.parse(tts[0]!.body.toString('utf8'))).toMatchObject({
      model: 'kokoro',
      voice: 'af_heart',
      input: 'At seven.',
      response_format: 'pcm',
    });
    expect(ofType(v, 'avatar.transcription')).toEqual([expect.objectContaining({ text: 'At seven.' })]);
    // What the avatar said is the server's audio: aligned on the first sound, sample for sample.
    const out = new Int16Array(said.reduce((n, s) => n + s.length, 0));
    said.reduce((at, s) => (out.set(s, at), at + s.length), 0);
    const first = (x: Int16Array) => x.findIndex((s) => s !== 0);
    const spoken = out.subarray(first(out) - first(TTS_PCM));
    expect(spoken.length).toBeGreaterThanOrEqual(TTS_PCM.length);
    expect(correlation(spoken.subarray(0, TTS_PCM.length), TTS_PCM)).toBeGreaterThan(0.99);
    // And the viewer heard it.
    expect(Math.max(...v.audio.map((a) => rms(a.samples)))).toBeGreaterThan(0.05);
  });
});

/** Normalized correlation of two equally long signals, -1..1. */
function correlation(a: Int16Array, b: Int16Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb || 1);
}
