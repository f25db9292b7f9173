/**
 * The shared plumbing of the provider clients: requests with timeouts, retries that never repeat
 * delivered output, and streaming readers (bytes → lines → SSE events) that survive any chunking.
 * Built on Node's fetch; no vendor SDKs.
 */
import {
  afterPartialOutput,
  errorFromHttp,
  errorFromNetwork,
  misconfigured,
  ProviderError,
  timeoutError,
} from './errors.js';

/** When and how often a failed request is sent again. */
export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  /** Delay before the first retry; doubled for each next one (with jitter), ms. */
  baseDelayMs: number;
  /** Longest delay; a vendor asking for a longer Retry-After is not retried, ms. */
  maxDelayMs: number;
}

/** Two retries, 250 ms then 500 ms (±50 % jitter), never waiting more than 2 s: a live turn is waiting. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 250, maxDelayMs: 2000 };

/** The error an aborted signal stands for (its reason, or an AbortError if the reason is not an Error). */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The operation was aborted.', 'AbortError');
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Delay before retry number `n` (0-based), or null when the vendor asks for more than we may wait. */
function retryDelay(policy: RetryPolicy, n: number, err: ProviderError): number | null {
  if (err.retryAfterMs !== undefined) {
    return err.retryAfterMs > policy.maxDelayMs ? null : err.retryAfterMs;
  }
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
  return full * (0.5 + Math.random() * 0.5);
}

/**
 * Runs `attempt` and re-runs it on retryable errors, but only while it has yielded nothing: once output
 * went out, a failure is final (`provider_stream_broken`), so a sentence is never spoken twice. An abort
 * of `signal` ends the stream quietly (cancellation is not an error).
 */
export async function* retryBeforeOutput<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  for (let n = 0; ; n++) {
    let delivered = false;
    try {
      for await (const item of attempt()) {
        delivered = true;
        yield item;
      }
      return;
    } catch (err) {
      if (signal.aborted) return;
      // Anything but a ProviderError is a bug (ours or a transform's): never retried.
      if (!(err instanceof ProviderError)) throw err;
      const e = err;
      if (delivered) throw e.retryable ? afterPartialOutput(e) : e;
      const delay = e.retryable && n < policy.retries ? retryDelay(policy, n, e) : null;
      if (delay === null) throw e;
      try {
        await sleep(delay, signal);
      } catch {
        return;
      }
    }
  }
}

/** Runs a one-shot request with the same retry rules (nothing is delivered until it succeeds). */
export async function retrying<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (signal.aborted) throw abortReason(signal);
      if (!(err instanceof ProviderError)) throw err;
      const e = err;
      const delay = e.retryable && n < policy.retries ? retryDelay(policy, n, e) : null;
      if (delay === null) throw e;
      await sleep(delay, signal);
    }
  }
}

/** One HTTP request. */
export interface HttpRequest {
  provider: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | FormData | Uint8Array;
  signal: AbortSignal;
  /** Until the response headers arrive, ms. */
  timeoutMs: number;
  /** Longest gap between two body chunks (also before the first), ms. Default `timeoutMs`. */
  idleTimeoutMs?: number;
}

/** Longest error body read, bytes: enough for any vendor message, bounded against a misbehaving server. */
const MAX_ERROR_BODY = 16 * 1024;

/**
 * Sends a request and yields the response body as it arrives. A non-2xx answer throws the mapped
 * ProviderError; a stall throws `provider_timeout`; an abort of `signal` throws the signal's reason.
 * Stopping the iteration early (break, return) aborts the request, which closes the connection.
 */
