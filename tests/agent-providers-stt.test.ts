/**
 * STT clients against local servers speaking the vendors' protocols: the OpenAI-compatible
 * transcription endpoint (multipart upload, JSON back) and Deepgram's live WebSocket (binary audio up,
 * Results down, CloseStream at the end).
 */
import { describe, expect, it } from 'vitest';
import { decodeWav } from '@liveface/engine';
import {
  DeepgramStt,
  OpenAiStt,
  type TranscriptEvent,
} from '../packages/server/src/agent/providers/index.js';
import { DG_INVALID_AUTH, dgMetadata, dgResults, dgUtteranceEnd } from './helpers/fake-deepgram.js';
import { formData, OPENAI_ERRORS, sendError } from './helpers/fake-openai.js';
import {
  collect,
  delay,
  useFakeServer,
  FAST_RETRY,
  providerFailure,
  until,
  type SeenSocket,
} from './helpers/fake-server.js';

const fake = useFakeServer();

const failure = providerFailure;

/** A 440 Hz tone, PCM16 at `rate`. */
function tone(ms: number, rate = 16_000): Int16Array {
  return Int16Array.from({ length: (rate * ms) / 1000 }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)),
  );
}

describe('OpenAI-compatible STT', () => {
  const stt = (extra = {}) =>
    new OpenAiStt({
      baseUrl: fake.server.url,
      apiKey: 'sk-test',
      model: 'whisper-1',
      retry: FAST_RETRY,
      ...extra,
    });

  it('uploads the utterance as a WAV file with model and language, and returns the text', async () => {
    fake.server.onHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ text: ' Hello from the fake whisper. ' }));
    });
    const pcm = tone(500);
    const out = await stt({ prompt: 'Liveface' }).transcribe(pcm, {
      sampleRateHz: 16_000,
      language: 'en-US',
      signal: new AbortController().signal,
    });
    expect(out).toEqual({ text: 'Hello from the fake whisper.' });
    const req = fake.server.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/audio/transcriptions' });
    expect(req.headers.authorization).toBe('Bearer sk-test');
    const form = await formData(req);
    expect(form.get('model')).toBe('whisper-1');
    expect(form.get('language')).toBe('en');
    expect(form.get('response_format')).toBe('json');
    expect(form.get('prompt')).toBe('Liveface');
    const file = form.get('file') as File;
    expect(file.name).toBe('speech.wav');
    const wav = decodeWav(new Uint8Array(await file.arrayBuffer()));
    expect(wav.sampleRateHz).toBe(16_000);
    expect(wav.channels).toHaveLength(1);
    expect(Array.from(wav.channels[0]!.subarray(0, 50), (v) => Math.round(v * 32768))).toEqual(
      Array.from(pcm.subarray(0, 50)),
    );
  });

  it('retries a 5xx, but not a refused key', async () => {
    fake.server.onHttp((_req, res) => {
      if (fake.server.requests.length === 1) sendError(res, OPENAI_ERRORS.server);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"ok"}');
    });
    expect(
      await stt().transcribe(tone(100), { sampleRateHz: 16_000, signal: new AbortController().signal }),
    ).toEqual({ text: 'ok' });
    expect(fake.server.requests).toHaveLength(2);

    fake.server.requests.length = 0;
    fake.server.onHttp((_req, res) => sendError(res, OPENAI_ERRORS.invalidKey));
    const err = await failure(
      stt().transcribe(tone(100), { sampleRateHz: 16_000, signal: new AbortController().signal }),
    );
    expect(err).toMatchObject({
      provider: 'openai-stt',
      code: 'provider_auth',
      status: 401,
      retryable: false,
    });
    expect(fake.server.requests).toHaveLength(1);
  });

  it('reports a non-JSON answer as a protocol problem', async () => {
    fake.server.onHttp(
      (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>'),
    );
    const err = await failure(
      stt().transcribe(tone(100), { sampleRateHz: 16_000, signal: new AbortController().signal }),
    );
    expect(err.code).toBe('provider_protocol');
    expect(err.message).toMatch(/not JSON: <html>proxy login/);
  });

  it('times out a slow transcription and is cancelled by the turn', async () => {
    fake.server.onHttp(async (_req, res) => {
      await delay(3000);
      res.end('{"text":"late"}');
    });
    const err = await failure(
      stt({ timeoutMs: 100, retry: { ...FAST_RETRY, retries: 0 } }).transcribe(tone(100), {
        sampleRateHz: 16_000,
        signal: new AbortController().signal,
      }),
    );
    expect(err.code).toBe('provider_timeout');

    fake.server.requests.length = 0;
    const ctl = new AbortController();
    const p = stt().transcribe(tone(100), { sampleRateHz: 16_000, signal: ctl.signal });
    await until(() => fake.server.requests.length === 1, 2000, 'the upload');
    ctl.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => fake.server.requests[0]!.clientGone, 2000, 'the server to see the client leave');
  });
});

