import { z } from 'zod';

/**
 * Every error Liveface returns, by stable string code. `status` is the HTTP status of the REST answer,
 * `envelopeCode` the integer in the body's `code` field (the LiveAvatar wire only fixes 1000 = success;
 * errors use HTTP status × 10, see docs/errors.md). Documented one by one in docs/errors.md.
 */
export const ERRORS = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, message: 'The request is invalid.' },
  missing_api_key: { status: 401, message: 'Send an API key in the X-API-KEY header.' },
  invalid_api_key: { status: 401, message: 'The API key is not valid.' },
  api_key_revoked: { status: 401, message: 'The API key has been revoked.' },
  missing_credentials: {
    status: 401,
    message: 'Send a session token (Authorization: Bearer) or an API key (X-API-KEY).',
  },
  invalid_session_token: { status: 401, message: 'The session token is not valid.' },
  session_token_expired: { status: 401, message: 'The session token has expired.' },
  session_token_mismatch: {
    status: 403,
    message: 'The session token belongs to another session.',
  },
  api_key_required: { status: 403, message: 'This endpoint needs an API key, not a session token.' },
  not_found: { status: 404, message: 'No such endpoint.' },
  session_not_found: { status: 404, message: 'No such session.' },
  avatar_not_found: { status: 404, message: 'No such avatar.' },
  session_already_started: { status: 409, message: 'The session has already been started.' },
  session_ended: { status: 409, message: 'The session has ended.' },
  avatar_protected: { status: 409, message: 'This avatar cannot be deleted.' },
  sandbox_avatar_required: {
    status: 400,
    message: 'Sandbox sessions can only use the sandbox avatar.',
  },
  max_session_duration_exceeded: {
    status: 400,
    message: 'max_session_duration exceeds the limit of this server.',
  },
  invalid_capability: {
    status: 401,
    message: 'This URL is not valid for the session; use the URL from the start response.',
  },
  invalid_sdp: { status: 400, message: 'The body must be an SDP offer (Content-Type: application/sdp).' },
  too_many_viewers: { status: 409, message: 'The session has the most viewers it may have.' },
  viewer_not_found: { status: 404, message: 'No such viewer.' },
  // Resources (spec §6).
  secret_not_found: { status: 404, message: 'No such secret.' },
  invalid_secret_reference: {
    status: 400,
    message: 'secret_id names no secret, or a secret of the wrong type for this use.',
  },
  secret_in_use: { status: 409, message: 'The secret is used by an LLM configuration or a voice.' },
  secret_undecryptable: {
    status: 500,
    message: 'A stored secret cannot be decrypted with the configured key (LIVEFACE_SECRETS_KEY).',
  },
  llm_configuration_not_found: { status: 404, message: 'No such LLM configuration.' },
  context_not_found: { status: 404, message: 'No such context.' },
  missing_dynamic_variables: {
    status: 400,
    message: 'dynamic_variables lacks values the context needs.',
  },
  voice_not_found: { status: 404, message: 'No such voice.' },
  voice_protected: { status: 409, message: 'Built-in voices cannot be changed or deleted.' },
  mode_not_supported: { status: 501, message: 'This session mode is not available on this server.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  internal_error: { status: 500, message: 'Internal server error.' },
  // LITE WebSocket errors (sent as `error` events, never as HTTP answers).
  ws_invalid_json: { status: 400, message: 'The message is not valid JSON.' },
  ws_invalid_message: { status: 400, message: 'The message does not match its command schema.' },
  ws_message_too_large: { status: 413, message: 'The message exceeds the 1 MiB limit.' },
  ws_invalid_audio: { status: 400, message: 'The audio is not valid base64 PCM16.' },
  ws_binary_not_supported: { status: 400, message: 'Send JSON text frames, not binary frames.' },
  // Data-channel errors (sent as `error` events on the WebRTC data channel).
  dc_invalid_json: { status: 400, message: 'The message is not a JSON object.' },
  dc_invalid_message: { status: 400, message: 'The message has no "event_type".' },
  // FULL-mode agent: `error` events on the data channel (the session goes on).
  llm_not_configured: {
    status: 400,
    message: 'No LLM for this session: give the token an llm_configuration_id, or set LIVEFACE_LLM_BASE_URL.',
  },
  no_context: {
    status: 400,
    message: 'The session has no context (restricted mode): the avatar does not answer.',
  },
  agent_error: { status: 500, message: 'The turn failed; the session goes on.' },
  provider_misconfigured: {
    status: 400,
    message: 'A provider is configured wrongly (key, URL, model or voice).',
  },
  provider_auth: { status: 401, message: 'A provider refused the API key.' },
  provider_rate_limited: { status: 429, message: 'A provider is rate-limiting; retried where safe.' },
  provider_quota: { status: 402, message: 'A provider account is out of quota or credit.' },
  provider_bad_request: { status: 400, message: 'A provider refused the request.' },
  provider_unavailable: { status: 503, message: 'A provider is unavailable; retried where safe.' },
  provider_timeout: { status: 504, message: 'A provider did not answer in time.' },
  provider_protocol: { status: 502, message: 'A provider answered something that is not its protocol.' },
  provider_stream_broken: { status: 502, message: 'A provider stream broke off mid-answer.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable, documented error code. */
export type ErrorCode = keyof typeof ERRORS;
/** All error codes, for schemas and docs. */
export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

/** Integer `code` for the body of an error answer with this HTTP status. */
export function envelopeCodeFor(status: number): number {
  return status * 10;
}

/** One invalid field of a request. */
export const FieldIssue = z.object({ field: z.string(), message: z.string() });
/** One invalid field of a request. */
export type FieldIssue = z.infer<typeof FieldIssue>;

/** Body of every error answer: the envelope with a stable string code in `data.error`. */
export const ErrorBody = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.object({
    error: z.enum(ERROR_CODES),
    field: z.string().optional(),
    issues: z.array(FieldIssue).optional(),
  }),
});
/** Body of every error answer. */
export type ErrorBody = z.infer<typeof ErrorBody>;
