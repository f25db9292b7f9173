/**
 * Provider errors: one class for every STT/LLM/TTS client, and the one place where vendor HTTP answers,
 * WebSocket handshakes and network failures become errors a person can act on.
 */

/** What went wrong with a provider, as a stable code. */
export type ProviderErrorCode =
  /** A setting is missing or invalid (key, base URL, model, voice, binary). Fix the configuration. */
  | 'provider_misconfigured'
  /** The vendor refused the credentials (HTTP 401/403). */
  | 'provider_auth'
  /** Too many requests (HTTP 429); retried when the vendor allows it. */
  | 'provider_rate_limited'
  /** Out of credits or quota (HTTP 402, or a 429/401 that says so); retrying does not help. */
  | 'provider_quota'
  /** The vendor rejected the request (HTTP 400/404/413/422, WebSocket policy close). */
  | 'provider_bad_request'
  /** The vendor failed or could not be reached (HTTP 5xx, refused or reset connection). */
  | 'provider_unavailable'
  /** No answer, or no progress, within the configured time. */
  | 'provider_timeout'
  /** The answer does not follow the vendor's protocol (bad JSON, missing fields). */
  | 'provider_protocol'
  /** The stream broke after part of the output was delivered; never retried (it would repeat output). */
  | 'provider_stream_broken';

