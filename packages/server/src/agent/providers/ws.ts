/**
 * WebSocket plumbing for the streaming vendors (Deepgram, Cartesia): a connect that turns handshake
 * refusals into ProviderErrors (the same HTTP mapping as fetch), and a small inbox that hands socket
 * messages to one async consumer with abort and idle timeouts.
 */
import WebSocket from 'ws';
import { errorFromHttp, errorFromNetwork, timeoutError } from './errors.js';
import { abortReason } from './http.js';

/** How to open a vendor WebSocket. */
export interface WsConnectOptions {
  provider: string;
  url: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** Until the handshake completes, ms. */
  timeoutMs: number;
}

/** Longest handshake error body read, bytes. */
const MAX_ERROR_BODY = 16 * 1024;

/**
 * Opens a WebSocket. A refused handshake (401, 429, 5xx …) rejects with the mapped ProviderError, read
 * from the status, the body and the headers (Deepgram puts its reason in `dg-error`); an abort rejects
 * with the signal's reason and drops the socket.
 */
export function connectWebSocket(o: WsConnectOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) {
      reject(abortReason(o.signal));
      return;
    }
    const ws = new WebSocket(o.url, { headers: o.headers, perMessageDeflate: false });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (err === null) {
        resolve(ws);
        return;
      }
      ws.terminate();
      reject(err);
    };
    const onAbort = () => settle(abortReason(o.signal));
    const timer = setTimeout(
      () => settle(timeoutError(o.provider, 'no WebSocket handshake', o.timeoutMs)),
      o.timeoutMs,
    );
    o.signal.addEventListener('abort', onAbort, { once: true });
    // Errors after settling (e.g. from terminate) are expected; an unhandled 'error' would crash.
    ws.on('error', (err) => settle(errorFromNetwork(o.provider, o.url, err)));
    ws.once('open', () => settle(null));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_ERROR_BODY) body += chunk;
      });
      const done = () => {
        const headers = { get: (name: string) => headerValue(res.headers[name.toLowerCase()]) };
        const dgError = headers.get('dg-error');
        settle(errorFromHttp(o.provider, res.statusCode ?? 0, body || dgError || '', headers));
      };
      res.once('end', done);
      res.once('error', done);
    });
  });
}

function headerValue(v: string | string[] | undefined): string | null {
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/**
 * An unbounded FIFO between a socket's event handlers and one async reader. Unbounded is safe here:
 * it holds one vendor answer (one utterance's audio or transcripts), and the reader drains it.
 */
export class Inbox<T> {
  private items: T[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  /** Adds an item (ignored after the end). */
  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.notify();
  }

  /** Marks the end: the reader gets the remaining items, then null. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** Ends with an error: the reader gets the remaining items, then the error. */
  fail(err: Error): void {
    if (this.ended) return;
    this.failure = err;
    this.ended = true;
    this.notify();
  }

  /** True once end() or fail() was called. */
  get closed(): boolean {
    return this.ended;
  }

  /**
   * The next item, or null after the end. Throws the failure, the signal's reason on abort, or
   * `onIdle()` when nothing arrives within `idleMs`.
   */
  async take(signal: AbortSignal, idleMs: number, onIdle: () => Error): Promise<T | null> {
    for (;;) {
      if (this.items.length) return this.items.shift()!;
      if (this.failure !== null) throw this.failure;
      if (this.ended) return null;
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(abortReason(signal));
          return;
        }
        const cleanup = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.wake = null;
        };
        const onAbort = () => {
          cleanup();
          reject(abortReason(signal));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(onIdle());
        }, idleMs);
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          cleanup();
          resolve();
        };
      });
    }
  }

  private notify(): void {
    this.wake?.();
  }
}

/** Text of a `ws` message (text frames arrive as Buffer, or Buffer[] when fragmented). */
export function messageText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
