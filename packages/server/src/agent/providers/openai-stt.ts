/**
 * Batch STT over the OpenAI-compatible transcription endpoint (`POST {base}/audio/transcriptions`,
 * multipart `file` + `model` + `language`, JSON `{text}` back): OpenAI, Groq, and local whisper servers
 * (faster-whisper-server/speaches, LocalAI, whisper.cpp's OpenAI mode). One request per utterance.
 */
import { encodeWav } from '@liveface/engine';
import { misconfigured, protocolError } from './errors.js';
import {
  bearer,
  DEFAULT_RETRY,
  openAiApi,
  requestText,
  requireKeyFor,
  retrying,
  type RetryPolicy,
} from './http.js';
import { probeModels } from './openai-llm.js';
import type { BatchSttProvider, CheckOptions, TranscribeOptions } from './types.js';

/** Settings of an OpenAI-compatible STT. */
export interface OpenAiSttOptions {
  /** `https://api.openai.com`, `https://api.groq.com/openai`, `http://127.0.0.1:8000` … (`/v1` optional). */
  baseUrl?: string;
  /** Required for https vendors; local servers may go without. */
  apiKey?: string;
  /** e.g. `whisper-1`, `gpt-4o-mini-transcribe`, `whisper-large-v3-turbo`. */
  model?: string;
  /** Default language, ISO 639-1 (`en`); unset lets the model detect it. */
  language?: string;
  /** Vocabulary or style hint passed as `prompt`. */
  prompt?: string;
  /** Name in errors; default `openai-stt`. */
  name?: string;
  /** For the whole request (upload, transcription, answer), ms. Default 15 000. */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** OpenAI-compatible batch transcription client. */
export class OpenAiStt implements BatchSttProvider {
  readonly mode = 'batch';
  readonly name: string;
  private readonly o: OpenAiSttOptions;

  constructor(options: OpenAiSttOptions) {
    this.o = options;
    this.name = options.name ?? 'openai-stt';
  }

  private config(): { api: (endpoint: string) => string; model: string } {
    const api = openAiApi(this.name, this.o.baseUrl);
    requireKeyFor(this.name, api('models'), this.o.apiKey);
    if (!this.o.model) throw misconfigured(this.name, 'no model; set one (e.g. whisper-1)');
    return { api, model: this.o.model };
  }

  /** Checks the settings; with `probe`, lists the models (a wrong key or URL fails here). */
  async check(opts: CheckOptions = {}): Promise<void> {
    const { api } = this.config();
    if (opts.probe) await probeModels(this.name, api('models'), this.o.apiKey, opts.signal, this.o.timeoutMs);
  }

  /** Uploads the utterance as a 16-bit WAV and returns the transcript. */
  async transcribe(pcm: Int16Array, opts: TranscribeOptions): Promise<{ text: string }> {
    const { api, model } = this.config();
    const wav = encodeWav(pcm, opts.sampleRateHz);
    const language = (opts.language ?? this.o.language)?.split(/[-_]/)[0]?.toLowerCase();
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([wav], { type: 'audio/wav' }), 'speech.wav');
      f.append('model', model);
      f.append('response_format', 'json');
      if (language) f.append('language', language);
      if (this.o.prompt) f.append('prompt', this.o.prompt);
      return f;
    };
    const body = await retrying(this.o.retry ?? DEFAULT_RETRY, opts.signal, () =>
      requestText({
        provider: this.name,
        url: api('audio/transcriptions'),
        headers: { accept: 'application/json', ...bearer(this.o.apiKey) },
        body: form(),
        signal: opts.signal,
        timeoutMs: this.o.timeoutMs ?? 15_000,
      }),
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw protocolError(this.name, `the transcription is not JSON: ${body.slice(0, 80)}`, err);
    }
    const text = (parsed as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw protocolError(this.name, 'the JSON has no "text" field');
    return { text: text.trim() };
  }
}