/** Fields of a ProviderError. */
export interface ProviderErrorInit {
  /** Which client failed, e.g. `openai-llm`, `deepgram`, `espeak`. */
  provider: string;
  code: ProviderErrorCode;
  message: string;
  /** HTTP status (or WebSocket close code) when the vendor answered. */
  status?: number;
  /** Whether the same request may succeed if sent again. Defaults from `code`. */
  retryable?: boolean;
  /** The vendor's own error code or type, e.g. `invalid_api_key`, `insufficient_quota`. */
  vendorCode?: string;
  /** How long the vendor asked us to wait before retrying (Retry-After), ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

const RETRYABLE: Record<ProviderErrorCode, boolean> = {
  provider_misconfigured: false,
  provider_auth: false,
  provider_rate_limited: true,
  provider_quota: false,
  provider_bad_request: false,
  provider_unavailable: true,
  provider_timeout: true,
  provider_protocol: false,
  provider_stream_broken: false,
};

/** A failed provider call: which provider, what code, whether a retry may help, and what to do. */
export class ProviderError extends Error {
  readonly provider: string;
  readonly code: ProviderErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly vendorCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: ProviderErrorInit) {
    super(init.message, { cause: init.cause });
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.code = init.code;
    this.status = init.status;
    this.retryable = init.retryable ?? RETRYABLE[init.code];
    this.vendorCode = init.vendorCode;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** A configuration problem, reported by `check()` before any request is made. */
export function misconfigured(provider: string, message: string): ProviderError {
  return new ProviderError({ provider, code: 'provider_misconfigured', message: `${provider}: ${message}` });
}

/** The same error, marked as having happened after output was delivered (so it is never retried). */
export function afterPartialOutput(err: ProviderError): ProviderError {
  return new ProviderError({
    provider: err.provider,
    code: 'provider_stream_broken',
    status: err.status,
    vendorCode: err.vendorCode,
    message: `${err.message} (after part of the output was delivered; not retried)`,
    cause: err,
  });
}

/** Longest vendor message quoted in an error, characters. */
const MAX_QUOTE = 300;

/**
 * Pulls a human message and a vendor code out of an error body. Shapes seen in the wild:
 * OpenAI/Groq/vLLM `{error:{message,type,code}}`, ElevenLabs `{detail:{status,message}}`, FastAPI
 * `{detail:[{loc,msg}]}` or `{detail:"…"}`, Deepgram `{err_code,err_msg}`, Cartesia `{error:"…"}` or
 * `{title,message,error_code}`, and plain text.
 */
export function vendorMessage(body: string): { message: string; vendorCode?: string } {
  const text = body.trim();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { message: clip(text) };
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const root = obj(json);
  if (!root) return { message: clip(text) };
  const error = obj(root.error);
  if (error) {
    return {
      message: clip(str(error.message) ?? text),
      vendorCode: str(error.code) ?? str(error.type) ?? str(error.status),
    };
  }
  const detail = root.detail;
  if (obj(detail)) {
    const d = obj(detail)!;
    return { message: clip(str(d.message) ?? text), vendorCode: str(d.status) ?? str(d.code) };
  }
  if (Array.isArray(detail)) {
    const parts = detail.map((d) => {
      const o = obj(d);
      const loc = Array.isArray(o?.loc) ? o.loc.map(String).join('.') : '';
      return `${loc ? `${loc}: ` : ''}${str(o?.msg) ?? JSON.stringify(d)}`;
    });
    return { message: clip(parts.join('; ')), vendorCode: 'validation_error' };
  }
  const message =
    str(detail) ?? str(root.err_msg) ?? str(root.message) ?? str(root.error) ?? str(root.title) ?? text;
  return {
    message: clip(message),
    vendorCode: str(root.err_code) ?? str(root.error_code) ?? str(root.code) ?? str(root.status),
  };
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_QUOTE ? `${one.slice(0, MAX_QUOTE)}…` : one || '(empty body)';
}

/** Parses Retry-After (seconds or HTTP date) and OpenAI's `retry-after-ms`, in ms. */
export function retryAfterMs(headers: { get(name: string): string | null }): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const s = Number(raw);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Vendor codes that mean "out of money", whatever the HTTP status says. */
const QUOTA_CODES = new Set(['insufficient_quota', 'quota_exceeded', 'billing_hard_limit_reached']);

/**
 * Maps a non-success HTTP answer (or WebSocket handshake answer) to a ProviderError whose message says
 * what happened and what to do.
 */
export function errorFromHttp(
  provider: string,
  status: number,
  body: string,
  headers: { get(name: string): string | null },
): ProviderError {
  const { message: quoted, vendorCode } = vendorMessage(body);
  const said = `HTTP ${status}: ${quoted}`;
  const wait = retryAfterMs(headers);
  const make = (code: ProviderErrorCode, advice: string) =>
    new ProviderError({
      provider,
      code,
      status,
      vendorCode,
      retryAfterMs: wait,
      message: `${provider}: ${advice} (${said})`,
    });
  if (vendorCode && QUOTA_CODES.has(vendorCode)) {
    return make('provider_quota', 'the account is out of credits or quota; top it up or raise its limits');
  }
  if (status === 401) return make('provider_auth', 'the API key was refused; check the key in the config');
  if (status === 403) {
    return make('provider_auth', 'the API key lacks permission for this request; check its scopes or plan');
  }
  if (status === 402) return make('provider_quota', 'payment required; check the account billing');
  if (status === 429) return make('provider_rate_limited', 'rate limited; slow down or raise the limits');
  if (status === 404) {
    return make('provider_bad_request', 'not found; check the base URL, model and voice in the config');
  }
  if (status === 408) return make('provider_timeout', 'the vendor timed out waiting for the request');
  if (status >= 500) return make('provider_unavailable', 'the service failed; try again later');
  return make('provider_bad_request', 'the request was rejected; check the settings it names');
}

/** Network-level causes that a retry cannot fix (the address itself is wrong). */
const PERMANENT_NET = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/**
 * Maps a connection failure (refused, reset, DNS, TLS) to a ProviderError; `midStream` when the
 * connection broke while the answer was being read.
 */
export function errorFromNetwork(
  provider: string,
  url: string,
  err: unknown,
  midStream = false,
): ProviderError {
  if (err instanceof ProviderError) return err;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code =
    (typeof cause?.code === 'string' && cause.code) ||
    (typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code) ||
    '';
  const detail =
    code || (typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : '');
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the raw string
  }
  const permanent = PERMANENT_NET.has(code);
  return new ProviderError({
    provider,
    code: permanent ? 'provider_misconfigured' : 'provider_unavailable',
    retryable: !permanent,
    vendorCode: code || undefined,
    message: midStream
      ? `${provider}: the connection to ${host} broke during the answer (${detail || 'connection lost'})`
      : `${provider}: cannot reach ${host} (${detail || 'connection failed'}); check the base URL and the network`,
    cause: err,
  });
}

/** A timeout error for a named phase ("no response", "no data"). */
export function timeoutError(provider: string, what: string, ms: number): ProviderError {
  return new ProviderError({
    provider,
    code: 'provider_timeout',
    message: `${provider}: ${what} within ${ms} ms; the service is slow or unreachable (raise timeoutMs if this is expected)`,
  });
}

/** A protocol violation by the vendor (or by something pretending to be it). */
export function protocolError(provider: string, what: string, cause?: unknown): ProviderError {
  return new ProviderError({
    provider,
    code: 'provider_protocol',
    message: `${provider}: unexpected answer: ${what}; check that the base URL points at a compatible server`,
    cause,
  });
}
