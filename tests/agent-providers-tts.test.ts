/**
 * Cloud TTS clients against local servers speaking the vendors' protocols: OpenAI-compatible
 * `/v1/audio/speech` (raw PCM stream), ElevenLabs streaming with character alignment (NDJSON), and
 * Cartesia's WebSocket with word timestamps (shared socket, contexts, cancel).
 */
import { describe, expect, it } from 'vitest';
import {
  CartesiaTts,
  ElevenLabsTts,
  OpenAiTts,
  type AudioChunk,
} from '../packages/server/src/agent/providers/index.js';
import { cartesiaChunk, cartesiaDone, cartesiaError, cartesiaTimestamps } from './helpers/fake-cartesia.js';
import { ELEVENLABS_ERRORS, elevenLabsLines } from './helpers/fake-elevenlabs.js';
import { OPENAI_ERRORS, sendError } from './helpers/fake-openai.js';
import {
  collect,
  delay,
  useFakeServer,
  FAST_RETRY,
  providerFailure,
  text,
  until,
  writeInPieces,
  type SeenSocket,
} from './helpers/fake-server.js';

const fake = useFakeServer();

const failure = providerFailure;

/** A recognisable signal: a ramp, PCM16. */
function ramp(n: number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => ((i * 37) % 60000) - 30000);
}

const pcmOf = (chunks: AudioChunk[]) => {
  const out = new Int16Array(chunks.reduce((a, c) => a + c.pcm.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c.pcm, o);
    o += c.pcm.length;
  }
  return out;
};
const bytesOf = (pcm: Int16Array) => Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);

describe('OpenAI-compatible TTS', () => {
  const tts = (extra = {}) =>
    new OpenAiTts({
      baseUrl: fake.server.url,
      apiKey: 'sk-test',
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      retry: FAST_RETRY,
      ...extra,
    });

  it('streams raw 24 kHz PCM16 cut at odd byte counts', async () => {
    const speech = ramp(24_000);
    fake.server.onHttp(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      await writeInPieces(res, bytesOf(speech), 4097, 0);
      res.end();
    });
    const chunks = await collect(
      tts({ speed: 1.1 }).synthesize('Hello there.', { signal: new AbortController().signal }),
    );
    expect(chunks.length).toBeGreaterThan(1);
    expect(pcmOf(chunks)).toEqual(speech);
    expect(chunks.every((c) => c.words === undefined)).toBe(true);
    const req = fake.server.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/audio/speech' });
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(JSON.parse(req.body.toString('utf8'))).toEqual({
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      input: 'Hello there.',
      response_format: 'pcm',
      speed: 1.1,
    });
  });

  it('retries a 429 before any audio; a refused key is final', async () => {
    fake.server.onHttp((_req, res) => {
      if (fake.server.requests.length === 1)
        sendError(res, OPENAI_ERRORS.rateLimited, { 'retry-after-ms': '10' });
      else res.writeHead(200).end(bytesOf(ramp(100)));
    });
    expect(pcmOf(await collect(tts().synthesize('Hi.', { signal: new AbortController().signal })))).toEqual(
      ramp(100),
    );
    expect(fake.server.requests).toHaveLength(2);

    fake.server.requests.length = 0;
    fake.server.onHttp((_req, res) => sendError(res, OPENAI_ERRORS.invalidKey));
    const err = await failure(collect(tts().synthesize('Hi.', { signal: new AbortController().signal })));
    expect(err).toMatchObject({ provider: 'openai-tts', code: 'provider_auth', retryable: false });
    expect(fake.server.requests).toHaveLength(1);
  });

  it('never retries once audio went out, and times out a stalled stream', async () => {
    fake.server.onHttp(async (_req, res) => {
      res.writeHead(200);
      res.write(bytesOf(ramp(2000)));
      await delay(20);
      res.destroy();
    });
    const got: AudioChunk[] = [];
    const err = await failure(
      (async () => {
        for await (const c of tts().synthesize('Hi.', { signal: new AbortController().signal })) got.push(c);
      })(),
    );
    expect(pcmOf(got)).toEqual(ramp(2000));
    expect(err).toMatchObject({ code: 'provider_stream_broken', retryable: false });
    expect(fake.server.requests).toHaveLength(1);

    fake.server.onHttp(async (_req, res) => {
      res.writeHead(200);
      res.write(bytesOf(ramp(100)));
      await delay(3000);
      res.end();
    });
    const stalled = await failure(
      collect(tts({ idleTimeoutMs: 120 }).synthesize('Hi.', { signal: new AbortController().signal })),
    );
    expect(stalled.code).toBe('provider_stream_broken');
    expect(stalled.message).toMatch(/no data within 120 ms/);
  });

  it('stops the request when the turn is aborted', async () => {
    fake.server.onHttp(async (_req, res) => {
      res.writeHead(200);
      await writeInPieces(res, bytesOf(ramp(240_000)), 4800, 10);
      res.end();
    });
    const ctl = new AbortController();
    let n = 0;
    for await (const _c of tts().synthesize('A long answer.', { signal: ctl.signal }))
      if (++n === 2) ctl.abort();
    expect(n).toBeLessThan(10);
    await until(() => fake.server.requests[0]!.clientGone, 2000, 'the server to see the client leave');
  });

  it('check() names the missing voice', async () => {
    const err = await failure(new OpenAiTts({ baseUrl: fake.server.url, model: 'tts-1' }).check());
    expect(err.code).toBe('provider_misconfigured');
    expect(err.message).toMatch(/no voice/);
  });
});

