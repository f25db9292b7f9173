/**
 * Streaming STT over Deepgram's live WebSocket (`wss://api.deepgram.com/v1/listen`, `Authorization:
 * Token …`): binary linear16 frames up, JSON `Results` down. Deepgram finalizes the audio in pieces
 * (`is_final`) and marks the end of an utterance with `speech_final` (endpointing) or an `UtteranceEnd`
 * message; this client turns that into cumulative interims and one final per utterance.
 */
import type WebSocket from 'ws';
import { misconfigured, ProviderError, protocolError, timeoutError } from './errors.js';
import { DEFAULT_RETRY, requestText, retrying, vendorBase, type RetryPolicy } from './http.js';
import type { CheckOptions, ListenOptions, StreamingSttProvider, TranscriptEvent } from './types.js';
import { connectWebSocket, Inbox, messageText } from './ws.js';

/** Settings of the Deepgram client. */
export interface DeepgramSttOptions {
  apiKey?: string;
  /** Default `nova-3`. */
  model?: string;
  /** Default language (`en`, `en-US`, `multi` …); a call's `language` overrides it. Default `en`. */
  language?: string;
  /** Silence that ends an utterance (`speech_final`), ms. Default 300. */
  endpointingMs?: number;
  /** Gap after the last word that ends an utterance even in noise (`UtteranceEnd`), ms. Default 1000. */
  utteranceEndMs?: number;
  /** Punctuation and number formatting. Default true. */
  smartFormat?: boolean;
  /** More query parameters (`keyterm`, `diarize` …). */
  extraQuery?: Record<string, string>;
  /** `wss://api.deepgram.com` (or a proxy / test server). */
  baseUrl?: string;
  /** Name in errors; default `deepgram`. */
  name?: string;
  /** Until the WebSocket handshake completes, ms. Default 5 000. */
  timeoutMs?: number;
  /** A KeepAlive is sent when no audio went out for this long (Deepgram closes after 10 s), ms. Default 4 000. */
  keepAliveMs?: number;
  /** After the audio ends, how long to wait for the last results, ms. Default 5 000. */
  finishTimeoutMs?: number;
  retry?: RetryPolicy;
}

/** The fields of Deepgram messages we read. */
interface DeepgramMessage {
  type?: string;
  is_final?: boolean;
  speech_final?: boolean;
  channel?: { alternatives?: { transcript?: string }[] };
}

type Incoming =
  | { kind: 'message'; msg: DeepgramMessage }
  | { kind: 'audio_ended' }
  | { kind: 'closed'; code: number; reason: string };

/** Deepgram live transcription client. */
export class DeepgramStt implements StreamingSttProvider {
  readonly mode = 'streaming';
  readonly name: string;
  private readonly o: DeepgramSttOptions;

  constructor(options: DeepgramSttOptions) {
    this.o = options;
    this.name = options.name ?? 'deepgram';
  }

  private config(): { base: string; apiKey: string } {
    const base = vendorBase(this.name, this.o.baseUrl ?? 'wss://api.deepgram.com', ['wss:', 'ws:']);
    if (!this.o.apiKey) throw misconfigured(this.name, 'no API key; set the Deepgram key');
    return { base, apiKey: this.o.apiKey };
  }

  /** Checks the settings; with `probe`, lists the key's projects (a wrong key fails here). */
  async check(opts: CheckOptions = {}): Promise<void> {
    const { base, apiKey } = this.config();
    if (!opts.probe) return;
    await requestText({
      provider: this.name,
      url: `${base.replace(/^ws/, 'http')}/v1/projects`,
      method: 'GET',
      headers: { authorization: `Token ${apiKey}` },
      signal: opts.signal ?? new AbortController().signal,
      timeoutMs: this.o.timeoutMs ?? 5_000,
    });
  }

  /** Streams `audio` to Deepgram and yields interim and final transcripts. */
  async *listen(
    audio: AsyncIterable<Int16Array>,
    opts: ListenOptions,
  ): AsyncGenerator<TranscriptEvent, void, undefined> {
    const { base, apiKey } = this.config();
    const query = new URLSearchParams({
      encoding: 'linear16',
      sample_rate: String(opts.sampleRateHz),
      channels: '1',
      model: this.o.model ?? 'nova-3',
      language: opts.language ?? this.o.language ?? 'en',
      interim_results: 'true',
      smart_format: String(this.o.smartFormat ?? true),
      endpointing: String(this.o.endpointingMs ?? 300),
      utterance_end_ms: String(this.o.utteranceEndMs ?? 1000),
      ...this.o.extraQuery,
    });
    const url = `${base}/v1/listen?${query.toString()}`;
    // Only the handshake is retried: once audio has been sent it cannot be sent again.
    let ws: WebSocket;
    try {
      ws = await retrying(this.o.retry ?? DEFAULT_RETRY, opts.signal, () =>
        connectWebSocket({
          provider: this.name,
          url,
          headers: { authorization: `Token ${apiKey}` },
          signal: opts.signal,
          timeoutMs: this.o.timeoutMs ?? 5_000,
        }),
      );
    } catch (err) {
      if (opts.signal.aborted) return;
      throw err;
    }

    const inbox = new Inbox<Incoming>();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        inbox.push({ kind: 'message', msg: JSON.parse(messageText(data)) as DeepgramMessage });
      } catch (err) {
        inbox.fail(protocolError(this.name, 'a message is not JSON', err));
      }
    });
    ws.on('close', (code, reason) => inbox.push({ kind: 'closed', code, reason: reason.toString('utf8') }));
    ws.on('error', () => {
      // A 'close' follows every socket error; it carries what we report.
    });

    const pump = new AudioPump(ws, audio, this.o.keepAliveMs ?? 4_000, inbox);
    const utterance = new Utterance();
    let ended = false;
    try {
      for (;;) {
        // While audio flows the vendor may stay quiet for long; once it ended, results must come soon.
        const idleMs = pump.done ? (this.o.finishTimeoutMs ?? 5_000) : 2 ** 31 - 1;
        const item = await inbox.take(opts.signal, idleMs, () =>
          timeoutError(this.name, 'no final results after the audio ended', idleMs),
        );
        if (item === null) break;
        if (item.kind === 'audio_ended') continue;
        if (item.kind === 'closed') {
          ended = true;
          const last = utterance.end();
          if (last) yield last;
          if (item.code === 1000 || item.code === 1005) return;
          throw closeError(this.name, item.code, item.reason);
        }
        for (const ev of utterance.apply(item.msg)) yield ev;
      }
    } catch (err) {
      if (opts.signal.aborted) return;
      throw err;
    } finally {
      pump.stop();
      if (!ended) ws.terminate();
    }
  }
}