describe('Deepgram streaming STT', () => {
  const dg = (extra = {}) =>
    new DeepgramStt({ apiKey: 'dg-key', baseUrl: fake.server.wsUrl, retry: FAST_RETRY, ...extra });

  /** Audio source: `n` chunks of 20 ms, `gapMs` apart, then ends (or waits for `hold`). */
  async function* mic(n: number, gapMs = 5, hold?: Promise<void>): AsyncGenerator<Int16Array> {
    for (let i = 0; i < n; i++) {
      yield tone(20);
      await delay(gapMs);
    }
    if (hold) await hold;
  }

  it('streams audio up and turns Results into cumulative interims and one final per utterance', async () => {
    fake.server.onSocket((s) => {
      let sent = false;
      s.ws.on('message', (_data, isBinary) => {
        if (isBinary && !sent) {
          sent = true;
          s.ws.send(dgResults('hello'));
          s.ws.send(dgResults('Hello there.', { isFinal: true }));
          s.ws.send(dgResults('how'));
          s.ws.send(dgResults('how are you?', { isFinal: true, speechFinal: true }));
          s.ws.send(dgResults('and'));
          s.ws.send(dgResults('And then', { isFinal: true }));
          s.ws.send(dgUtteranceEnd());
          s.ws.send(dgResults('', { isFinal: true, speechFinal: true }));
        }
        if (!isBinary) {
          // CloseStream: flush the last words, send Metadata, close normally.
          s.ws.send(dgResults('Bye.', { isFinal: true }));
          s.ws.send(dgMetadata());
          s.ws.close(1000);
        }
      });
    });
    const events = await collect(
      dg({ model: 'nova-3' }).listen(mic(10), { sampleRateHz: 16_000, signal: new AbortController().signal }),
    );
    expect(events).toEqual<TranscriptEvent[]>([
      { kind: 'interim', text: 'hello' },
      { kind: 'interim', text: 'Hello there.' },
      { kind: 'interim', text: 'Hello there. how' },
      { kind: 'final', text: 'Hello there. how are you?' },
      { kind: 'interim', text: 'and' },
      { kind: 'interim', text: 'And then' },
      { kind: 'final', text: 'And then' },
      { kind: 'interim', text: 'Bye.' },
      { kind: 'final', text: 'Bye.' },
    ]);
    const s = fake.server.sockets[0]!;
    expect(s.headers.authorization).toBe('Token dg-key');
    const q = new URL(s.url, 'ws://x').searchParams;
    expect(Object.fromEntries(q)).toMatchObject({
      encoding: 'linear16',
      sample_rate: '16000',
      channels: '1',
      interim_results: 'true',
      model: 'nova-3',
      language: 'en',
    });
    expect(Buffer.concat(s.binary).length).toBe(10 * 320 * 2);
    expect(s.texts).toEqual([{ type: 'CloseStream' }]);
  });

  it('reports a refused key from the handshake, without retrying', async () => {
    let upgrades = 0;
    fake.server.onUpgrade(() => {
      upgrades++;
      return DG_INVALID_AUTH;
    });
    const err = await failure(
      collect(dg().listen(mic(3), { sampleRateHz: 16_000, signal: new AbortController().signal })),
    );
    expect(err).toMatchObject({
      provider: 'deepgram',
      code: 'provider_auth',
      status: 401,
      vendorCode: 'INVALID_AUTH',
    });
    expect(err.message).toMatch(/Invalid credentials/);
    expect(upgrades).toBe(1);
  });

  it('retries a handshake refused with 503, then streams', async () => {
    let upgrades = 0;
    fake.server.onUpgrade(() =>
      ++upgrades === 1 ? { status: 503, body: '{"err_code":"UNAVAILABLE","err_msg":"busy"}' } : undefined,
    );
    fake.server.onSocket((s) => {
      s.ws.on('message', (_d, isBinary) => {
        if (!isBinary) {
          s.ws.send(dgResults('ok', { isFinal: true, speechFinal: true }));
          s.ws.close(1000);
        }
      });
    });
    const events = await collect(
      dg().listen(mic(2), { sampleRateHz: 16_000, signal: new AbortController().signal }),
    );
    expect(events).toEqual([{ kind: 'final', text: 'ok' }]);
    expect(upgrades).toBe(2);
  });

  it('maps Deepgram close frames: bad audio and no-audio timeout', async () => {
    fake.server.onSocket((s) =>
      s.ws.once('message', () => s.ws.close(1008, 'DATA-0000 Payload cannot be decoded as audio.')),
    );
    const bad = await failure(
      collect(dg().listen(mic(5), { sampleRateHz: 16_000, signal: new AbortController().signal })),
    );
    expect(bad).toMatchObject({ code: 'provider_bad_request', status: 1008, vendorCode: 'DATA-0000' });
    expect(bad.message).toMatch(/could not decode the audio/);

    fake.server.onSocket((s) =>
      s.ws.once('message', () =>
        s.ws.close(
          1011,
          'NET-0001 Deepgram did not receive audio data or a text message within the timeout window.',
        ),
      ),
    );
    const idle = await failure(
      collect(dg().listen(mic(5), { sampleRateHz: 16_000, signal: new AbortController().signal })),
    );
    expect(idle).toMatchObject({ code: 'provider_timeout', vendorCode: 'NET-0001' });
  });

  it('keeps the stream alive while the microphone is quiet', async () => {
    fake.server.onSocket(() => undefined);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const ctl = new AbortController();
    const run = collect(
      dg({ keepAliveMs: 60 }).listen(mic(1, 1, hold), { sampleRateHz: 16_000, signal: ctl.signal }),
    );
    await until(
      () => (fake.server.sockets[0]?.texts.filter((t: any) => t.type === 'KeepAlive').length ?? 0) >= 2,
      3000,
      'KeepAlive messages',
    );
    ctl.abort();
    release();
    expect(await run).toEqual([]);
  });

  it('aborting the turn closes the socket and stops reading the microphone', async () => {
    let pulled = 0;
    let returned = false;
    const endless: AsyncIterable<Int16Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          pulled++;
          await delay(10);
          return { value: tone(20), done: false };
        },
        return: () => {
          returned = true;
          return Promise.resolve({ value: undefined, done: true as const });
        },
      }),
    };
    let seen!: SeenSocket;
    fake.server.onSocket((s) => {
      seen = s;
      s.ws.once('message', () => s.ws.send(dgResults('partial words')));
    });
    const ctl = new AbortController();
    const events: TranscriptEvent[] = [];
    for await (const ev of dg().listen(endless, { sampleRateHz: 16_000, signal: ctl.signal })) {
      events.push(ev);
      ctl.abort();
    }
    expect(events).toEqual([{ kind: 'interim', text: 'partial words' }]);
    expect(await seen.closed).toBeGreaterThan(0);
    expect(returned).toBe(true);
    const after = pulled;
    await delay(100);
    expect(pulled - after).toBeLessThanOrEqual(1);
  });

  it('check() needs a key; with probe it asks the projects endpoint', async () => {
    const err = await failure(new DeepgramStt({}).check());
    expect(err).toMatchObject({ code: 'provider_misconfigured' });
    expect(err.message).toMatch(/no API key/);
    fake.server.onHttp((req, res) => {
      if (req.headers.authorization === 'Token dg-key') res.writeHead(200).end('{"projects":[]}');
      else res.writeHead(401, { 'content-type': 'application/json' }).end(DG_INVALID_AUTH.body);
    });
    await dg().check({ probe: true });
    expect(fake.server.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v1/projects' });
    const bad = await failure(dg({ apiKey: 'nope' }).check({ probe: true }));
    expect(bad).toMatchObject({ code: 'provider_auth', vendorCode: 'INVALID_AUTH' });
  });
});
