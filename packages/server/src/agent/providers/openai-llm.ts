/**
 * LLM over OpenAI-compatible chat completions (`POST {base}/chat/completions`, `stream: true`):
 * OpenAI, Groq, OpenRouter, vLLM, llama.cpp, Ollama. Yields the answer's text deltas from the SSE
 * `data:` chunks until `[DONE]`.
 */
import { misconfigured, ProviderError, protocolError } from './errors.js';
import {
  bearer,
  DEFAULT_RETRY,
  lines,
  openAiApi,
  requestText,
  requireKeyFor,
  retryBeforeOutput,
  sseEvents,
  streamRequest,
  type RetryPolicy,
} from './http.js';
import type { ChatMessage, ChatOptions, CheckOptions, LlmProvider } from './types.js';

/** Settings of an OpenAI-compatible LLM. */
export interface OpenAiLlmOptions {
  /** `https://api.openai.com`, `https://api.groq.com/openai`, `http://127.0.0.1:11434` … (`/v1` optional). */
  baseUrl?: string;
  /** Required for https vendors; local servers may go without. */
  apiKey?: string;
  /** e.g. `gpt-4o-mini`, `llama-3.3-70b-versatile`. */
  model?: string;
  /** Default system prompt (a call's `system` overrides it). */
  systemPrompt?: string;
  temperature?: number;
  /** Sent as `max_tokens`. */
  maxTokens?: number;
  /** Extra body fields for a vendor's own options (merged last). */
  extraBody?: Record<string, unknown>;
  /** Name in errors; default `openai-llm`. */
  name?: string;
  /** Until the response headers arrive, ms. Default 10 000. */
  timeoutMs?: number;
  /** Longest silence between two chunks of the stream, ms. Default 15 000. */
  idleTimeoutMs?: number;
  retry?: RetryPolicy;
}

/** One parsed `data:` chunk of a streamed chat completion (the fields we read). */
interface ChatChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  error?: unknown;
}

/** Streaming chat completions client. */
export class OpenAiLlm implements LlmProvider {
  readonly name: string;
  private readonly o: OpenAiLlmOptions;

  constructor(options: OpenAiLlmOptions) {
    this.o = options;
    this.name = options.name ?? 'openai-llm';
  }

  private config(): { api: (endpoint: string) => string; model: string } {
    const api = openAiApi(this.name, this.o.baseUrl);
    requireKeyFor(this.name, api('models'), this.o.apiKey);
    if (!this.o.model) throw misconfigured(this.name, 'no model; set one (e.g. gpt-4o-mini)');
    return { api, model: this.o.model };
  }

  /** Checks the settings; with `probe`, lists the models (a wrong key or URL fails here). */
  async check(opts: CheckOptions = {}): Promise<void> {
    const { api } = this.config();
    if (opts.probe) await probeModels(this.name, api('models'), this.o.apiKey, opts.signal, this.o.timeoutMs);
  }

  /** Streams the assistant's answer to `messages` (after the system prompt) as text deltas. */
  async *chat(messages: readonly ChatMessage[], opts: ChatOptions): AsyncGenerator<string, void, undefined> {
    const { api, model } = this.config();
    const system = opts.system ?? this.o.systemPrompt;
    const body = JSON.stringify({
      model,
      messages: [...(system ? [{ role: 'system', content: system }] : []), ...messages],
      stream: true,
      ...(this.o.temperature !== undefined ? { temperature: this.o.temperature } : {}),
      ...(this.o.maxTokens !== undefined ? { max_tokens: this.o.maxTokens } : {}),
      ...this.o.extraBody,
    });
    const attempt = () =>
      this.deltas(
        streamRequest({
          provider: this.name,
          url: api('chat/completions'),
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...bearer(this.o.apiKey),
          },
          body,
          signal: opts.signal,
          timeoutMs: this.o.timeoutMs ?? 10_000,
          idleTimeoutMs: this.o.idleTimeoutMs ?? 15_000,
        }),
      );
    yield* retryBeforeOutput(this.o.retry ?? DEFAULT_RETRY, opts.signal, attempt);
  }

  private async *deltas(body: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, undefined> {
    let finished = false;
    for await (const ev of sseEvents(lines(body))) {
      const data = ev.data.trim();
      if (data === '[DONE]') return;
      let chunk: ChatChunk;
      try {
        chunk = JSON.parse(data) as ChatChunk;
      } catch (err) {
        throw protocolError(this.name, `a stream chunk is not JSON: ${data.slice(0, 80)}`, err);
      }
      // Vendors report failures inside a 200 stream as a chunk with an `error` object.
      if (chunk.error !== undefined) throw streamedError(this.name, chunk.error);
      for (const choice of chunk.choices ?? []) {
        const text = choice.delta?.content;
        if (typeof text === 'string' && text) yield text;
        if (choice.finish_reason) finished = true;
      }
    }
    // Some servers omit [DONE] after a finish_reason; without either, the answer was cut off.
    if (!finished) {
      throw new ProviderError({
        provider: this.name,
        code: 'provider_unavailable',
        message: `${this.name}: the stream ended before the answer was complete (no [DONE])`,
      });
    }
  }
}

function streamedError(provider: string, error: unknown): ProviderError {
  const o = (error && typeof error === 'object' ? error : {}) as Record<string, unknown>;
  const message = typeof o.message === 'string' ? o.message : JSON.stringify(error);
  const code = typeof o.code === 'string' ? o.code : typeof o.type === 'string' ? o.type : undefined;
  const overloaded = /overload|server_error|unavailable|rate/i.test(`${code ?? ''} ${message}`);
  return new ProviderError({
    provider,
    code: overloaded ? 'provider_unavailable' : 'provider_bad_request',
    vendorCode: code,
    message: `${provider}: the model failed while answering (${message})`,
  });
}

/**
 * `GET {base}/models`: cheap and supported by OpenAI-compatible servers. A 404 passes (the server
 * answered; some local servers do not list models); 401/403 and connection failures throw.
 */
export async function probeModels(
  provider: string,
  modelsUrl: string,
  apiKey: string | undefined,
  signal: AbortSignal | undefined,
  timeoutMs = 5_000,
): Promise<void> {
  try {
    await requestText({
      provider,
      url: modelsUrl,
      method: 'GET',
      headers: bearer(apiKey),
      signal: signal ?? new AbortController().signal,
      timeoutMs,
    });
  } catch (err) {
    if (err instanceof ProviderError && err.status === 404) return;
    throw err;
  }
}
