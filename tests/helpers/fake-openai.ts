/**
 * The OpenAI wire format, for fake servers: streamed chat-completion chunks (SSE), error bodies as the
 * API sends them, and multipart parsing for `/v1/audio/transcriptions`.
 */
import type { ServerResponse } from 'node:http';
import { delay, type SeenRequest } from './fake-server.js';

/** One `chat.completion.chunk` as OpenAI streams it. */
function chunk(delta: Record<string, unknown>, finish: string | null): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-fake',
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
}

/**
 * The SSE body of a streamed answer: a role chunk, one chunk per delta, a `finish_reason` chunk and
 * `[DONE]` (each can be left out to simulate a cut stream).
 */
export function chatSse(deltas: readonly string[], opts: { finish?: boolean; done?: boolean } = {}): Buffer {
  const events = [
    chunk({ role: 'assistant', content: '' }, null),
    ...deltas.map((d) => chunk({ content: d }, null)),
  ];
  if (opts.finish ?? true) events.push(chunk({}, 'stop'));
  const body = events.map((e) => `data: ${e}\n\n`).join('') + ((opts.done ?? true) ? 'data: [DONE]\n\n' : '');
  return Buffer.from(body, 'utf8');
}

/** Starts an SSE answer. */
export function sseHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

/**
 * Streams an answer as a model generating it would: its SSE events one at a time, `gapMs` apart;
 * stops when the client goes away (an aborted request).
 */
export async function streamChat(res: ServerResponse, deltas: readonly string[], gapMs = 0): Promise<void> {
  sseHead(res);
  for (const event of chatSse(deltas).toString('utf8').split('\n\n').filter(Boolean)) {
    if (res.destroyed) return;
    res.write(`${event}\n\n`);
    if (gapMs) await delay(gapMs);
  }
  res.end();
}

/** Error bodies as api.openai.com returns them. */
export const OPENAI_ERRORS = {
  invalidKey: {
    status: 401,
    body: {
      error: {
        message:
          'Incorrect API key provided: sk-fake***1234. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    },
  },
  rateLimited: {
    status: 429,
    body: {
      error: {
        message:
          'Rate limit reached for gpt-fake in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20ms.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
  },
  quota: {
    status: 429,
    body: {
      error: {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    },
  },
  server: {
    status: 500,
    body: {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    },
  },
  badModel: {
    status: 404,
    body: {
      error: {
        message: 'The model `gpt-nope` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    },
  },
} as const;

/** Sends one of OPENAI_ERRORS (with extra headers such as `retry-after-ms`). */
export function sendError(
  res: ServerResponse,
  e: { status: number; body: unknown },
  headers: Record<string, string> = {},
): void {
  res.writeHead(e.status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(e.body));
}

/** Parses a multipart/form-data request body (as the transcription endpoint receives it). */
export async function formData(req: SeenRequest): Promise<FormData> {
  const type = req.headers['content-type'] ?? '';
  return new Response(req.body, { headers: { 'content-type': type } }).formData();
}
