/**
 * Session token expiry on a ManualClock: a token lives idle timeout + max_session_duration + 300 s
 * (docs/compat.md) and is refused with 401 session_token_expired from its `exp` on, while the API key
 * keeps working for the same session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@liveface/server';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, expectOk, jwtPayload } from './helpers/rest.js';

let server: TestServer;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({}, { clock });
});
afterAll(() => server.stop());

describe('expired session tokens', () => {
  it('are accepted until exp and refused with 401 session_token_expired from exp on', async () => {
    const s = await server.createSession({ max_session_duration: 60 });
    const claims = jwtPayload(s.token);
    expect(claims.iat).toBe(Math.floor(clock.now() / 1000));
    expect(claims.exp).toBe(claims.iat + server.config.idleTimeoutS + 60 + 300);
    const asToken = { token: s.token, key: null } as const;

    // One second before exp: the token still authenticates (the session itself has idled out by now).
    clock.advance(claims.exp * 1000 - clock.now() - 1000);
    expect(expectOk(await server.api(`/v1/sessions/${s.sessionId}`, asToken)).id).toBe(s.sessionId);
    expectError(await server.api('/v1/sessions/keep-alive', { method: 'POST', ...asToken }), 'session_ended');

    // At exp: refused everywhere a token is accepted.
    clock.advance(1000);
    const calls: [string, { method?: string; body?: unknown }][] = [
      ['/v1/sessions/start', { method: 'POST' }],
      ['/v1/sessions/stop', { method: 'POST' }],
      ['/v1/sessions/keep-alive', { method: 'POST' }],
      ['/v1/sessions', { method: 'DELETE' }],
      [`/v1/sessions/${s.sessionId}`, {}],
      [`/v1/sessions/${s.sessionId}/transcript`, {}],
    ];
    for (const [path, init] of calls) {
      const r = await server.api(path, { ...init, ...asToken });
      expect(r.status, path).toBe(401);
      expectError(r, 'session_token_expired');
    }

    // The API key still reaches the session.
    const entry = expectOk(await server.api(`/v1/sessions/${s.sessionId}`));
    expect(entry.status).toBe('ended');
    expect(entry.end_reason).toBe('IDLE_TIMEOUT');
  });

  it('an expired token with a bad signature is reported as invalid, not expired', async () => {
    const s = await server.createSession({ max_session_duration: 60 });
    const claims = jwtPayload(s.token);
    clock.advance(claims.exp * 1000 - clock.now() + 1000);
    const [h, p, sig] = s.token.split('.') as [string, string, string];
    const forged = `${h}.${p}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expectError(
      await server.api(`/v1/sessions/${s.sessionId}`, { token: forged, key: null }),
      'invalid_session_token',
    );
    expectError(
      await server.api(`/v1/sessions/${s.sessionId}`, { token: s.token, key: null }),
      'session_token_expired',
    );
  });

  it('a fresh token minted after the clock moved is valid again', async () => {
    const s = await server.createSession();
    expectOk(await server.api(`/v1/sessions/${s.sessionId}`, { token: s.token, key: null }));
  });
});
