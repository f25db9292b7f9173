import { describe, expect, it } from 'vitest';
import { errorFromHttp, ProviderError, vendorMessage } from './errors.js';
import { lines, retryBeforeOutput, sseEvents } from './http.js';
import { Pcm16Assembler } from './types.js';

/** An async stream of `items`, one per microtask (as a socket would deliver them). */
async function* stream<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const x of items) yield await Promise.resolve(x);
}
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
/** Every way of cutting `buf` in two, plus one byte at a time. */
function cuttings(buf: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [Array.from(buf, (b) => Uint8Array.of(b))];
  for (let i = 0; i <= buf.length; i++) out.push([buf.subarray(0, i), buf.subarray(i)]);
  return out;
}

describe('stream readers', () => {
  it('lines() reassembles lines and UTF-8 characters cut at any byte', async () => {
    const text = 'data: {"t":"Grüße 😀"}\r\n\ndata: [DONE]\nlast';
    const buf = new TextEncoder().encode(text);
    for (const parts of cuttings(buf)) {
      expect(await collect(lines(stream(parts)))).toEqual([
        'data: {"t":"Grüße 😀"}',
        '',
        'data: [DONE]',
        'last',
      ]);
    }
  });

  it('sseEvents() joins data lines, skips comments and keeps event names', async () => {
    const src = [': keep-alive', 'event: delta', 'data: {"a":', 'data: 1}', '', 'data:x', '', 'data: tail'];
    expect(await collect(sseEvents(stream(src)))).toEqual([
      { event: 'delta', data: '{"a":\n1}' },
      { event: 'message', data: 'x' },
      { event: 'message', data: 'tail' },
    ]);
  });

  it('Pcm16Assembler carries odd bytes across chunks', () => {
    const samples = Int16Array.of(1, -2, 300, -32768, 32767, 0, 12345);
    const buf = new Uint8Array(samples.buffer);
    for (const parts of cuttings(buf)) {
      const a = new Pcm16Assembler();
      const got = parts.flatMap((p) => Array.from(a.push(p)));
      expect(got).toEqual(Array.from(samples));
    }
  });
});

describe('vendor error bodies', () => {
  it('reads the message and code of each vendor shape', () => {
    expect(
      vendorMessage(
        '{"error":{"message":"Bad key","type":"invalid_request_error","code":"invalid_api_key"}}',
      ),
    ).toEqual({
      message: 'Bad key',
      vendorCode: 'invalid_api_key',
    });
    expect(vendorMessage('{"detail":{"status":"quota_exceeded","message":"No credits"}}')).toEqual({
      message: 'No credits',
      vendorCode: 'quota_exceeded',
    });
    expect(
      vendorMessage('{"detail":[{"loc":["body","voice_settings","stability"],"msg":"too high"}]}').message,
    ).toBe('body.voice_settings.stability: too high');
    expect(vendorMessage('{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials."}')).toEqual({
      message: 'Invalid credentials.',
      vendorCode: 'INVALID_AUTH',
    });
    expect(vendorMessage('{"error":"Invalid API key"}').message).toBe('Invalid API key');
    expect(vendorMessage('<html>502 Bad Gateway</html>').message).toBe('<html>502 Bad Gateway</html>');
    expect(vendorMessage('x'.repeat(1000)).message.length).toBeLessThan(310);
  });

  it('maps statuses to codes, retryability and advice', () => {
    const h = (v: Record<string, string> = {}) => ({ get: (n: string) => v[n] ?? null });
    expect(errorFromHttp('p', 503, 'busy', h({ 'retry-after': '2' }))).toMatchObject({
      code: 'provider_unavailable',
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(errorFromHttp('p', 403, '{}', h())).toMatchObject({ code: 'provider_auth', retryable: false });
    expect(errorFromHttp('p', 422, '{}', h())).toMatchObject({
      code: 'provider_bad_request',
      retryable: false,
    });
    expect(errorFromHttp('p', 402, '{}', h())).toMatchObject({ code: 'provider_quota', retryable: false });
  });
});

describe('retryBeforeOutput', () => {
  const policy = { retries: 3, baseDelayMs: 1, maxDelayMs: 10 };
  const flaky = () => new ProviderError({ provider: 'p', code: 'provider_unavailable', message: 'flaky' });

  it('retries failures that happen before the first item', async () => {
    let attempts = 0;
    const out = await collect(
      retryBeforeOutput(policy, new AbortController().signal, () =>
        stream(
          (function* () {
            attempts++;
            if (attempts < 3) throw flaky();
            yield 'a';
            yield 'b';
          })(),
        ),
      ),
    );
    expect(out).toEqual(['a', 'b']);
    expect(attempts).toBe(3);
  });

  it('never retries after an item went out, and never retries non-provider errors', async () => {
    let attempts = 0;
    const got: string[] = [];
    const err = await (async () => {
      const attempt = function* () {
        attempts++;
        yield 'a';
        throw flaky();
      };
      for await (const x of retryBeforeOutput(policy, new AbortController().signal, () => stream(attempt())))
        got.push(x);
    })().catch((e: unknown) => e);
    expect(got).toEqual(['a']);
    expect(attempts).toBe(1);
    expect(err).toMatchObject({ code: 'provider_stream_broken', retryable: false });

    attempts = 0;
    const bug = await collect(
      retryBeforeOutput(policy, new AbortController().signal, () =>
        stream(
          (function* (): Generator<string> {
            attempts++;
            if (attempts > 0) throw new TypeError('bug');
            yield 'unreachable';
          })(),
        ),
      ),
    ).catch((e: unknown) => e);
    expect(bug).toBeInstanceOf(TypeError);
    expect(attempts).toBe(1);
  });

  it('ends quietly when the signal aborts (cancellation is not an error)', async () => {
    const ctl = new AbortController();
    const out = await collect(
      retryBeforeOutput(policy, ctl.signal, () =>
        stream(
          (function* () {
            yield 'a';
            ctl.abort();
            throw new DOMException('aborted', 'AbortError');
          })(),
        ),
      ),
    );
    expect(out).toEqual(['a']);
  });
});
