/**
 * Body and header handling of start / stop / keep-alive as each client sends them (spec §2.3): no body,
 * an empty body, `{}`, no content type, `accept: application/json`, lowercase `authorization`, and the
 * LiveKit plugin's `{"session_id": ...}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { startTestServer, TEST_KEY, type TestServer } from './helpers/server.js';
import { expectError, expectOk, raw } from './helpers/rest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

type Shape = {
  name: string;
  headers: (token: string) => Record<string, string>;
  body?: (sessionId: string) => string;
};

/** The request shapes of the known clients; each must work for start, keep-alive and stop. */
const shapes: Shape[] = [
  {
    name: 'web SDK: Bearer + content-type, no body',
    headers: (t) => ({ Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' }),
  },
  {
    name: 'Pipecat: lowercase authorization, accept, no content-type, no body',
    headers: (t) => ({ authorization: `Bearer ${t}`, accept: 'application/json' }),
  },
  {
    name: 'empty body with a JSON content type',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }),
    body: () => '',
  },
  {
    name: 'starter: {} body',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }),
    body: () => '{}',
  },
  {
    name: '{} body without content-type',
    headers: (t) => ({ authorization: `Bearer ${t}` }),
    body: () => '{}',
  },
  {
    name: 'whitespace-only body',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }),
    body: () => '  \n',
  },
  {
    name: 'LiveKit plugin: {"session_id"} body',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }),
    body: (id) => JSON.stringify({ session_id: id }),
  },
  {
    name: 'extra unknown fields',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' }),
    body: (id) => JSON.stringify({ session_id: id, client: 'hand-rolled', retries: 0 }),
  },
  {
    name: 'text/plain content-type with JSON',
    headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'text/plain' }),
    body: () => '{}',
  },
  { name: '"bearer" scheme in lowercase', headers: (t) => ({ authorization: `bearer ${t}` }) },
];

describe.each(shapes)('$name', (shape) => {
  it('start, keep-alive and stop succeed', async () => {
    const { sessionId, token } = await server.createSession();
    const send = (path: string) =>
      raw(server.url, path, { method: 'POST', headers: shape.headers(token), body: shape.body?.(sessionId) });

    const started = expectOk(await send('/v1/sessions/start'));
    expect(started.session_id).toBe(sessionId);
    expect(typeof started.ws_url).toBe('string');

    expect(expectOk(await send('/v1/sessions/keep-alive'))).toBeNull();
    expect(expectOk(await send('/v1/sessions/stop'))).toBeNull();

    const entry = expectOk(await server.api(`/v1/sessions/${sessionId}`));
    expect(entry.status).toBe('ended');
  });
});

describe('API-key callers', () => {
  it('keep-alive and stop with X-API-KEY and {"session_id"}', async () => {
    const { sessionId, token } = await server.createSession();
    expectOk(await server.api('/v1/sessions/start', { method: 'POST', token, key: null }));
    expectOk(
      await server.api('/v1/sessions/keep-alive', { method: 'POST', body: { session_id: sessionId } }),
    );
    expectOk(
      await server.api('/v1/sessions/stop', {
        method: 'POST',
        body: { session_id: sessionId, reason: 'USER_CLOSED' },
      }),
    );
  });

  it('start with X-API-KEY and {"session_id"} works too', async () => {
    const { sessionId } = await server.createSession();
    const data = expectOk(
      await server.api('/v1/sessions/start', { method: 'POST', body: { session_id: sessionId } }),
    );
    expect(data.session_id).toBe(sessionId);
    await server.api('/v1/sessions/stop', { method: 'POST', body: { session_id: sessionId } });
  });

  it('the X-API-KEY header name is case-insensitive', async () => {
    const r = await raw(server.url, '/v1/sessions/token', {
      method: 'POST',
      headers: { 'X-Api-Key': TEST_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID }),
    });
    expectOk(r);
  });
});

describe('bad bodies on session calls', () => {
  it('invalid JSON on start → 400 invalid_json, and the session is still startable', async () => {
    const { token } = await server.createSession();
    const bad = await raw(server.url, '/v1/sessions/start', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{session_id:',
    });
    expectError(bad, 'invalid_json');
    expectOk(await server.api('/v1/sessions/start', { method: 'POST', token, key: null }));
  });

  it('an unknown stop reason → 400 invalid_request naming reason', async () => {
    const { sessionId } = await server.createSession();
    const err = expectError(
      await server.api('/v1/sessions/stop', {
        method: 'POST',
        body: { session_id: sessionId, reason: 'BORED' },
      }),
      'invalid_request',
    );
    expect(err.data.field).toBe('reason');
  });

  it('session_id of the wrong type → 400 invalid_request naming session_id', async () => {
    const err = expectError(
      await server.api('/v1/sessions/keep-alive', { method: 'POST', body: { session_id: 7 } }),
      'invalid_request',
    );
    expect(err.data.field).toBe('session_id');
  });
});
