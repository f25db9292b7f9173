/**
 * TTS over Cartesia's WebSocket (`wss://api.cartesia.ai/tts/websocket`) with word timestamps. One
 * socket per client, kept open and shared: each `synthesize` is a context (`context_id`) on it, so a
 * sentence does not pay a TCP+TLS handshake. Messages down: `chunk` (base64 PCM16), `timestamps`
 * (`word_timestamps {words, start, end}` in seconds from the context's start), `done`, `error`.
 * An aborted sentence sends `{context_id, cancel: true}`; the socket stays up for the next one.
 */
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { errorFromHttp, misconfigured, ProviderError, protocolError, timeoutError } from './errors.js';
import {
  abortReason,
  DEFAULT_RETRY,
  requestText,
  retryBeforeOutput,
  vendorBase,
  type RetryPolicy,
} from './http.js';
import {
  Pcm16Assembler,
  TTS_SAMPLE_RATE_HZ,
  type AudioChunk,
  type CallOptions,
  type CheckOptions,
  type TtsProvider,
} from './types.js';
import { connectWebSocket, Inbox, messageText } from './ws.js';

/** Settings of the Cartesia client. */
export interface CartesiaTtsOptions {
  apiKey?: string;
  voiceId?: string;
  /** Default `sonic-2`. */
  modelId?: string;
  /** Default `en`. */
  language?: string;
  /** API version date sent as `Cartesia-Version`. Default `2025-04-16`. */
  version?: string;
  /** `wss://api.cartesia.ai` (or a proxy / test server). */
  baseUrl?: string;
  /** Name in errors; default `cartesia`. */
  name?: string;
  /** Until the WebSocket handshake completes, ms. Default 5 000. */
  timeoutMs?: number;
  /** Longest gap between two messages of a context, ms. Default 10 000. */
  idleTimeoutMs?: number;
  retry?: RetryPolicy;
}

/** The fields of Cartesia messages we read. */
interface CartesiaMessage {
  type?: string;
  context_id?: string;
  done?: boolean;
  data?: string;
  status_code?: number;
  word_timestamps?: { words?: string[]; start?: number[]; end?: number[] };
}

/** One open socket and the contexts waiting on it. */
class Connection {
  readonly contexts = new Map<string, Inbox<CartesiaMessage>>();
  closed = false;

  constructor(
    readonly ws: WebSocket,
    provider: string,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: CartesiaMessage;
      try {
        msg = JSON.parse(messageText(data)) as CartesiaMessage;
      } catch (err) {
        this.failAll(protocolError(provider, 'a message is not JSON', err));
        return;
      }
      const inbox = msg.context_id ? this.contexts.get(msg.context_id) : undefined;
      if (inbox) inbox.push(msg);
      // An error without a context concerns the whole socket.
      else if (msg.type === 'error' && !msg.context_id) this.failAll(cartesiaError(provider, msg));
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      const said = `WebSocket close ${code}${reason.length ? `: ${reason.toString('utf8')}` : ''}`;
      this.failAll(
        new ProviderError({
          provider,
          code: 'provider_unavailable',
          status: code,
          message: `${provider}: the connection closed during synthesis (${said})`,
        }),
      );
    });
    ws.on('error', () => {
      // A 'close' follows every socket error.
    });
  }

  send(msg: object): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private failAll(err: ProviderError): void {
    for (const inbox of this.contexts.values()) inbox.fail(err);
  }
}

/** Cartesia streaming TTS client with word timings. */
export class CartesiaTts implements TtsProvider {
  readonly name: string;
  readonly wordTimings = true;
  private readonly o: CartesiaTtsOptions;
  private conn: Promise<Connection> | null = null;
  /** Aborted by close(): the shared connect must not die with one caller's turn. */
  private readonly lifetime = new AbortController();

  constructor(options: CartesiaTtsOptions) {
    this.o = options;
    this.name = options.name ?? 'cartesia';
  }

  private config(): { base: string; apiKey: string; voiceId: string; version: string } {
    const base = vendorBase(this.name, this.o.baseUrl ?? 'wss://api.cartesia.ai', ['wss:', 'ws:']);
    if (!this.o.apiKey) throw misconfigured(this.name, 'no API key; set the Cartesia key');
    if (!this.o.voiceId)
      throw misconfigured(this.name, 'no voice id; set one (from the Cartesia voice library)');
    return { base, apiKey: this.o.apiKey, voiceId: this.o.voiceId, version: this.o.version ?? '2025-04-16' };
  }