/**
 * Accumulates Deepgram's pieces into utterances: interim = finalized pieces + current guess; final =
 * all finalized pieces, at `speech_final` or `UtteranceEnd`.
 */
export class Utterance {
  private finalized: string[] = [];
  private lastInterim = '';

  /** Events for one Deepgram message. */
  apply(msg: DeepgramMessage): TranscriptEvent[] {
    if (msg.type === 'UtteranceEnd') {
      const last = this.end();
      return last ? [last] : [];
    }
    if (msg.type !== 'Results') return [];
    const text = (msg.channel?.alternatives?.[0]?.transcript ?? '').trim();
    if (msg.is_final) {
      if (text) this.finalized.push(text);
      if (msg.speech_final) {
        const last = this.end();
        return last ? [last] : [];
      }
      return this.interim(this.finalized.join(' '));
    }
    return this.interim([...this.finalized, text].filter(Boolean).join(' '));
  }

  /** The pending final, if any words were finalized (the stream or the utterance ended). */
  end(): TranscriptEvent | null {
    const text = this.finalized.join(' ');
    this.finalized = [];
    this.lastInterim = '';
    return text ? { kind: 'final', text } : null;
  }

  private interim(text: string): TranscriptEvent[] {
    if (!text || text === this.lastInterim) return [];
    this.lastInterim = text;
    return [{ kind: 'interim', text }];
  }
}

/** Sends the caller's audio as binary frames, KeepAlive while it stalls, and CloseStream at its end. */
class AudioPump {
  done = false;
  private stopped = false;
  private lastSentAt = Date.now();
  private readonly keepAlive: NodeJS.Timeout;
  private readonly source: AsyncIterator<Int16Array>;

  constructor(
    private readonly ws: WebSocket,
    audio: AsyncIterable<Int16Array>,
    keepAliveMs: number,
    private readonly inbox: Inbox<Incoming>,
  ) {
    this.source = audio[Symbol.asyncIterator]();
    this.keepAlive = setInterval(
      () => {
        if (Date.now() - this.lastSentAt >= keepAliveMs) this.sendText({ type: 'KeepAlive' });
      },
      Math.max(50, keepAliveMs / 4),
    );
    this.run().catch((err: unknown) => inbox.fail(err instanceof Error ? err : new Error(String(err))));
  }

  private async run(): Promise<void> {
    for (;;) {
      const next = await this.source.next();
      if (this.stopped) return;
      if (next.done) break;
      const pcm = next.value;
      if (pcm.length === 0) continue;
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.ws.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      this.lastSentAt = Date.now();
    }
    this.done = true;
    clearInterval(this.keepAlive);
    // Deepgram flushes the remaining results, sends Metadata and closes the socket.
    this.sendText({ type: 'CloseStream' });
    this.inbox.push({ kind: 'audio_ended' });
  }

  private sendText(msg: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
    this.lastSentAt = Date.now();
  }

  /** Stops sending and tells the caller's audio source we are done with it. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.keepAlive);
    if (!this.done) this.source.return?.().catch(() => undefined);
  }
}

/** Maps Deepgram's close frames (RFC 6455 code + `DATA-…`/`NET-…` reason) to errors. */
function closeError(provider: string, code: number, reason: string): ProviderError {
  const said = `WebSocket close ${code}${reason ? `: ${reason}` : ''}`;
  if (code === 1008 || reason.startsWith('DATA-')) {
    return new ProviderError({
      provider,
      code: 'provider_bad_request',
      status: code,
      vendorCode: reason.split(/\s/)[0],
      message: `${provider}: Deepgram could not decode the audio; it must be mono PCM16 at the announced rate (${said})`,
    });
  }
  if (reason.startsWith('NET-0001')) {
    return new ProviderError({
      provider,
      code: 'provider_timeout',
      status: code,
      vendorCode: 'NET-0001',
      message: `${provider}: Deepgram got no audio for 10 s and closed the stream (${said})`,
    });
  }
  return new ProviderError({
    provider,
    code: 'provider_unavailable',
    status: code,
    message: `${provider}: the stream closed unexpectedly (${said})`,
  });
}
