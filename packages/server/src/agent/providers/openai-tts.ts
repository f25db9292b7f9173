/**
 * TTS over the OpenAI-compatible speech endpoint (`POST {base}/audio/speech`, `response_format:
 * "pcm"`): raw 24 kHz PCM16 mono, streamed as it is generated. OpenAI, and local servers that follow
 * it (Kokoro-FastAPI, openedai-speech, LocalAI). No word timings.
 */
import { misconfigured } from './errors.js';
import {
  bearer,
  DEFAULT_RETRY,
  openAiApi,
  requireKeyFor,
  retryBeforeOutput,
  streamRequest,
  type RetryPolicy,
} from './http.js';
import { probeModels } from './openai-llm.js';
import {
  Pcm16Assembler,
  type AudioChunk,
  type CallOptions,
  type CheckOptions,
  type TtsProvider,
} from './types.js';

/** Settings of an OpenAI-compatible TTS. */
export interface OpenAiTtsOptions {
  /** `https://api.openai.com`, `http://127.0.0.1:8880` … (`/v1` optional). */
  baseUrl?: string;
  /** Required for https vendors; local servers may go without. */
  apiKey?: string;
  /** e.g. `gpt-4o-mini-tts`, `tts-1`, `kokoro`. */
  model?: string;
  /** e.g. `alloy`, `af_heart`. */
  voice?: string;
  /** 0.25–4. */
  speed?: number;
  /** Style instructions (gpt-4o-mini-tts). */
  instructions?: string;
  /** Name in errors; default `openai-tts`. */
  name?: string;
  /** Until the response headers arrive, ms. Default 10 000. */
  timeoutMs?: number;
  /** Longest gap between two audio chunks, ms. Default 10 000. */
  idleTimeoutMs?: number;
  retry?: RetryPolicy;
}

/** OpenAI-compatible speech client. */
export class OpenAiTts implements TtsProvider {
  readonly name: string;
  readonly wordTimings = false;
  private readonly o: OpenAiTtsOptions;

  constructor(options: OpenAiTtsOptions) {
    this.o = options;
    this.name = options.name ?? 'openai-tts';
  }

  private config(): { api: (endpoint: string) => string; model: string; voice: string } {
    const api = openAiApi(this.name, this.o.baseUrl);
    requireKeyFor(this.name, api('models'), this.o.apiKey);
    if (!this.o.model) throw misconfigured(this.name, 'no model; set one (e.g. gpt-4o-mini-tts)');
    if (!this.o.voice) throw misconfigured(this.name, 'no voice; set one (e.g. alloy)');
    return { api, model: this.o.model, voice: this.o.voice };
  }

  /** Checks the settings; with `probe`, lists the models (a wrong key or URL fails here). */
  async check(opts: CheckOptions = {}): Promise<void> {
    const { api } = this.config();
    if (opts.probe) await probeModels(this.name, api('models'), this.o.apiKey, opts.signal, this.o.timeoutMs);
  }

  /** Streams the speech of `text` as 24 kHz PCM16. */
  async *synthesize(text: string, opts: CallOptions): AsyncGenerator<AudioChunk, void, undefined> {
    const { api, model, voice } = this.config();
    if (!text.trim()) return;
    const body = JSON.stringify({
      model,
      voice,
      input: text,
      response_format: 'pcm',
      ...(this.o.speed !== undefined ? { speed: this.o.speed } : {}),
      ...(this.o.instructions ? { instructions: this.o.instructions } : {}),
    });
    yield* retryBeforeOutput(this.o.retry ?? DEFAULT_RETRY, opts.signal, () =>
      this.stream(api('audio/speech'), body, opts.signal),
    );
  }

  private async *stream(
    url: string,
    body: string,
    signal: AbortSignal,
  ): AsyncGenerator<AudioChunk, void, undefined> {
    const pcm = new Pcm16Assembler();
    const bytes = streamRequest({
      provider: this.name,
      url,
      headers: { 'content-type': 'application/json', ...bearer(this.o.apiKey) },
      body,
      signal,
      timeoutMs: this.o.timeoutMs ?? 10_000,
      idleTimeoutMs: this.o.idleTimeoutMs ?? 10_000,
    });
    for await (const chunk of bytes) {
      const samples = pcm.push(chunk);
      if (samples.length) yield { pcm: samples };
    }
  }
}