  /** Checks the settings; with `probe`, looks the voice up (a wrong key or voice id fails here). */
  async check(opts: CheckOptions = {}): Promise<void> {
    const { base, apiKey, voiceId, version } = this.config();
    if (!opts.probe) return;
    await requestText({
      provider: this.name,
      url: `${base.replace(/^ws/, 'http')}/voices/${encodeURIComponent(voiceId)}`,
      method: 'GET',
      headers: { 'x-api-key': apiKey, 'cartesia-version': version },
      signal: opts.signal ?? new AbortController().signal,
      timeoutMs: this.o.timeoutMs ?? 5_000,
    });
  }

  /** Closes the shared socket. */
  close(): Promise<void> {
    this.lifetime.abort();
    const conn = this.conn;
    this.conn = null;
    void conn?.then(
      (c) => c.ws.close(1000),
      () => undefined,
    );
    return Promise.resolve();
  }

  /** Streams the speech of `text`: audio chunks, and word timings as they arrive. */
  async *synthesize(text: string, opts: CallOptions): AsyncGenerator<AudioChunk, void, undefined> {
    const cfg = this.config();
    if (!text.trim()) return;
    yield* retryBeforeOutput(this.o.retry ?? DEFAULT_RETRY, opts.signal, () =>
      this.context(text, cfg, opts.signal),
    );
  }

  private connection(base: string, apiKey: string, version: string): Promise<Connection> {
    const live = this.conn;
    if (live) {
      return live.then(
        (c) => (c.closed ? this.reconnect(base, apiKey, version) : c),
        () => this.reconnect(base, apiKey, version),
      );
    }
    return this.reconnect(base, apiKey, version);
  }

  private reconnect(base: string, apiKey: string, version: string): Promise<Connection> {
    const next = connectWebSocket({
      provider: this.name,
      url: `${base}/tts/websocket?cartesia_version=${encodeURIComponent(version)}`,
      headers: { 'x-api-key': apiKey, 'cartesia-version': version },
      signal: this.lifetime.signal,
      timeoutMs: this.o.timeoutMs ?? 5_000,
    }).then((ws) => new Connection(ws, this.name));
    this.conn = next;
    next.catch(() => {
      if (this.conn === next) this.conn = null;
    });
    return next;
  }

  private async *context(
    text: string,
    cfg: { base: string; apiKey: string; voiceId: string; version: string },
    signal: AbortSignal,
  ): AsyncGenerator<AudioChunk, void, undefined> {
    const conn = await untilAborted(this.connection(cfg.base, cfg.apiKey, cfg.version), signal);
    const id = randomUUID();
    const inbox = new Inbox<CartesiaMessage>();
    conn.contexts.set(id, inbox);
    let settled = false;
    try {
      conn.send({
        model_id: this.o.modelId ?? 'sonic-2',
        transcript: text,
        voice: { mode: 'id', id: cfg.voiceId },
        language: this.o.language ?? 'en',
        context_id: id,
        output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: TTS_SAMPLE_RATE_HZ },
        add_timestamps: true,
        continue: false,
      });
      const pcm = new Pcm16Assembler();
      const idleMs = this.o.idleTimeoutMs ?? 10_000;
      for (;;) {
        const msg = await inbox.take(signal, idleMs, () => {
          // A silent socket may be dead: drop it so a retry opens a fresh one.
          conn.ws.terminate();
          return timeoutError(this.name, 'no audio', idleMs);
        });
        if (msg === null) return;
        if (msg.type === 'error') {
          settled = true;
          throw cartesiaError(this.name, msg);
        }
        if (msg.type === 'chunk' && msg.data) {
          const samples = pcm.push(Buffer.from(msg.data, 'base64'));
          if (samples.length) yield { pcm: samples };
        } else if (msg.type === 'timestamps' && msg.word_timestamps) {
          const { words = [], start = [], end = [] } = msg.word_timestamps;
          const timed = words.map((word, i) => ({
            word,
            startMs: Math.round((start[i] ?? 0) * 1e6) / 1e3,
            endMs: Math.round((end[i] ?? start[i] ?? 0) * 1e6) / 1e3,
          }));
          if (timed.length) yield { pcm: new Int16Array(0), words: timed };
        }
        if (msg.type === 'done' || msg.done === true) {
          settled = true;
          return;
        }
      }
    } finally {
      conn.contexts.delete(id);
      // Stopped early (abort, consumer gone): tell Cartesia to stop generating this context.
      if (!settled) conn.send({ context_id: id, cancel: true });
    }
  }
}

/** Maps an `error` message (`{status_code, error}` or `{status_code, title, message, error_code}`). */
function cartesiaError(provider: string, msg: CartesiaMessage): ProviderError {
  const status = typeof msg.status_code === 'number' ? msg.status_code : 500;
  return errorFromHttp(provider, status, JSON.stringify(msg), { get: () => null });
}

/** Waits for `p` unless the signal aborts first (then rejects with its reason; `p` lives on). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