export async function* streamRequest(req: HttpRequest): AsyncGenerator<Uint8Array, void, undefined> {
  const own = new AbortController();
  // A timeout aborts `own` with the ProviderError as reason; our own cleanup aborts it with none.
  const expire = (what: string, ms: number) =>
    setTimeout(() => own.abort(timeoutError(req.provider, what, ms)), ms);
  const timedOut = () => (own.signal.reason instanceof ProviderError ? own.signal.reason : null);
  const signal = AbortSignal.any([req.signal, own.signal]);
  let timer = expire('no response', req.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: req.method ?? 'POST',
        headers: req.headers,
        body: req.body,
        signal,
      });
    } catch (err) {
      const late = timedOut();
      if (late) throw late;
      if (req.signal.aborted) throw abortReason(req.signal);
      throw errorFromNetwork(req.provider, req.url, err);
    }
    clearTimeout(timer);
    if (!res.ok) {
      timer = expire('no error body', req.timeoutMs);
      const body = await readLimited(res, MAX_ERROR_BODY).catch(() => '');
      throw errorFromHttp(req.provider, res.status, body, res.headers);
    }
    if (!res.body) return;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const idle = req.idleTimeoutMs ?? req.timeoutMs;
    try {
      for (;;) {
        timer = expire('no data', idle);
        let next;
        try {
          next = await reader.read();
        } catch (err) {
          const late = timedOut();
          if (late) throw late;
          if (req.signal.aborted) throw abortReason(req.signal);
          throw errorFromNetwork(req.provider, req.url, err, true);
        }
        clearTimeout(timer);
        if (next.done) return;
        yield next.value;
      }
    } finally {
      reader.releaseLock();
    }
  } finally {
    clearTimeout(timer);
    // Closes the connection if the body was not read to the end (early return, error, abort).
    own.abort();
  }
}

async function readLimited(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let out = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    out += decoder.decode(value, { stream: true });
    if (bytes >= max) {
      await reader.cancel();
      break;
    }
  }
  return out + decoder.decode();
}

/** Sends a request and returns the whole body as text (for JSON answers). */
export async function requestText(req: HttpRequest): Promise<string> {
  const decoder = new TextDecoder();
  let out = '';
  for await (const chunk of streamRequest(req)) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

/**
 * Splits a byte stream into text lines (without `\n` or `\r\n`). UTF-8 sequences and lines split across
 * chunks are reassembled; a last line without a newline is yielded too.
 */
export async function* lines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.decode();
  if (pending) yield pending.replace(/\r$/, '');
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Groups lines into server-sent events (WHATWG rules: `data:` lines joined by `\n`, `:` comments skipped). */
export async function* sseEvents(src: AsyncIterable<string>): AsyncGenerator<SseEvent, void, undefined> {
  let event = '';
  let data: string[] = [];
  for await (const line of src) {
    if (line === '') {
      if (data.length) yield { event: event || 'message', data: data.join('\n') };
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }
  if (data.length) yield { event: event || 'message', data: data.join('\n') };
}

/** Endpoints a base URL may already end with (it is then read as that endpoint's full URL). */
const OPENAI_ENDPOINTS = ['/chat/completions', '/audio/transcriptions', '/audio/speech', '/models'];

/**
 * The endpoints of an OpenAI-compatible server, from a base URL read as the OpenAI SDKs read it
 * (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`, `https://api.groq.com/openai/v1`): the
 * endpoint is appended to it. A bare host (`https://api.openai.com`, as LiveAvatar's docs write it)
 * gets `/v1`; a URL that already names an endpoint (`…/v1/chat/completions`) counts as its base; a
 * query (`?api-version=…`) is kept. The one rule for the LLM, STT and TTS clients and the stored LLM
 * configurations.
 */
export function openAiApi(provider: string, baseUrl: string | undefined): (endpoint: string) => string {
  if (!baseUrl) throw misconfigured(provider, 'no base URL; set it (e.g. https://api.openai.com/v1)');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw misconfigured(provider, `the base URL "${baseUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw misconfigured(provider, `the base URL must start with http:// or https:// (got ${url.protocol})`);
  }
  let root = url.pathname.replace(/\/+$/, '');
  const named = OPENAI_ENDPOINTS.find((e) => root.endsWith(e));
  if (named) root = root.slice(0, -named.length);
  if (root === '') root = '/v1';
  return (endpoint) => {
    const u = new URL(url);
    u.pathname = `${root}/${endpoint}`;
    return u.toString();
  };
}

/** Checks a vendor base URL with a fixed default (for tests and proxies). */
export function vendorBase(provider: string, baseUrl: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw misconfigured(provider, `the base URL "${baseUrl}" is not a URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw misconfigured(provider, `the base URL must use ${protocols.join(' or ')} (got ${url.protocol})`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * A key is required unless the server is local: an https URL to a non-loopback host is a cloud vendor,
 * while local whisper/LLM servers (http, or loopback) usually take none.
 */
export function requireKeyFor(provider: string, base: string, apiKey: string | undefined): void {
  if (apiKey) return;
  const url = new URL(base);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' && !loopback) {
    throw misconfigured(provider, `no API key for ${url.host}; set one (local http servers may go without)`);
  }
}

/** Authorization header for OpenAI-compatible servers (none when no key is configured). */
export function bearer(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}
