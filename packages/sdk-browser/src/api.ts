/** The session REST calls a browser makes with its session token, and reading that token. */
import { SessionApiError, SessionMode, type SessionInfo } from './types.js';

/** Envelope `code` of every success (spec §2.1). */
const SUCCESS_CODE = 1000;
/** Longest wait for a REST answer, ms (a hung server must not hang stop()). */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The mode a session token was minted for: `start_session_data.mode` of the JWT payload (no signature
 * check — the server checks it). `LITE` (or the legacy `CUSTOM`) is LITE; anything else is FULL, as in
 * the LiveAvatar web SDK.
 */
export function sessionModeOf(token: string): SessionMode {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const payload = JSON.parse(json) as { start_session_data?: { mode?: unknown } };
    const mode = payload.start_session_data?.mode;
    return mode === 'LITE' || mode === 'CUSTOM' ? SessionMode.LITE : SessionMode.FULL;
  } catch {
    return SessionMode.FULL;
  }
}

/** An abort signal that fires after `ms` (where the browser has `AbortSignal.timeout`). */
export function timeoutSignal(ms: number): AbortSignal | undefined {
  return typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(ms) : undefined;
}

/** POST calls on `{apiUrl}/v1/sessions/…` with `Authorization: Bearer <session token>`. */
export class SessionApiClient {
  constructor(
    private readonly token: string,
    private readonly apiUrl: string,
  ) {}

  /** `POST /v1/sessions/start`. */
  async startSession(): Promise<SessionInfo> {
    return (await this.call('/v1/sessions/start')) as SessionInfo;
  }

  /** `POST /v1/sessions/stop` (idempotent on the server). */
  async stopSession(): Promise<void> {
    await this.call('/v1/sessions/stop');
  }

  /** `POST /v1/sessions/keep-alive`. */
  async keepAlive(): Promise<void> {
    await this.call('/v1/sessions/keep-alive');
  }

  private async call(path: string): Promise<unknown> {
    const res = await fetch(this.apiUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      signal: timeoutSignal(REQUEST_TIMEOUT_MS),
    });
    return readEnvelope(res);
  }
}

/** The `data` of a success envelope, or a {@link SessionApiError} carrying the server's explanation. */
export async function readEnvelope(res: Response): Promise<unknown> {
  type Envelope = { code?: unknown; message?: unknown; data?: unknown } | null;
  let body: Envelope = null;
  try {
    body = (await res.json()) as Envelope;
  } catch {
    // Not JSON: report the status below.
  }
  const message = typeof body?.message === 'string' ? body.message : '';
  if (!res.ok || body?.code !== SUCCESS_CODE) {
    const data = body?.data as { error?: unknown } | null | undefined;
    throw new SessionApiError(
      message || `API request failed with status ${res.status}`,
      typeof body?.code === 'number' ? body.code : 500,
      res.status,
      typeof data?.error === 'string' ? data.error : null,
    );
  }
  return body.data;
}
