/**
 * The Deepgram live-transcription format, for fake servers: `Results` messages (interim / is_final /
 * speech_final), `UtteranceEnd`, the closing `Metadata`, and the handshake refusal for a bad key.
 */

/** A `Results` message. */
export function dgResults(
  transcript: string,
  opts: { isFinal?: boolean; speechFinal?: boolean; start?: number; duration?: number } = {},
): string {
  return JSON.stringify({
    type: 'Results',
    channel_index: [0, 1],
    duration: opts.duration ?? 1,
    start: opts.start ?? 0,
    is_final: opts.isFinal ?? false,
    speech_final: opts.speechFinal ?? false,
    channel: {
      alternatives: [
        {
          transcript,
          confidence: 0.98,
          words: transcript
            .split(' ')
            .filter(Boolean)
            .map((w, i) => ({
              word: w.toLowerCase(),
              start: i * 0.3,
              end: i * 0.3 + 0.25,
              confidence: 0.98,
              punctuated_word: w,
            })),
        },
      ],
    },
    metadata: {
      request_id: 'req-fake',
      model_info: { name: 'general-nova-3', version: '1', arch: 'nova-3' },
      model_uuid: 'uuid',
    },
    from_finalize: false,
  });
}

/** An `UtteranceEnd` message. */
export function dgUtteranceEnd(lastWordEnd = 2.4): string {
  return JSON.stringify({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: lastWordEnd });
}

/** The `Metadata` message sent before the server closes after CloseStream. */
export function dgMetadata(): string {
  return JSON.stringify({
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: 'req-fake',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    created: '2024-08-29T22:37:55.202Z',
    duration: 1.5,
    channels: 1,
  });
}

/** The handshake refusal for a bad key. */
export const DG_INVALID_AUTH = {
  status: 401,
  headers: { 'dg-error': 'Invalid credentials.', 'dg-request-id': 'req-fake' },
  body: JSON.stringify({ err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.', request_id: 'req-fake' }),
};
