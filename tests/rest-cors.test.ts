/**
 * CORS for the browser SDK (spec §2.3): it calls start/stop/keep-alive with `credentials: "include"`, so
 * the server must echo the Origin (never `*`), allow credentials, and allow `authorization, content-type`.
 * A configured origin list refuses other origins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, raw } from './helpers/rest.js';

let open: TestServer;
let restricted: TestServer;
beforeAll(async () => {
  open = await startTestServer();
  restricted = await startTestServer({ corsOrigins: ['http://allowed.test'] });
});
afterAll(async () => {
  await open.stop();
  await restricted.stop();
});

const ORIGIN = 'https://app.example.com';

function preflight(server: TestServer, path: string, origin: string, method = 'POST') {
  return raw(server.url, path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });
}

/** Header value as a lowercase list. */
const list = (h: string | null) =>
  (h ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

describe('default configuration (any origin)', () => {
  it.each(['/v1/sessions/start', '/v1/sessions/stop', '/v1/sessions/keep-alive', '/v1/sessions/token'])(
    'preflight of POST %s echoes the origin and allows credentials and the SDK headers',
    async (path) => {
      const r = await preflight(open, path, ORIGIN);
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(300);
      expect(r.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(r.headers.get('access-control-allow-credentials')).toBe('true');
      expect(list(r.headers.get('access-control-allow-headers'))).toEqual(
        expect.arrayContaining(['authorization', 'content-type']),
      );
      expect(list(r.headers.get('access-control-allow-methods'))).toContain('post');
    },
  );

  it('preflight of DELETE /v1/sessions allows DELETE', async () => {
    const r = await preflight(open, '/v1/sessions', ORIGIN, 'DELETE');
    expect(r.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(list(r.headers.get('access-control-allow-methods'))).toContain('delete');
  });

  it('allows X-API-KEY for backends calling from a browser-like runtime', async () => {
    const r = await raw(open.url, '/v1/sessions/token', {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key,content-type',
      },
    });
    expect(list(r.headers.get('access-control-allow-headers'))).toContain('x-api-key');
  });

  it('the actual answer (success and error) carries the echoed origin and credentials', async () => {
    const s = await open.createSession();
    const ok = await raw(open.url, '/v1/sessions/start', {
      method: 'POST',
      headers: { origin: ORIGIN, authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(list(ok.headers.get('vary'))).toContain('origin');

    const err = await raw(open.url, '/v1/sessions/start', { method: 'POST', headers: { origin: ORIGIN } });
    expectError(err, 'missing_credentials');
    expect(err.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(err.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('never answers with the wildcard origin', async () => {
    const r = await preflight(open, '/v1/sessions/start', 'http://localhost:3000');
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(r.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('requests without an Origin get no CORS headers', async () => {
    const r = await raw(open.url, '/healthz', {});
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('corsOrigins restricted to http://allowed.test', () => {
  it('the allowed origin is echoed', async () => {
    const r = await preflight(restricted, '/v1/sessions/start', 'http://allowed.test');
    expect(r.headers.get('access-control-allow-origin')).toBe('http://allowed.test');
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('a foreign origin gets no allow-origin header on preflight or on the answer', async () => {
    const pre = await preflight(restricted, '/v1/sessions/start', 'http://evil.test');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();

    const s = await restricted.createSession();
    const r = await raw(restricted.url, '/v1/sessions/keep-alive', {
      method: 'POST',
      headers: { origin: 'http://evil.test', authorization: `Bearer ${s.token}` },
    });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an origin that only starts like the allowed one is foreign', async () => {
    const r = await preflight(restricted, '/v1/sessions/start', 'http://allowed.test.evil.test');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});
