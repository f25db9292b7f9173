/** HS256 JSON Web Tokens: the few lines Liveface needs, on node:crypto. */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Why a token was refused. */
export type JwtProblem = 'malformed' | 'bad_signature' | 'expired';

/** Signs `payload` (which should carry `exp` in seconds). */
export function signJwt(payload: object, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${HEADER}.${body}`).digest('base64url');
  return `${HEADER}.${body}.${sig}`;
}

/** Verifies signature and expiry; returns the payload or the problem. */
export function verifyJwt(
  token: string,
  secret: Buffer,
  nowMs: number,
): { ok: true; payload: Record<string, unknown> } | { ok: false; problem: JwtProblem } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, problem: 'malformed' };
  const [header, body, sig] = parts as [string, string, string];
  if (header !== HEADER) return { ok: false, problem: 'malformed' };
  // Compare the text: base64url decoding ignores the unused low bits of the last character, so
  // comparing decoded bytes would accept altered signature strings.
  const expected = Buffer.from(createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url'));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, problem: 'bad_signature' };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (!payload || typeof payload !== 'object') return { ok: false, problem: 'malformed' };
  const exp = (payload as { exp?: unknown }).exp;
  if (typeof exp !== 'number') return { ok: false, problem: 'malformed' };
  if (nowMs >= exp * 1000) return { ok: false, problem: 'expired' };
  return { ok: true, payload: payload as Record<string, unknown> };
}
