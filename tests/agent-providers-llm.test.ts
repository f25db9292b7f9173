/**
 * The OpenAI-compatible LLM client against a local server speaking the chat-completions SSE protocol:
 * streaming across arbitrary chunk boundaries, the sentence splitter on a live stream, vendor errors,
 * retries (only before output), timeouts, and cancellation seen on the wire.
 */
import { describe, expect, it } from 'vitest';
import { OpenAiLlm, splitSentences } from '../packages/server/src/agent/providers/index.js';
import { chatSse, OPENAI_ERRORS, sendError, sseHead } from './helpers/fake-openai.js';
import {
  collect,
  deadPort,
  delay,
  useFakeServer,
  FAST_RETRY,
  providerFailure,
  until,
  writeInPieces,
} from './helpers/fake-server.js';

const fake = useFakeServer();

function llm(extra: Partial<ConstructorParameters<typeof OpenAiLlm>[0]> = {}): OpenAiLlm {
  return new OpenAiLlm({
    baseUrl: fake.server.url,
    apiKey: 'sk-test',
    model: 'gpt-fake',
    retry: FAST_RETRY,
    ...extra,
  });
}

const failure = providerFailure;

describe('OpenAI-compatible LLM', () => {
  it('streams deltas split mid-JSON and mid-UTF-8, with history and system prompt', async () => {
    const deltas = ['Grüße', ' aus', ' Köln', ' 😀', '. Ça', ' va', ' très', ' bien', '!'];
    fake.server.onHttp(async (_req, res) => {
      sseHead(res);
      await writeInPieces(res, chatSse(deltas), 7);
      res.end();
    });
    const signal = new AbortController().signal;
    const history = [
      { role: 'user' as const, content: 'Hi' },
      { role: 'assistant' as const, content: 'Hello!' },
      { role: 'user' as const, content: 'Greet me in German.' },
    ];
    const out = await collect(llm({ temperature: 0.3 }).chat(history, { signal, system: 'You are terse.' }));
    expect(out).toEqual(deltas);
    const req = fake.server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    const body = JSON.parse(req.body.toString('utf8'));
    expect(body).toMatchObject({ model: 'gpt-fake', stream: true, temperature: 0.3 });
    expect(body.messages).toEqual([{ role: 'system', content: 'You are terse.' }, ...history]);
  });

  it('accepts a base URL ending in /v1', async () => {
    fake.server.onHttp((_req, res) => {
      sseHead(res);
      res.end(chatSse(['ok']));
    });
    const out = await collect(
      llm({ baseUrl: `${fake.server.url}/v1/` }).chat([], { signal: new AbortController().signal }),
    );
    expect(out).toEqual(['ok']);
    expect(fake.server.requests[0]!.url).toBe('/v1/chat/completions');
  });

  it('hands out the first sentence while the rest of the answer is still streaming', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    fake.server.onHttp(async (_req, res) => {
      sseHead(res);
      const all = chatSse(['Dr. Smith', ' is in. He has', ' 3.5 hours', '. Bye!']).toString('utf8');
      const cut = all.indexOf('3.5 hours');
      res.write(all.slice(0, cut));
      await released;
      res.end(all.slice(cut));
    });
    const sentences = splitSentences(
      llm().chat([{ role: 'user', content: 'x' }], { signal: new AbortController().signal }),
    );
    const it = sentences[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe('Dr. Smith is in.');
    release();
    expect((await it.next()).value).toBe('He has 3.5 hours.');
    expect((await it.next()).value).toBe('Bye!');
    expect((await it.next()).done).toBe(true);
  });

  it('reports a refused key without retrying, with the vendor message and what to do', async () => {
    fake.server.onHttp((_req, res) => sendError(res, OPENAI_ERRORS.invalidKey));
    const err = await failure(collect(llm().chat([], { signal: new AbortController().signal })));
    expect(err).toMatchObject({
      provider: 'openai-llm',
      code: 'provider_auth',
      status: 401,
      retryable: false,
    });
    expect(err.vendorCode).toBe('invalid_api_key');
    expect(err.message).toMatch(/API key was refused; check the key/);
    expect(err.message).toMatch(/Incorrect API key provided/);
    expect(fake.server.requests).toHaveLength(1);
  });

  it('retries a 429 after the Retry-After the vendor asks for, then streams', async () => {
    fake.server.onHttp((_req, res) => {
      if (fake.server.requests.length === 1) {
        sendError(res, OPENAI_ERRORS.rateLimited, { 'retry-after-ms': '30' });
        return;
      }
      sseHead(res);
      res.end(chatSse(['fine']));
    });
    const t0 = Date.now();
    const out = await collect(llm().chat([], { signal: new AbortController().signal }));
    expect(out).toEqual(['fine']);
    expect(fake.server.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('does not retry a 429 that means the quota is used up', async () => {
    fake.server.onHttp((_req, res) => sendError(res, OPENAI_ERRORS.quota));
    const err = await failure(collect(llm().chat([], { signal: new AbortController().signal })));
    expect(err).toMatchObject({ code: 'provider_quota', status: 429, retryable: false });
    expect(err.message).toMatch(/out of credits or quota/);
    expect(fake.server.requests).toHaveLength(1);
  });

  it('does not retry when the vendor asks to wait longer than the policy allows', async () => {
    fake.server.onHttp((_req, res) => sendError(res, OPENAI_ERRORS.rateLimited, { 'retry-after': '30' }));
    const err = await failure(collect(llm().chat([], { signal: new AbortController().signal })));
    expect(err).toMatchObject({ code: 'provider_rate_limited', retryable: true, retryAfterMs: 30_000 });
    expect(fake.server.requests).toHaveLength(1);
  });

  it('retries 5xx up to the policy, then reports the service as failing', async () => {
    fake.server.onHttp((_req, res) => sendError(res, OPENAI_ERRORS.server));
    const err = await failure(collect(llm().chat([], { signal: new AbortController().signal })));
    expect(err).toMatchObject({ code: 'provider_unavailable', status: 500, retryable: true });
    expect(err.message).toMatch(/The server had an error/);
    expect(fake.server.requests).toHaveLength(3);
  });

  it('maps an unknown model (404) to a configuration hint', async () => {
    fake.server.onHttp((_req, res) => sendError(res, OPENAI_ERRORS.badModel));
    const err = await failure(collect(llm().chat([], { signal: new AbortController().signal })));
    expect(err).toMatchObject({ code: 'provider_bad_request', status: 404, retryable: false });
    expect(err.message).toMatch(/check the base URL, model and voice/);
  });

  it('reports an unreachable server after retrying the connection', async () => {
    const port = await deadPort();
    const err = await failure(
      collect(
        llm({ baseUrl: `http://127.0.0.1:${port}` }).chat([], { signal: new AbortController().signal }),
      ),
    );
    expect(err).toMatchObject({ code: 'provider_unavailable', retryable: true, vendorCode: 'ECONNREFUSED' });
    expect(err.message).toMatch(/cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('times out when no response comes, and when the stream stalls', async () => {
    fake.server.onHttp(async (_req, res) => {
      await delay(2000);
      res.end();
    });
    const t0 = Date.now();
    const slow = await failure(
      collect(
        llm({ timeoutMs: 100, retry: { ...FAST_RETRY, retries: 0 } }).chat([], {
          signal: new AbortController().signal,
        }),
      ),
    );
    expect(slow).toMatchObject({ code: 'provider_timeout', retryable: true });
    expect(slow.message).toMatch(/no response within 100 ms/);
    expect(Date.now() - t0).toBeLessThan(1500);

    fake.server.onHttp(async (_req, res) => {
      sseHead(res);
      res.write(chatSse(['one', ' two']).subarray(0, 150));
      await delay(2000);
      res.end();
    });
    const stalled = await failure(
      collect(
        llm({ idleTimeoutMs: 150, retry: { ...FAST_RETRY, retries: 0 } }).chat([], {
          signal: new AbortController().signal,
        }),
      ),
    );
    expect(stalled.message).toMatch(/no data within 150 ms/);
    await until(() => fake.server.requests.at(-1)!.clientGone, 2000, 'the stalled request to be dropped');
  });

  it('stops the request when the turn is aborted mid-stream (the server sees the client leave)', async () => {
    fake.server.onHttp(async (_req, res) => {
      sseHead(res);
      const body = chatSse(Array.from({ length: 200 }, (_, i) => ` w${i}`));
      await writeInPieces(res, body, 64, 10);
      res.end();
    });
    const ctl = new AbortController();
    const got: string[] = [];
    for await (const d of llm().chat([], { signal: ctl.signal })) {
      got.push(d);
      if (got.length === 3) ctl.abort();
    }
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.length).toBeLessThan(20);
    await until(() => fake.server.requests[0]!.clientGone, 2000, 'the server to see the client leave');
    expect(fake.server.requests).toHaveLength(1);
  });

  it('also closes the request when the consumer simply stops reading', async () => {
    fake.server.onHttp(async (_req, res) => {
      sseHead(res);
      await writeInPieces(res, chatSse(Array.from({ length: 200 }, (_, i) => ` w${i}`)), 64, 10);
      res.end();
    });
    for await (const _d of llm().chat([], { signal: new AbortController().signal })) break;
    await until(() => fake.server.requests[0]!.clientGone, 2000, 'the server to see the client leave');
  });

  it('never retries once part of the answer was delivered', async () => {
    fake.server.onHttp(async (req, res) => {
      sseHead(res);
      res.write(chatSse(['Half', ' an'], { finish: false, done: false }));
      await delay(20);
      res.destroy();
      void req;
    });
    const got: string[] = [];
    const err = await failure(
      (async () => {
        for await (const d of llm().chat([], { signal: new AbortController().signal })) got.push(d);
      })(),
    );
    expect(got).toEqual(['Half', ' an']);
    expect(err).toMatchObject({ code: 'provider_stream_broken', retryable: false });
    expect(err.message).toMatch(/broke during the answer .*not retried/);
    expect(fake.server.requests).toHaveLength(1);
  });

  it('treats a stream that ends without [DONE] or finish_reason as broken, and an error chunk as a failure', async () => {
    fake.server.onHttp((_req, res) => {
      sseHead(res);
      res.end(chatSse(['cut'], { finish: false, done: false }));
    });
    const cut = await failure(
      collect(
        llm({ retry: { ...FAST_RETRY, retries: 0 } }).chat([], { signal: new AbortController().signal }),
      ),
    );
    expect(cut.code).toBe('provider_stream_broken');

    fake.server.onHttp((_req, res) => {
      sseHead(res);
      res.end(
        `data: ${JSON.stringify({ error: { message: 'Context length exceeded', type: 'invalid_request_error', code: 'context_length_exceeded' } })}\n\n`,
      );
    });
    const bad = await failure(collect(llm().chat([], { signal: new AbortController().signal })));
    expect(bad).toMatchObject({ code: 'provider_bad_request', vendorCode: 'context_length_exceeded' });
    expect(bad.message).toMatch(/Context length exceeded/);
  });

  it('check() reports missing settings at once, and with probe a refused key', async () => {
    const checks = [
      [new OpenAiLlm({ apiKey: 'k', model: 'm' }), /no base URL/],
      [new OpenAiLlm({ baseUrl: 'ftp://x', apiKey: 'k', model: 'm' }), /must start with http/],
      [new OpenAiLlm({ baseUrl: 'https://api.example.com', model: 'm' }), /no API key for api\.example\.com/],
      [new OpenAiLlm({ baseUrl: fake.server.url, apiKey: 'k' }), /no model/],
    ] as const;
    for (const [client, message] of checks) {
      const err = await failure(client.check());
      expect(err.code).toBe('provider_misconfigured');
      expect(err.message).toMatch(message);
    }
    // A local http server needs no key.
    await new OpenAiLlm({ baseUrl: fake.server.url, model: 'm' }).check();
    expect(fake.server.requests).toHaveLength(0);

    fake.server.onHttp((req, res) => {
      if (req.headers.authorization === 'Bearer good') res.writeHead(200).end('{"data":[]}');
      else sendError(res, OPENAI_ERRORS.invalidKey);
    });
    await llm({ apiKey: 'good' }).check({ probe: true });
    expect(fake.server.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models' });
    const err = await failure(llm({ apiKey: 'bad' }).check({ probe: true }));
    expect(err.code).toBe('provider_auth');
    // A server that does not list models still passes.
    fake.server.onHttp((_req, res) => void res.writeHead(404).end('Not Found'));
    await llm().check({ probe: true });
  });

  it('fails a misconfigured chat on first use, before any request', async () => {
    const err = await failure(
      collect(new OpenAiLlm({ baseUrl: fake.server.url }).chat([], { signal: new AbortController().signal })),
    );
    expect(err.code).toBe('provider_misconfigured');
    expect(fake.server.requests).toHaveLength(0);
  });
});
