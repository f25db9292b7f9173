/**
 * The narrow, function-shaped interfaces of the FULL-mode agent's providers. Each client only
 * translates one vendor's wire format into these; the agent pipeline owns turn-taking and fallback.
 * Every call takes the turn's AbortSignal: aborting it stops the request and ends streams quietly.
 */

/** Sample rate of all TTS output, Hz (PCM16 mono, what the avatar pipeline plays). */
export const TTS_SAMPLE_RATE_HZ = 24_000;

/** Options every provider call takes. */
export interface CallOptions {
  /** The turn's signal: aborting it cancels the call (cancellation is not an error). */
  signal: AbortSignal;
}

/** Options of `check()`. */
export interface CheckOptions {
  signal?: AbortSignal;
  /**
   * Also make one cheap request (list models, look up the voice) so a wrong key or voice is reported
   * now, not mid-sentence. Without it, only the configuration is checked (no network).
   */
  probe?: boolean;
}

/** Shared by every provider client. */
export interface Provider {
  /** Name used in errors and logs, e.g. `openai-llm`, `deepgram`. */
  readonly name: string;
  /** Throws a ProviderError (`provider_misconfigured`, `provider_auth` …) if the provider cannot work. */
  check(opts?: CheckOptions): Promise<void>;
  /** Releases held connections or child processes (idempotent). */
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// STT

/** A transcript update from speech-to-text. */
export type TranscriptEvent =
  /** The utterance so far: finalized words plus the current guess; replaces the previous interim. */
  | { kind: 'interim'; text: string }
  /** The whole utterance, final: the user finished speaking (endpoint), or the audio ended. */
  | { kind: 'final'; text: string };

/** Options of a batch transcription. */
export interface TranscribeOptions extends CallOptions {
  sampleRateHz: number;
  /** ISO 639-1 language (`en`; `en-US` is trimmed); overrides the provider's default. */
  language?: string;
}

/** STT that transcribes one finished utterance (cut by the VAD). */
export interface BatchSttProvider extends Provider {
  readonly mode: 'batch';
  /** Transcribes mono PCM16. Rejects with the signal's reason when aborted. */
  transcribe(pcm: Int16Array, opts: TranscribeOptions): Promise<{ text: string }>;
}

/** Options of a streaming transcription. */
export interface ListenOptions extends CallOptions {
  sampleRateHz: number;
  language?: string;
}

/** STT that transcribes audio while it streams, with interim results and its own endpointing. */
export interface StreamingSttProvider extends Provider {
  readonly mode: 'streaming';
  /**
   * Streams mono PCM16 chunks to the vendor and yields transcript events. When `audio` ends, the
   * vendor is asked to finish, the last final is yielded and the stream ends.
   */
  listen(audio: AsyncIterable<Int16Array>, opts: ListenOptions): AsyncIterable<TranscriptEvent>;
}

/** Either kind of STT. */
export type SttProvider = BatchSttProvider | StreamingSttProvider;

// ---------------------------------------------------------------------------------------------------
// LLM

/** One message of the conversation history. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Options of a chat completion. */
export interface ChatOptions extends CallOptions {
  /** System prompt, sent first; overrides the provider's default. */
  system?: string;
}

/** A chat model that streams its answer. */
export interface LlmProvider extends Provider {
  /** Yields text deltas of the assistant's answer as they arrive. */
  chat(messages: readonly ChatMessage[], opts: ChatOptions): AsyncIterable<string>;
}

// ---------------------------------------------------------------------------------------------------
// TTS

/** A spoken word and where it is in the audio of one `synthesize` call. */
export interface WordTiming {
  word: string;
  /** From the start of this call's audio (not of the chunk), ms. */
  startMs: number;
  endMs: number;
}

/** A piece of synthesized speech. */
export interface AudioChunk {
  /** PCM16 mono at TTS_SAMPLE_RATE_HZ; may be empty when the chunk only carries word timings. */
  pcm: Int16Array;
  /** Words whose timing became known with this chunk, when the vendor gives timings. */
  words?: WordTiming[];
}

/** Text-to-speech. */
export interface TtsProvider extends Provider {
  /** True when chunks carry word timings (the text-aware lip-sync can use them). */
  readonly wordTimings: boolean;
  /** Speaks `text` (one sentence or a few); yields audio as it is produced. */
  synthesize(text: string, opts: CallOptions): AsyncIterable<AudioChunk>;
}

/**
 * Turns little-endian PCM16 bytes split anywhere (odd chunk sizes on the wire) into whole samples,
 * carrying a dangling byte to the next chunk.
 */
export class Pcm16Assembler {
  private carry: number | null = null;

  /** Samples completed by `bytes`. */
  push(bytes: Uint8Array): Int16Array {
    const total = bytes.byteLength + (this.carry === null ? 0 : 1);
    const out = new Int16Array(total >> 1);
    let i = 0;
    let o = 0;
    if (this.carry !== null && bytes.byteLength > 0) {
      out[o++] = (((bytes[0]! << 8) | this.carry) << 16) >> 16;
      i = 1;
      this.carry = null;
    }
    for (; i + 1 < bytes.byteLength; i += 2) out[o++] = (((bytes[i + 1]! << 8) | bytes[i]!) << 16) >> 16;
    if (i < bytes.byteLength) this.carry = bytes[i]!;
    return out;
  }
}
