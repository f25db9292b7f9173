/**
 * The auth matrix (spec §1, §3): every endpoint against missing, wrong, revoked and misplaced
 * credentials. API keys (X-API-KEY) are the account; session tokens (Bearer) act on their own session only.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID, type ErrorCode } from '@liveface/protocol';
import { createKey, revokeKey } from '../packages/server/src/store/keys.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, expectOk } from './helpers/rest.js';

let server: TestServer;
/** Session A: the caller's own session. Session B: someone else's. */
let a: { sessionId: string; token: string };
let b: { sessionId: string; token: string };
let goodKey: string;
let revokedKey: string;

beforeAll(async () => {
  server = await startTestServer();
  a = await server.createSession();
  b = await server.createSession();
  goodKey = (await createKey(server.db, 'rest-auth good', Date.now())).key;
  const revoked = await createKey(server.db, 'rest-auth revoked', Date.now());
  revokedKey = revoked.key;
  expect(await revokeKey(server.db, revoked.info.id, Date.now())).not.toBeNull();
});
afterAll(() => server.stop());

type Auth = 'key' | 'key_or_token';
interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path for a call about session `id`. */
  path: (id: string) => string;
  /** Body for a call about session `id` (undefined: none). */
  body?: (id: string) => unknown;
  auth: Auth;
  /** Whether the session is named in the request (body or path), so a foreign token can be detected. */
  namesSession?: boolean;
}

const endpoints: Record<string, Endpoint> = {
  'POST /v1/sessions/token': {
    method: 'POST',
    path: () => '/v1/sessions/token',
    body: () => ({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID }),
    auth: 'key',
  },
  'POST /v1/sessions/start': {
    method: 'POST',
    path: () => '/v1/sessions/start',
    body: (id) => ({ session_id: id }),
    auth: 'key_or_token',
    namesSession: true,
  },
  'POST /v1/sessions/stop': {
    method: 'POST',
    path: () => '/v1/sessions/stop',
    body: (id) => ({ session_id: id }),
    auth: 'key_or_token',
    namesSession: true,
  },
  'POST /v1/sessions/keep-alive': {
    method: 'POST',
    path: () => '/v1/sessions/keep-alive',
    body: (id) => ({ session_id: id }),
    auth: 'key_or_token',
    namesSession: true,
  },
  'DELETE /v1/sessions': {
    method: 'DELETE',
    path: () => '/v1/sessions',
    body: (id) => ({ session_id: id }),
    auth: 'key_or_token',
    namesSession: true,
  },
  'GET /v1/sessions': { method: 'GET', path: () => '/v1/sessions?type=active', auth: 'key' },
  'GET /v1/sessions/{id}': {
    method: 'GET',
    path: (id) => `/v1/sessions/${id}`,
    auth: 'key_or_token',
    namesSession: true,
  },
  'GET /v1/sessions/{id}/transcript': {
    method: 'GET',
    path: (id) => `/v1/sessions/${id}/transcript`,
    auth: 'key_or_token',
    namesSession: true,
  },
  'GET /v1/avatars': { method: 'GET', path: () => '/v1/avatars', auth: 'key' },
  'GET /v1/avatars/{id}': { method: 'GET', path: () => `/v1/avatars/${SANDBOX_AVATAR_ID}`, auth: 'key' },
  'PATCH /v1/avatars/{id}': {
    method: 'PATCH',
    path: () => `/v1/avatars/${SANDBOX_AVATAR_ID}`,
    body: () => ({ name: 'Wayne' }),
    auth: 'key',
  },
  'DELETE /v1/avatars/{id}': {
    method: 'DELETE',
    path: () => `/v1/avatars/${SANDBOX_AVATAR_ID}`,
    auth: 'key',
  },
};