describe('ElevenLabs TTS with timestamps', () => {
  const el = (extra = {}) =>
    new ElevenLabsTts({
      apiKey: 'xi-key',
      voiceId: 'voice123',
      baseUrl: fake.server.url,
      retry: FAST_RETRY,
      ...extra,
    });

  it('streams NDJSON audio and turns character alignment into word timings (words may span chunks)', async () => {
    const text = 'Héllo wörld, this is great!';
    const speech = ramp(6_000);
    fake.server.onHttp(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 4 chunks; the NDJSON is written 5 bytes at a time, splitting JSON and UTF-8 anywhere.
      await writeInPieces(res, Buffer.from(`${elevenLabsLines(text, speech, 4).join('\n')}\n`), 5, 0);
      res.end();
    });
    const chunks = await collect(
      el({ languageCode: 'en' }).synthesize(text, { signal: new AbortController().signal }),
    );
    expect(pcmOf(chunks)).toEqual(speech);
    const words = chunks.flatMap((c) => c.words ?? []);
    // 50 ms per character from 100 ms on: "Héllo" = chars 0–4, "wörld," = 6–11, ...
    expect(words).toEqual([
      { word: 'Héllo', startMs: 100, endMs: 350 },
      { word: 'wörld,', startMs: 400, endMs: 700 },
      { word: 'this', startMs: 750, endMs: 950 },
      { word: 'is', startMs: 1000, endMs: 1100 },
      { word: 'great!', startMs: 1150, endMs: 1450 },
    ]);
    const req = fake.server.requests[0]!;
    expect(req.url).toBe('/v1/text-to-speech/voice123/stream/with-timestamps?output_format=pcm_24000');
    expect(req.headers['xi-api-key']).toBe('xi-key');
    expect(JSON.parse(req.body.toString('utf8'))).toEqual({
      text,
      model_id: 'eleven_flash_v2_5',
      language_code: 'en',
    });
  });

  it('maps ElevenLabs error bodies: bad key, quota, validation; retries a busy 429', async () => {
    const cases = [
      [ELEVENLABS_ERRORS.invalidKey, 'provider_auth', /Invalid API key/],
      [ELEVENLABS_ERRORS.quota, 'provider_quota', /exceeds your quota/],
      [ELEVENLABS_ERRORS.validation, 'provider_bad_request', /body\.text: field required/],
    ] as const;
    for (const [e, code, message] of cases) {
      fake.server.requests.length = 0;
      fake.server.onHttp((_req, res) => sendError(res, e));
      const err = await failure(collect(el().synthesize('Hi.', { signal: new AbortController().signal })));
      expect(err).toMatchObject({ provider: 'elevenlabs', code, status: e.status });
      expect(err.message).toMatch(message);
      expect(fake.server.requests).toHaveLength(1);
    }
    fake.server.requests.length = 0;
    fake.server.onHttp((_req, res) => {
      if (fake.server.requests.length === 1) sendError(res, ELEVENLABS_ERRORS.busy);
      else res.writeHead(200).end(`${elevenLabsLines('Hi.', ramp(480), 1).join('\n')}\n`);
    });
    const chunks = await collect(el().synthesize('Hi.', { signal: new AbortController().signal }));
    expect(pcmOf(chunks)).toEqual(ramp(480));
    expect(fake.server.requests).toHaveLength(2);
  });

  it('stops the request when the turn is aborted', async () => {
    const lines = elevenLabsLines('A long sentence that goes on for quite a while.', ramp(240_000), 40);
    fake.server.onHttp(async (_req, res) => {
      res.writeHead(200);
      for (const l of lines) {
        if (res.destroyed) return;
        res.write(`${l}\n`);
        await delay(15);
      }
      res.end();
    });
    const ctl = new AbortController();
    let n = 0;
    for await (const _c of el().synthesize('A long sentence.', { signal: ctl.signal }))
      if (++n === 2) ctl.abort();
    expect(n).toBeLessThan(10);
    await until(() => fake.server.requests[0]!.clientGone, 2000, 'the server to see the client leave');
  });

  it('check() wants key and voice; the probe reports an unknown voice', async () => {
    expect((await failure(new ElevenLabsTts({ voiceId: 'v' }).check())).message).toMatch(/no API key/);
    expect((await failure(new ElevenLabsTts({ apiKey: 'k' }).check())).message).toMatch(/no voice id/);
    fake.server.onHttp((req, res) => {
      if (req.url === '/v1/voices/voice123') res.writeHead(200).end('{"voice_id":"voice123"}');
      else sendError(res, ELEVENLABS_ERRORS.voiceNotFound);
    });
    await el().check({ probe: true });
    const err = await failure(el({ voiceId: 'nope' }).check({ probe: true }));
    expect(err).toMatchObject({ code: 'provider_bad_request', status: 404, vendorCode: 'voice_not_found' });
  });
});

