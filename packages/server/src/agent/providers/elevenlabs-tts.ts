/**
 * TTS over ElevenLabs' streaming endpoint with character alignment
 * (`POST /v1/text-to-speech/{voice_id}/stream/with-timestamps?output_format=pcm_24000`, header
 * `xi-api-key`). The answer is newline-delimited JSON, one object per chunk: `audio_base64` (PCM16
 * 24 kHz) and `alignment {characters, character_start_times_seconds, character_end_times_seconds}`,
 * times counted from the start of the request's audio. Characters are grouped into words here.
 */
import { misconfigured, ProviderError, protocolError } from './errors.js';
import {
  DEFAULT_RETRY,
  lines,
  requestText,
  retryBeforeOutput,
  streamRequest,
  vendorBase,
  type RetryPolicy,
} from './http.js';
import {
  Pcm16Assembler,
  type AudioChunk,
  type CallOptions,
  type CheckOptions,
  type TtsProvider,
  type WordTiming,
} from './types.js';

/** Settings of the ElevenLabs client. */
export interface ElevenLabsTtsOptions {
  apiKey?: string;
  voiceId?: string;
  /** Default `eleven_flash_v2_5` (lowest latency, takes a language code). */
  modelId?: string;
  /** ISO 639-1 language to enforce (models that support it). */
  languageCode?: string;
  /** `stability`, `similarity_boost`, `style`, `use_speaker_boost`, `speed`. */
  voiceSettings?: Record<string, number | boolean>;
  /** `https://api.elevenlabs.io` (or a proxy / test server). */
  baseUrl?: string;
  /** Name in errors; default `elevenlabs`. */
  name?: string;
  /** Until the response headers arrive, ms. Default 10 000. */
  timeoutMs?: number;
  /** Longest gap between two chunks, ms. Default 10 000. */
  idleTimeoutMs?: number;
  retry?: RetryPolicy;
}

/** The alignment object of one chunk. */
interface Alignment {
  characters?: string[];
  character_start_times_seconds?: number[];
  character_end_times_seconds?: number[];
}

/** One NDJSON chunk. */
interface Chunk {
  audio_base64?: string | null;
  alignment?: Alignment | null;
  normalized_alignment?: Alignment | null;
}

/** ElevenLabs streaming TTS client with word timings. */
export class ElevenLabsTts implements TtsProvider {
  readonly name: string;
  readonly wordTimings = true;
  private readonly o: ElevenLabsTtsOptions;

  constructor(options: ElevenLabsTtsOptions) {
    this.o = options;
    this.name = options.name ?? 'elevenlabs';
  }

  private config(): { base: string; apiKey: string; voiceId: string } {
    const base = vendorBase(this.name, this.o.baseUrl ?? 'https://api.elevenlabs.io', ['https:', 'http:']);
    if (!this.o.apiKey) throw misconfigured(this.name, 'no API key; set the ElevenLabs key');
    if (!this.o.voiceId)
      throw misconfigured(this.name, 'no voice id; set one (from the ElevenLabs voice library)');
    return { base, apiKey: this.o.apiKey, voiceId: this.o.voiceId };
  }

  /** Checks the settings; with `probe`, looks the voice up (a wrong key or voice id fails here). */
  async check(opts: CheckOptions = {}): Promise<void> {
    const { base, apiKey, voiceId } = this.config();
    if (!opts.probe) return;
    try {
      await requestText({
        provider: this.name,
        url: `${base}/v1/voices/${encodeURIComponent(voiceId)}`,
        method: 'GET',
        headers: { 'xi-api-key': apiKey },
        signal: opts.signal ?? new AbortController().signal,
        timeoutMs: this.o.timeoutMs ?? 5_000,
      });
    } catch (err) {
      // A key restricted to TTS may not read voices: only a refused key or an unknown voice fail.
      if (err instanceof ProviderError && err.status === 403) return;
      throw err;
    }
  }

  /** Streams the speech of `text` with word timings. */
  async *synthesize(text: string, opts: CallOptions): AsyncGenerator<AudioChunk, void, undefined> {
    const { base, apiKey, voiceId } = this.config();
    if (!text.trim()) return;
    const url = `${base}/v1/text-to-speech/${encodeURIComponent(voiceId)}/stream/with-timestamps?output_format=pcm_24000`;
    const body = JSON.stringify({
      text,
      model_id: this.o.modelId ?? 'eleven_flash_v2_5',
      ...(this.o.languageCode ? { language_code: this.o.languageCode } : {}),
      ...(this.o.voiceSettings ? { voice_settings: this.o.voiceSettings } : {}),
    });
    const attempt = () =>
      this.chunks(
        streamRequest({
          provider: this.name,
          url,
          headers: { 'content-type': 'application/json', accept: 'application/json', 'xi-api-key': apiKey },
          body,
          signal: opts.signal,
          timeoutMs: this.o.timeoutMs ?? 10_000,
          idleTimeoutMs: this.o.idleTimeoutMs ?? 10_000,
        }),
      );
    yield* retryBeforeOutput(this.o.retry ?? DEFAULT_RETRY, opts.signal, attempt);
  }

  private async *chunks(body: AsyncIterable<Uint8Array>): AsyncGenerator<AudioChunk, void, undefined> {
    const pcm = new Pcm16Assembler();
    const words = new CharacterWords();
    for await (const raw of lines(body)) {
      // NDJSON; tolerate an SSE-style `data: ` prefix from proxies.
      const line = raw.trim().replace(/^data:\s*/, '');
      if (!line) continue;
      let chunk: Chunk;
      try {
        chunk = JSON.parse(line) as Chunk;
      } catch (err) {
        throw protocolError(this.name, `a chunk is not JSON: ${line.slice(0, 80)}`, err);
      }
      const samples = chunk.audio_base64
        ? pcm.push(Buffer.from(chunk.audio_base64, 'base64'))
        : new Int16Array(0);
      const alignment = chunk.alignment ?? chunk.normalized_alignment;
      const done = alignment ? words.push(alignment) : [];
      if (samples.length || done.length) yield done.length ? { pcm: samples, words: done } : { pcm: samples };
    }
    const last = words.end();
    if (last) yield { pcm: new Int16Array(0), words: [last] };
  }
}

/**
 * Groups ElevenLabs' per-character times into words (split at whitespace; punctuation stays with its
 * word). A word may span chunks: it is handed out once the whitespace after it, or the end, arrives.
 */
export class CharacterWords {
  private word = '';
  private startS = 0;
  private endS = 0;

  /** Words completed by this chunk's alignment. */
  push(a: Alignment): WordTiming[] {
    const chars = a.characters ?? [];
    const starts = a.character_start_times_seconds ?? [];
    const ends = a.character_end_times_seconds ?? [];
    const out: WordTiming[] = [];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (/^\s*$/u.test(c)) {
        const w = this.end();
        if (w) out.push(w);
        continue;
      }
      if (!this.word) this.startS = starts[i] ?? this.endS;
      this.word += c;
      this.endS = ends[i] ?? starts[i] ?? this.endS;
    }
    return out;
  }

  /** The word in progress, if any (call at the end of the stream). */
  end(): WordTiming | null {
    if (!this.word) return null;
    const w = { word: this.word, startMs: ms(this.startS), endMs: ms(this.endS) };
    this.word = '';
    return w;
  }
}

/** Seconds → ms, rounded to the µs (float noise such as 0.30000000000000004 s). */
const ms = (s: number) => Math.round(s * 1e6) / 1e3;