/** Calls `ep` about session `id` with exactly the given headers. */
function call(ep: Endpoint, id: string, headers: Record<string, string>) {
  return server.api(ep.path(id), { method: ep.method, body: ep.body?.(id), key: null, headers });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Token variants that must never authenticate. */
function tamperedTokens(token: string, other: string): Record<string, string> {
  const [h, p, s] = token.split('.') as [string, string, string];
  const [, otherPayload] = other.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  const reencode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const forgedPayload = reencode({ ...claims, exp: claims.exp + 86_400 });
  const flip = (c: string) => (c === 'A' ? 'B' : 'A');
  // A 32-byte HMAC is 43 base64url characters; the last one carries 2 unused bits, so flipping its
  // lowest bit yields a different string that decodes to the same bytes.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sameBytes = alphabet[alphabet.indexOf(s.at(-1)!) ^ 1]!;
  return {
    'first signature character changed': `${h}.${p}.${flip(s[0]!)}${s.slice(1)}`,
    'last signature character changed in its unused bits': `${h}.${p}.${s.slice(0, -1)}${sameBytes}`,
    'signature dropped': `${h}.${p}.`,
    'payload of another token': `${h}.${otherPayload}.${s}`,
    'payload edited (exp extended)': `${h}.${forgedPayload}.${s}`,
    'alg none': `${reencode({ alg: 'none', typ: 'JWT' })}.${p}.`,
    'signed with another secret': `${h}.${p}.${createHmac('sha256', randomBytes(32)).update(`${h}.${p}`).digest('base64url')}`,
    'two parts only': `${h}.${p}`,
  };
}

describe.each(Object.entries(endpoints))('%s', (_name, ep) => {
  const missingCode: ErrorCode = ep.auth === 'key' ? 'missing_api_key' : 'missing_credentials';

  it(`no credentials → 401 ${missingCode}`, async () => {
    expectError(await call(ep, a.sessionId, {}), missingCode);
  });

  it(`a non-Bearer Authorization header counts as none → 401 ${missingCode}`, async () => {
    expectError(await call(ep, a.sessionId, { authorization: 'Basic dXNlcjpwYXNz' }), missingCode);
  });

  it('a wrong API key → 401 invalid_api_key', async () => {
    expectError(
      await call(ep, a.sessionId, { 'x-api-key': 'lf_not_a_real_key_000000000000000000' }),
      'invalid_api_key',
    );
  });

  it('a revoked API key → 401 api_key_revoked', async () => {
    expectError(await call(ep, a.sessionId, { 'x-api-key': revokedKey }), 'api_key_revoked');
  });

  if (ep.auth === 'key') {
    it('a valid session token → 403 api_key_required', async () => {
      const err = expectError(await call(ep, a.sessionId, bearer(a.token)), 'api_key_required');
      expect(err.message).toMatch(/X-API-KEY/i);
    });

    it('a garbage Bearer token → 403 api_key_required', async () => {
      expectError(await call(ep, a.sessionId, bearer('garbage')), 'api_key_required');
    });
  } else {
    it('a garbage Bearer token → 401 invalid_session_token', async () => {
      expectError(await call(ep, a.sessionId, bearer('garbage')), 'invalid_session_token');
      expectError(await call(ep, a.sessionId, bearer('a.b.c')), 'invalid_session_token');
    });

    it('tampered tokens → 401 invalid_session_token', async () => {
      for (const [how, t] of Object.entries(tamperedTokens(a.token, b.token))) {
        const r = await call(ep, a.sessionId, bearer(t));
        expect(r.status, how).toBe(401);
        expectError(r, 'invalid_session_token');
      }
    });
  }

  if (ep.namesSession) {
    it("another session's token → 403 session_token_mismatch", async () => {
      const err = expectError(await call(ep, b.sessionId, bearer(a.token)), 'session_token_mismatch');
      expect(err.message).toContain(b.sessionId);
    });
  }
});

describe('credentials that are accepted', () => {
  it('a second, non-revoked key created in the store works like the configured one', async () => {
    const r = await server.api('/v1/sessions?type=active', { key: goodKey });
    expectOk(r);
  });

  it('a session token reads its own session and transcript', async () => {
    const s = await server.createSession();
    expect(expectOk(await server.api(`/v1/sessions/${s.sessionId}`, { token: s.token, key: null })).id).toBe(
      s.sessionId,
    );
    expectOk(await server.api(`/v1/sessions/${s.sessionId}/transcript`, { token: s.token, key: null }));
  });

  it('an API key reads any session', async () => {
    const s = await server.createSession();
    expect(expectOk(await server.api(`/v1/sessions/${s.sessionId}`)).id).toBe(s.sessionId);
  });

  it('a token body naming its own session is fine', async () => {
    const s = await server.createSession();
    expectOk(
      await server.api('/v1/sessions/keep-alive', {
        method: 'POST',
        token: s.token,
        key: null,
        body: { session_id: s.sessionId },
      }),
    );
  });

  it('the foreign-token attempts above changed nothing: session B was never started or stopped', async () => {
    const entry = expectOk(await server.api(`/v1/sessions/${b.sessionId}`));
    expect(entry.status).toBe('created');
  });

  it('a revoked key stays revoked after a successful call with another key', async () => {
    expectOk(await server.api('/v1/avatars', { key: goodKey }));
    expectError(await server.api('/v1/avatars', { key: revokedKey }), 'api_key_revoked');
  });
});

describe('credentials are checked before the body', () => {
  it('answers 401, not a validation error, to an unauthenticated call with a bad body', async () => {
    const token = await server.api('/v1/sessions/token', { key: null, body: { avatar_id: 42 } });
    expectError(token, 'missing_api_key');
    const stop = await server.api('/v1/sessions/stop', { key: null, body: { reason: 'NOT_A_REASON' } });
    expectError(stop, 'missing_credentials');
  });
});