describe('Cartesia TTS over WebSocket', () => {
  const ca = (extra = {}) =>
    new CartesiaTts({
      apiKey: 'ca-key',
      voiceId: 'voice-uuid',
      baseUrl: fake.server.wsUrl,
      retry: FAST_RETRY,
      ...extra,
    });

  /**
   * Answers each request with `pieces` chunks of `speech`, timestamps after the first, then done; a
   * `cancel` stops its context, as Cartesia does.
   */
  function speak(speech: Int16Array, pieces: number, gapMs = 0) {
    fake.server.onSocket((s) => {
      const cancelled = new Set<string>();
      const answer = async (contextId: string) => {
        for (let p = 0; p < pieces; p++) {
          if (s.ws.readyState !== s.ws.OPEN || cancelled.has(contextId)) return;
          const part = speech.subarray(
            Math.floor((p * speech.length) / pieces),
            Math.floor(((p + 1) * speech.length) / pieces),
          );
          s.ws.send(cartesiaChunk(contextId, part));
          if (p === 0) s.ws.send(cartesiaTimestamps(contextId, ['Hello', 'world'], [0.05, 0.5], [0.45, 0.9]));
          if (gapMs) await delay(gapMs);
        }
        if (s.ws.readyState === s.ws.OPEN) s.ws.send(cartesiaDone(contextId));
      };
      s.ws.on('message', (data) => {
        const req = JSON.parse(text(data)) as { context_id: string; cancel?: boolean };
        if (req.cancel) cancelled.add(req.context_id);
        else void answer(req.context_id);
      });
    });
  }

  it('sends the documented request, streams audio and word timestamps, and reuses one socket', async () => {
    const speech = ramp(12_000);
    speak(speech, 3);
    const tts = ca({ modelId: 'sonic-2', language: 'en' });
    try {
      const chunks = await collect(tts.synthesize('Hello world.', { signal: new AbortController().signal }));
      expect(pcmOf(chunks)).toEqual(speech);
      expect(chunks.flatMap((c) => c.words ?? [])).toEqual([
        { word: 'Hello', startMs: 50, endMs: 450 },
        { word: 'world', startMs: 500, endMs: 900 },
      ]);
      const again = await collect(tts.synthesize('Hello world.', { signal: new AbortController().signal }));
      expect(pcmOf(again)).toEqual(speech);
      expect(fake.server.sockets).toHaveLength(1);
      const s = fake.server.sockets[0]!;
      expect(s.headers['x-api-key']).toBe('ca-key');
      expect(s.headers['cartesia-version']).toBe('2025-04-16');
      expect(s.url).toBe('/tts/websocket?cartesia_version=2025-04-16');
      const [first, second] = s.texts as any[];
      expect(first).toEqual({
        model_id: 'sonic-2',
        transcript: 'Hello world.',
        voice: { mode: 'id', id: 'voice-uuid' },
        language: 'en',
        context_id: first.context_id,
        output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24000 },
        add_timestamps: true,
        continue: false,
      });
      expect(second.context_id).not.toBe(first.context_id);
    } finally {
      await tts.close();
    }
  });

  it('maps error messages; retries a 5xx error that came before any audio', async () => {
    let requests = 0;
    fake.server.onSocket((s) => {
      s.ws.on('message', (data) => {
        const req = JSON.parse(text(data)) as { context_id: string; model_id: string };
        requests++;
        if (req.model_id === 'nope')
          s.ws.send(
            cartesiaError(
              req.context_id,
              400,
              'Invalid model',
              'The model is not valid, make sure it is a valid model ID.',
              'model_not_found',
            ),
          );
        else if (requests === 2)
          s.ws.send(
            cartesiaError(req.context_id, 500, 'Internal error', 'Something broke.', 'internal_error'),
          );
        else {
          s.ws.send(cartesiaChunk(req.context_id, ramp(240)));
          s.ws.send(cartesiaDone(req.context_id));
        }
      });
    });
    const bad = ca({ modelId: 'nope' });
    const err = await failure(collect(bad.synthesize('Hi.', { signal: new AbortController().signal })));
    expect(err).toMatchObject({
      provider: 'cartesia',
      code: 'provider_bad_request',
      status: 400,
      vendorCode: 'model_not_found',
    });
    expect(err.message).toMatch(/The model is not valid/);
    await bad.close();

    const good = ca();
    expect(pcmOf(await collect(good.synthesize('Hi.', { signal: new AbortController().signal })))).toEqual(
      ramp(240),
    );
    expect(requests).toBe(3);
    await good.close();
  });

  it('an aborted sentence cancels its context; the socket serves the next one', async () => {
    speak(ramp(48_000), 20, 15);
    const tts = ca();
    try {
      const ctl = new AbortController();
      let n = 0;
      for await (const c of tts.synthesize('A long sentence.', { signal: ctl.signal }))
        if (c.pcm.length && ++n === 2) ctl.abort();
      const s: SeenSocket = fake.server.sockets[0]!;
      await until(() => s.texts.some((t: any) => t.cancel === true), 2000, 'the cancel message');
      const first = s.texts[0] as { context_id: string };
      expect(s.texts.find((t: any) => t.cancel)).toEqual({ context_id: first.context_id, cancel: true });
      const next = await collect(tts.synthesize('Next.', { signal: new AbortController().signal }));
      expect(pcmOf(next)).toEqual(ramp(48_000));
      expect(fake.server.sockets).toHaveLength(1);
    } finally {
      await tts.close();
    }
  });

  it('reports a refused key at the handshake, and a connection lost mid-sentence as broken', async () => {
    fake.server.onUpgrade(() => ({ status: 401, body: JSON.stringify({ error: 'Invalid API key' }) }));
    const denied = ca();
    const err = await failure(collect(denied.synthesize('Hi.', { signal: new AbortController().signal })));
    expect(err).toMatchObject({ code: 'provider_auth', status: 401 });
    expect(err.message).toMatch(/Invalid API key/);
    await denied.close();

    fake.server.onUpgrade(() => undefined);
    fake.server.onSocket((s) => {
      s.ws.on('message', (data) => {
        const req = JSON.parse(text(data)) as { context_id: string };
        s.ws.send(cartesiaChunk(req.context_id, ramp(240)));
        setTimeout(() => s.ws.terminate(), 20);
      });
    });
    const broken = ca();
    const got: AudioChunk[] = [];
    const lost = await failure(
      (async () => {
        for await (const c of broken.synthesize('Hi.', { signal: new AbortController().signal })) got.push(c);
      })(),
    );
    expect(pcmOf(got)).toEqual(ramp(240));
    expect(lost).toMatchObject({ code: 'provider_stream_broken', retryable: false });
    expect(lost.message).toMatch(/connection closed during synthesis/);
    await broken.close();
  });

  it('times out a context that goes silent', async () => {
    fake.server.onSocket(() => undefined);
    const tts = ca({ idleTimeoutMs: 100, retry: { ...FAST_RETRY, retries: 0 } });
    const err = await failure(collect(tts.synthesize('Hi.', { signal: new AbortController().signal })));
    expect(err.code).toBe('provider_timeout');
    expect(err.message).toMatch(/no audio within 100 ms/);
    await tts.close();
  });
});
