/**
 * Session semantics over REST (spec §4.3–§4.7, docs/compat.md): start once, stop idempotently, keep-alive
 * only while live, the start answer's fields, one-session reads and the transcript.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, expectOk } from './helpers/rest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const asToken = (token: string) => ({ token, key: null }) as const;
const start = (token: string) => server.api('/v1/sessions/start', { method: 'POST', ...asToken(token) });
const stop = (token: string, body?: unknown) =>
  server.api('/v1/sessions/stop', { method: 'POST', ...asToken(token), body });
const keepAlive = (token: string) =>
  server.api('/v1/sessions/keep-alive', { method: 'POST', ...asToken(token) });
const entryOf = async (id: string) => expectOk(await server.api(`/v1/sessions/${id}`));

describe('start', () => {
  it('answers session_id, an integer max_session_duration and a ws:// URL for this session', async () => {
    const s = await server.createSession();
    const r = await start(s.token);
    expect(r.status).toBe(200);
    const data = expectOk(r);
    expect(data.session_id).toBe(s.sessionId);
    expect(Number.isInteger(data.max_session_duration)).toBe(true);
    expect(data.max_session_duration).toBe(server.config.defaultSessionDurationS);
    expect(data.ws_url).toMatch(/^ws:\/\//);
    expect(data.ws_url.startsWith(server.url.replace(/^http/, 'ws'))).toBe(true);
    expect(data.ws_url).toContain(s.sessionId);
    for (const k of ['livekit_url', 'livekit_client_token', 'livekit_agent_token']) {
      // Absent until a media transport exists (docs/compat.md); never null.
      if (k in data) expect(data[k]).not.toBeNull();
    }
  });

  it('ws_url carries an unguessable capability that differs between sessions', async () => {
    const one = await server.startSession();
    const two = await server.startSession();
    const capability = (url: string, id: string) => url.slice(url.indexOf(id) + id.length).replace(/^\//, '');
    const c1 = capability(one.wsUrl, one.sessionId);
    const c2 = capability(two.wsUrl, two.sessionId);
    expect(c1.length).toBeGreaterThanOrEqual(32);
    expect(c2.length).toBeGreaterThanOrEqual(32);
    expect(c1).not.toBe(c2);
    expect(c1).not.toContain(one.sessionId);
    // Swapping the capabilities does not give the same URL as the real one.
    expect(one.wsUrl.replace(c1, c2)).not.toBe(one.wsUrl);
  });

  it('returns the requested max_session_duration', async () => {
    const s = await server.startSession({ max_session_duration: 120 });
    expect(s.maxSessionDuration).toBe(120);
  });

  it('a sandbox session lasts 60 s', async () => {
    const s = await server.startSession({ is_sandbox: true });
    expect(s.maxSessionDuration).toBe(60);
  });

  it('a sandbox session ignores a larger requested max_session_duration', async () => {
    const s = await server.startSession({ is_sandbox: true, max_session_duration: 600 });
    expect(s.maxSessionDuration).toBe(60);
  });

  it('twice → 409 session_already_started', async () => {
    const s = await server.createSession();
    expectOk(await start(s.token));
    expectError(await start(s.token), 'session_already_started');
    expect((await entryOf(s.sessionId)).status).toBe('active');
  });

  it('two concurrent starts: exactly one succeeds', async () => {
    const s = await server.createSession();
    const [r1, r2] = await Promise.all([start(s.token), start(s.token)]);
    const statuses = [r1.status, r2.status].sort();
    expect(statuses).toEqual([200, 409]);
    expectError(
      [r1, r2].find((r) => r.status === 409)!,
      'session_already_started',
    );
  });

  it('after stop → 409 session_ended', async () => {
    const s = await server.createSession();
    expectOk(await stop(s.token));
    expectError(await start(s.token), 'session_ended');
  });

  it('with an API key and an unknown session_id → 404 session_not_found', async () => {
    const r = await server.api('/v1/sessions/start', {
      method: 'POST',
      body: { session_id: '00000000-0000-4000-8000-000000000000' },
    });
    expectError(r, 'session_not_found');
  });

  it('with an API key and no session_id → 400 invalid_request naming session_id', async () => {
    const err = expectError(await server.api('/v1/sessions/start', { method: 'POST' }), 'invalid_request');
    expect(err.data.field).toBe('session_id');
  });
});

describe('stop', () => {
  it('is idempotent: stopping twice answers 200 both times', async () => {
    const s = await server.startSession();
    const first = await stop(s.token);
    expect(first.status).toBe(200);
    expect(expectOk(first)).toBeNull();
    const second = await stop(s.token);
    expect(second.status).toBe(200);
    expect(expectOk(second)).toBeNull();
  });

  it('a created (never started) session can be stopped', async () => {
    const s = await server.createSession();
    expectOk(await stop(s.token));
    const e = await entryOf(s.sessionId);
    expect(e.status).toBe('ended');
    expect(e.duration).toBe(0);
  });

  it('with an API key needs session_id → 400 invalid_request naming session_id', async () => {
    const err = expectError(await server.api('/v1/sessions/stop', { method: 'POST' }), 'invalid_request');
    expect(err.data.field).toBe('session_id');
    expect(err.message).toContain('session_id');
    const err2 = expectError(
      await server.api('/v1/sessions/stop', { method: 'POST', body: {} }),
      'invalid_request',
    );
    expect(err2.data.field).toBe('session_id');
  });

  it('with an API key and session_id stops that session', async () => {
    const s = await server.startSession();
    expectOk(
      await server.api('/v1/sessions/stop', {
        method: 'POST',
        body: { session_id: s.sessionId, reason: 'USER_CLOSED' },
      }),
    );
    const e = await entryOf(s.sessionId);
    expect(e.status).toBe('ended');
    expect(e.end_reason).toBe('USER_CLOSED');
  });

  it('with an API key and an unknown session_id → 404 session_not_found', async () => {
    const r = await server.api('/v1/sessions/stop', {
      method: 'POST',
      body: { session_id: 'no-such-session' },
    });
    expectError(r, 'session_not_found');
  });

  it('DELETE /v1/sessions with the Bearer token stops the session', async () => {
    const s = await server.startSession();
    const r = await server.api('/v1/sessions', { method: 'DELETE', ...asToken(s.token) });
    expect(expectOk(r)).toBeNull();
    const e = await entryOf(s.sessionId);
    expect(e.status).toBe('ended');
    expect(e.end_reason).toBe('USER_CLOSED');
    // And again: idempotent like POST /stop.
    expectOk(await server.api('/v1/sessions', { method: 'DELETE', ...asToken(s.token) }));
  });

  it('DELETE /v1/sessions with an API key and session_id stops the session', async () => {
    const s = await server.startSession();
    expectOk(await server.api('/v1/sessions', { method: 'DELETE', body: { session_id: s.sessionId } }));
    expect((await entryOf(s.sessionId)).status).toBe('ended');
  });

  it('the first reason wins', async () => {
    const s = await server.startSession();
    expectOk(await stop(s.token, { reason: 'USER_DISCONNECTED' }));
    expectOk(await stop(s.token, { reason: 'SERVER_ERROR' }));
    expect((await entryOf(s.sessionId)).end_reason).toBe('USER_DISCONNECTED');
  });
});

describe('keep-alive', () => {
  it('on a created and on an active session answers data: null', async () => {
    const s = await server.createSession();
    expect(expectOk(await keepAlive(s.token))).toBeNull();
    expectOk(await start(s.token));
    expect(expectOk(await keepAlive(s.token))).toBeNull();
  });

  it('on an ended session → 409 session_ended', async () => {
    const s = await server.startSession();
    expectOk(await stop(s.token));
    expectError(await keepAlive(s.token), 'session_ended');
  });

  it('with an API key needs session_id', async () => {
    const err = expectError(
      await server.api('/v1/sessions/keep-alive', { method: 'POST', body: {} }),
      'invalid_request',
    );
    expect(err.data.field).toBe('session_id');
  });

  it('with an API key and an unknown session_id → 404 session_not_found', async () => {
    const r = await server.api('/v1/sessions/keep-alive', {
      method: 'POST',
      body: { session_id: 'no-such-session' },
    });
    expectError(r, 'session_not_found');
  });
});

describe('GET /v1/sessions/{id}', () => {
  it('shows a session entry with the OAS fields', async () => {
    const s = await server.startSession({ is_sandbox: true });
    const e = await entryOf(s.sessionId);
    expect(e).toMatchObject({
      id: s.sessionId,
      source: 'API',
      mode: 'LITE',
      is_sandbox: true,
      credits_consumed: 0,
      avatar_id: SANDBOX_AVATAR_ID,
      status: 'active',
    });
    expect(Number.isInteger(e.duration)).toBe(true);
    expect(new Date(e.created_at).toISOString()).toBe(e.created_at);
    expect(new Date(e.updated_at).toISOString()).toBe(e.updated_at);
    expect('end_reason' in e).toBe(false);
  });

  it('an ended session adds end_at and end_reason', async () => {
    const s = await server.startSession();
    expectOk(await stop(s.token, { reason: 'USER_DISCONNECTED' }));
    const e = await entryOf(s.sessionId);
    expect(e.status).toBe('ended');
    expect(e.end_reason).toBe('USER_DISCONNECTED');
    expect(new Date(e.end_at).toISOString()).toBe(e.end_at);
    expect(Date.parse(e.end_at)).toBeGreaterThanOrEqual(Date.parse(e.created_at));
  });

  it('an unknown id → 404 session_not_found', async () => {
    expectError(await server.api('/v1/sessions/00000000-0000-4000-8000-000000000000'), 'session_not_found');
  });
});

describe('GET /v1/sessions/{id}/transcript', () => {
  it('a live LITE session has an empty transcript', async () => {
    const s = await server.startSession();
    const data = expectOk(await server.api(`/v1/sessions/${s.sessionId}/transcript`));
    expect(data).toEqual({ session_active: true, transcript_data: [] });
  });

  it('an ended session reports session_active: false', async () => {
    const s = await server.startSession();
    expectOk(await stop(s.token));
    const data = expectOk(await server.api(`/v1/sessions/${s.sessionId}/transcript`, asToken(s.token)));
    expect(data.session_active).toBe(false);
    expect(data.transcript_data).toEqual([]);
  });

  it('accepts start_timestamp / end_timestamp and refuses bad ones', async () => {
    const s = await server.createSession();
    const now = Math.floor(Date.now() / 1000);
    expectOk(
      await server.api(
        `/v1/sessions/${s.sessionId}/transcript?start_timestamp=${now - 60}&end_timestamp=${now + 60}`,
      ),
    );
    const err = expectError(
      await server.api(`/v1/sessions/${s.sessionId}/transcript?start_timestamp=yesterday`),
      'invalid_request',
    );
    expect(err.data.field).toBe('start_timestamp');
  });

  it('an unknown id → 404 session_not_found', async () => {
    expectError(await server.api('/v1/sessions/no-such-session/transcript'), 'session_not_found');
  });
});
