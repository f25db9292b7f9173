/**
 * Operations endpoints: health, Prometheus metrics, the OpenAPI document and the docs page, and the JSON
 * 404 for unknown paths (spec Appendix D 9: error bodies are always JSON).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '@liveface/protocol';
import { VERSION } from '@liveface/server';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, raw } from './helpers/rest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const metrics = async () => {
  const r = await raw(server.url, '/metrics', {});
  expect(r.status).toBe(200);
  return { text: r.body as string, type: r.headers.get('content-type') ?? '' };
};
/** The value of one sample line, e.g. `liveface_errors_total{code="x",channel="http"}`; null if absent. */
const sample = (text: string, name: string, labels: Record<string, string>) => {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.indexOf('}');
    const got = Object.fromEntries(
      [...line.slice(name.length + 1, close).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(close + 1).trim());
  }
  return null;
};

describe('GET /healthz', () => {
  it('answers ok and the version without credentials', async () => {
    const r = await raw(server.url, '/healthz', {});
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', version: VERSION });
  });
});

describe('GET /metrics', () => {
  it('is Prometheus text with the Liveface metrics', async () => {
    const { text, type } = await metrics();
    expect(type).toMatch(/^text\/plain/);
    for (const name of [
      'liveface_sessions',
      'liveface_ws_messages_total',
      'liveface_audio_buffered_seconds',
      'liveface_errors_total',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).toMatch(/^liveface_audio_buffered_seconds \d/m);
  });

  it('counts sessions by status', async () => {
    await server.createSession();
    await server.startSession();
    const { text } = await metrics();
    expect(sample(text, 'liveface_sessions', { status: 'created', mode: 'LITE' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'liveface_sessions', { status: 'active', mode: 'LITE' })).toBeGreaterThanOrEqual(1);
  });

  it('counts errors by stable code', async () => {
    const before =
      sample((await metrics()).text, 'liveface_errors_total', { code: 'invalid_api_key', channel: 'http' }) ??
      0;
    expectError(
      await server.api('/v1/avatars', { key: 'lf_wrong_key_000000000000000000000' }),
      'invalid_api_key',
    );
    expectError(
      await server.api('/v1/avatars', { key: 'lf_wrong_key_000000000000000000000' }),
      'invalid_api_key',
    );
    expectError(await server.api('/no/such/path'), 'not_found');
    const { text } = await metrics();
    expect(sample(text, 'liveface_errors_total', { code: 'invalid_api_key', channel: 'http' })).toBe(
      before + 2,
    );
    expect(
      sample(text, 'liveface_errors_total', { code: 'not_found', channel: 'http' }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1.0 document with the session, avatar and language paths', async () => {
    const r = await raw(server.url, '/openapi.json', {});
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(VERSION);
    const expected: [string, string][] = [
      ['/v1/sessions/token', 'post'],
      ['/v1/sessions/start', 'post'],
      ['/v1/sessions/stop', 'post'],
      ['/v1/sessions/keep-alive', 'post'],
      ['/v1/sessions', 'delete'],
      ['/v1/sessions', 'get'],
      ['/v1/sessions/{session_id}', 'get'],
      ['/v1/sessions/{session_id}/transcript', 'get'],
      ['/v1/avatars', 'get'],
      ['/v1/avatars/public', 'get'],
      ['/v1/avatars/{avatar_id}', 'get'],
      ['/v1/avatars/{avatar_id}', 'patch'],
      ['/v1/avatars/{avatar_id}', 'delete'],
      ['/v1/languages', 'get'],
    ];
    for (const [path, method] of expected)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });

  it('declares the two security schemes and uses them per endpoint', async () => {
    const doc = (await raw(server.url, '/openapi.json', {})).body;
    expect(doc.components.securitySchemes.APIKeyHeader).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-KEY',
    });
    expect(doc.components.securitySchemes.HTTPBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/sessions/token'].post.security).toEqual([{ APIKeyHeader: [] }]);
    expect(doc.paths['/v1/sessions/start'].post.security).toEqual(
      expect.arrayContaining([{ HTTPBearer: [] }]),
    );
    expect(doc.paths['/v1/languages'].get.security).toEqual([]);
    expect(doc.paths['/v1/avatars/public'].get.security).toEqual([]);
  });

  it('documents the error body with every stable code', async () => {
    const doc = (await raw(server.url, '/openapi.json', {})).body;
    const errSchema =
      doc.paths['/v1/sessions/token'].post.responses.default.content['application/json'].schema;
    expect(errSchema.properties.data.properties.error.enum.sort()).toEqual(Object.keys(ERRORS).sort());
  });
});

describe('GET /docs', () => {
  it('is an HTML page listing the endpoints', async () => {
    const r = await raw(server.url, '/docs', {});
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = r.body as string;
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('/v1/sessions/token');
    expect(html).toContain('/openapi.json');
  });
});

describe('unknown endpoints', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/v1/unknown'],
    ['POST', '/v1/sessions/restart'],
    ['DELETE', '/v1/sessions/stop'],
    ['GET', '/v1/sessions/a/b/c'],
  ])('%s %s → 404 JSON not_found', async (method, path) => {
    const r = await raw(server.url, path, { method });
    const err = expectError(r, 'not_found');
    expect(err.code).toBe(4040);
    expect(err.message).toContain(path);
  });

  it('error envelope codes are the HTTP status × 10 (never the success code 1000)', async () => {
    for (const [path, init, status] of [
      ['/v1/avatars', { key: null }, 401],
      ['/v1/sessions/token', { method: 'POST', body: { mode: 'LITE', avatar_id: 1 } }, 400],
      [
        '/v1/sessions/token',
        {
          method: 'POST',
          body: { mode: 'LITE', avatar_id: 'x', elevenlabs_agent_config: { secret_id: 's', agent_id: 'a' } },
        },
        501,
      ],
      ['/v1/sessions/no-such-session', {}, 404],
    ] as const) {
      const r = await server.api(path, init);
      expect(r.status).toBe(status);
      expect(r.body.code).toBe(status * 10);
    }
  });
});
