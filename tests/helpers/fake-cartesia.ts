/**
 * The Cartesia TTS WebSocket format, for fake servers: the messages sent down for a context (`chunk`
 * with base64 PCM16, `timestamps` with word times in seconds, `done`, `error`).
 */

/** A `chunk` message carrying `pcm`. */
export function cartesiaChunk(contextId: string, pcm: Int16Array): string {
  return JSON.stringify({
    type: 'chunk',
    data: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64'),
    done: false,
    status_code: 206,
    step_time: 12.5,
    context_id: contextId,
  });
}

/** A `timestamps` message. */
export function cartesiaTimestamps(
  contextId: string,
  words: string[],
  start: number[],
  end: number[],
): string {
  return JSON.stringify({
    type: 'timestamps',
    done: false,
    status_code: 206,
    context_id: contextId,
    word_timestamps: { words, start, end },
  });
}

/** The `done` message of a context. */
export function cartesiaDone(contextId: string): string {
  return JSON.stringify({ type: 'done', done: true, status_code: 206, context_id: contextId });
}

/** An `error` message (the 2025+ shape: title, message, error_code). */
export function cartesiaError(
  contextId: string,
  status: number,
  title: string,
  message: string,
  code: string,
): string {
  return JSON.stringify({
    type: 'error',
    done: true,
    status_code: status,
    title,
    message,
    error_code: code,
    context_id: contextId,
  });
}
