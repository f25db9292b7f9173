/**
 * The ElevenLabs wire format, for fake servers: the NDJSON chunks of
 * `/v1/text-to-speech/{voice_id}/stream/with-timestamps` (base64 PCM16 + character alignment, times
 * counted from the start of the request's audio) and its error bodies.
 */

/**
 * Chunks for `text` spoken as `pcm`: the audio cut into `pieces` parts and the characters spread over
 * them, each character `charMs` long from `leadMs` on. Returns one JSON line per chunk.
 */
export function elevenLabsLines(
  text: string,
  pcm: Int16Array,
  pieces: number,
  opts: { charMs?: number; leadMs?: number } = {},
): string[] {
  const charMs = opts.charMs ?? 50;
  const leadMs = opts.leadMs ?? 100;
  const chars = [...text];
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const lines: string[] = [];
  for (let p = 0; p < pieces; p++) {
    const a = Math.floor((p * bytes.length) / pieces / 2) * 2;
    const b = Math.floor(((p + 1) * bytes.length) / pieces / 2) * 2;
    const c0 = Math.floor((p * chars.length) / pieces);
    const c1 = Math.floor(((p + 1) * chars.length) / pieces);
    const idx = Array.from({ length: c1 - c0 }, (_, i) => c0 + i);
    const alignment = {
      characters: idx.map((i) => chars[i]),
      character_start_times_seconds: idx.map((i) => (leadMs + i * charMs) / 1000),
      character_end_times_seconds: idx.map((i) => (leadMs + (i + 1) * charMs) / 1000),
    };
    lines.push(
      JSON.stringify({
        audio_base64: bytes.subarray(a, b).toString('base64'),
        alignment,
        normalized_alignment: alignment,
      }),
    );
  }
  return lines;
}

/** Error bodies as api.elevenlabs.io returns them. */
export const ELEVENLABS_ERRORS = {
  invalidKey: { status: 401, body: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } } },
  quota: {
    status: 401,
    body: {
      detail: {
        status: 'quota_exceeded',
        message:
          'This request exceeds your quota of 10000. You have 3 credits remaining, while 42 credits are required for this request.',
      },
    },
  },
  busy: {
    status: 429,
    body: {
      detail: {
        status: 'too_many_concurrent_requests',
        message:
          'Too many concurrent requests. Your current subscription is associated with a maximum of 2 concurrent requests.',
      },
    },
  },
  validation: {
    status: 422,
    body: { detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }] },
  },
  voiceNotFound: {
    status: 404,
    body: { detail: { status: 'voice_not_found', message: 'A voice with the voice_id nope was not found.' } },
  },
} as const;
