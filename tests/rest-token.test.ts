/**
 * POST /v1/sessions/token: the request shapes real clients send (spec §4.1, §14) are accepted, the token
 * is a JWT the web SDK can decode (§4.2), and bad requests get a JSON error naming the problem (§2.2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { startTestServer, TEST_KEY, type TestServer } from './helpers/server.js';
import { expectError, expectOk, jwtPayload, raw } from './helpers/rest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const token = (body: unknown) => server.api('/v1/sessions/token', { method: 'POST', body });

describe('token requests that must be accepted', () => {
  const variants: [string, Record<string, unknown>][] = [
    [
      'Pipecat body (video_settings VP8/high, is_sandbox)',
      {
        mode: 'LITE',
        avatar_id: SANDBOX_AVATAR_ID,
        is_sandbox: true,
        video_settings: { encoding: 'VP8', quality: 'high' },
      },
    ],
    [
      'LiveKit plugin body (livekit_config OAS shape, top-level video_quality)',
      {
        mode: 'LITE',
        avatar_id: SANDBOX_AVATAR_ID,
        is_sandbox: false,
        livekit_config: {
          livekit_room: 'room-1',
          livekit_url: 'wss://lk.example',
          livekit_client_token: 'lk-jwt',
        },
        video_quality: 'high',
      },
    ],
    [
      'docs-shape livekit_config {url, token}',
      {
        mode: 'LITE',
        avatar_id: SANDBOX_AVATAR_ID,
        livekit_config: { url: 'wss://lk.example', token: 'lk-jwt' },
      },
    ],
    ['legacy mode "CUSTOM"', { mode: 'CUSTOM', avatar_id: SANDBOX_AVATAR_ID }],
    ['mode omitted', { avatar_id: SANDBOX_AVATAR_ID }],
    [
      'unknown extra fields',
      {
        mode: 'LITE',
        avatar_id: SANDBOX_AVATAR_ID,
        flavour: 'vanilla',
        nested: { a: [1, 2] },
        avatar_persona_x: null,
      },
    ],
    ['max_session_duration', { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: 120 }],
    ['top-level video_encoding', { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, video_encoding: 'H264' }],
    [
      'starter body (video_settings H264, max_session_duration)',
      {
        mode: 'LITE',
        avatar_id: SANDBOX_AVATAR_ID,
        is_sandbox: true,
        video_settings: { quality: 'high', encoding: 'H264' },
        max_session_duration: 600,
      },
    ],
    [
      'null optional fields',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, video_settings: null, livekit_config: null },
    ],
  ];

  it.each(variants)('%s', async (_name, body) => {
    const data = expectOk(await token(body));
    expect(data.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof data.session_token).toBe('string');
    const claims = jwtPayload(data.session_token);
    expect(claims.start_session_data.mode).toBe('LITE');
    expect(claims.start_session_data.avatar_id).toBe(SANDBOX_AVATAR_ID);
    expect(claims.start_session_data.is_sandbox).toBe(body.is_sandbox === true);
  });

  it('answers {code: 1000, message: "success", data: {session_id, session_token}} with HTTP 200', async () => {
    const r = await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body.code).toBe(1000);
    expect(r.body.message).toBe('success');
    expect(Object.keys(r.body.data).sort()).toEqual(['session_id', 'session_token']);
  });

  it('each request creates a new session with its own token', async () => {
    const a = expectOk(await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID }));
    const b = expectOk(await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID }));
    expect(a.session_id).not.toBe(b.session_id);
    expect(a.session_token).not.toBe(b.session_token);
  });
});

describe('session token (JWT)', () => {
  it('is three base64url parts whose payload the web SDK can read', async () => {
    const before = Math.floor(Date.now() / 1000);
    const data = expectOk(await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, is_sandbox: true }));
    const parts = data.session_token.split('.');
    expect(parts).toHaveLength(3);
    for (const p of parts) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);

    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    expect(header.typ).toBe('JWT');

    const claims = jwtPayload(data.session_token);
    expect(claims.start_session_data).toMatchObject({
      mode: 'LITE',
      avatar_id: SANDBOX_AVATAR_ID,
      is_sandbox: true,
    });
    expect(claims.session_id).toBe(data.session_id);
    expect(Number.isInteger(claims.exp)).toBe(true);
    expect(claims.exp).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(claims.iat).toBeGreaterThanOrEqual(before - 1);
    expect(claims.exp).toBeGreaterThan(claims.iat);
  });

  it('lives for idle timeout + max_session_duration + 300 s', async () => {
    const data = expectOk(
      await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: 120 }),
    );
    const claims = jwtPayload(data.session_token);
    expect(claims.exp - claims.iat).toBe(server.config.idleTimeoutS + 120 + 300);
  });

  it('of a sandbox session covers the 60 s sandbox duration', async () => {
    const data = expectOk(await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, is_sandbox: true }));
    const claims = jwtPayload(data.session_token);
    expect(claims.exp - claims.iat).toBe(server.config.idleTimeoutS + 60 + 300);
  });
});

describe('malformed bodies', () => {
  it('invalid JSON → 400 invalid_json', async () => {
    const r = await server.api('/v1/sessions/token', {
      method: 'POST',
      body: '{"mode": "LITE", "avatar_id": ',
    });
    expectError(r, 'invalid_json');
  });

  it('invalid JSON without a content type → 400 invalid_json', async () => {
    const r = await raw(server.url, '/v1/sessions/token', {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEY },
      body: 'not json',
    });
    expectError(r, 'invalid_json');
  });

  it('a JSON array body → 400 invalid_request', async () => {
    const r = await token([{ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID }]);
    expectError(r, 'invalid_request');
  });

  it('a JSON string body → 400 invalid_request', async () => {
    const r = await server.api('/v1/sessions/token', { method: 'POST', body: JSON.stringify('LITE') });
    expectError(r, 'invalid_request');
  });

  it('a JSON null / number body → 400 invalid_request', async () => {
    expectError(await server.api('/v1/sessions/token', { method: 'POST', body: 'null' }), 'invalid_request');
    expectError(await server.api('/v1/sessions/token', { method: 'POST', body: '42' }), 'invalid_request');
  });

  it('no body at all → 400 invalid_request naming avatar_id', async () => {
    const r = await raw(server.url, '/v1/sessions/token', {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEY },
    });
    const body = expectError(r, 'invalid_request');
    expect(body.data.field).toBe('avatar_id');
  });

  it('a body above 1 MiB → 413 payload_too_large', async () => {
    const big = JSON.stringify({
      mode: 'LITE',
      avatar_id: SANDBOX_AVATAR_ID,
      padding: 'x'.repeat(1024 * 1024 + 10),
    });
    const r = await server.api('/v1/sessions/token', { method: 'POST', body: big });
    expectError(r, 'payload_too_large');
  });

  it('a body just under 1 MiB is read normally', async () => {
    const base = JSON.stringify({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, padding: '' });
    const padded = JSON.stringify({
      mode: 'LITE',
      avatar_id: SANDBOX_AVATAR_ID,
      padding: 'x'.repeat(1024 * 1024 - base.length - 16),
    });
    expect(Buffer.byteLength(padded)).toBeLessThan(1024 * 1024);
    expectOk(await server.api('/v1/sessions/token', { method: 'POST', body: padded }));
  });
});

describe('invalid fields → 400 invalid_request naming the field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['avatar_id as a number', { mode: 'LITE', avatar_id: 12345 }, 'avatar_id'],
    ['avatar_id missing', { mode: 'LITE' }, 'avatar_id'],
    ['avatar_id empty', { mode: 'LITE', avatar_id: '' }, 'avatar_id'],
    ['is_sandbox "yes"', { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, is_sandbox: 'yes' }, 'is_sandbox'],
    [
      'max_session_duration -1',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: -1 },
      'max_session_duration',
    ],
    [
      'max_session_duration 0',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: 0 },
      'max_session_duration',
    ],
    [
      'max_session_duration 1.5',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: 1.5 },
      'max_session_duration',
    ],
    [
      'max_session_duration "60"',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: '60' },
      'max_session_duration',
    ],
    [
      'video_settings.quality "ultra"',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, video_settings: { quality: 'ultra' } },
      'video_settings.quality',
    ],
    [
      'video_settings.encoding "AV1"',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, video_settings: { encoding: 'AV1' } },
      'video_settings.encoding',
    ],
    [
      'top-level video_quality "4k"',
      { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, video_quality: '4k' },
      'video_quality',
    ],
    [
      'livekit_config missing its token',
      {
        mode: 'LITE',
        avatar_id: SANDBOX_AVATAR_ID,
        livekit_config: { livekit_url: 'wss://x', livekit_room: 'r' },
      },
      'livekit_config',
    ],
  ];

  it.each(cases)('%s', async (_name, body, field) => {
    const err = expectError(await token(body), 'invalid_request');
    expect(err.data.field).toBe(field);
    expect(err.message).toContain(field);
    expect(Array.isArray(err.data.issues)).toBe(true);
    expect(err.data.issues.map((i: { field: string }) => i.field)).toContain(field);
  });

  it('an unknown mode → 400 invalid_request naming mode', async () => {
    const err = expectError(await token({ mode: 'TURBO', avatar_id: SANDBOX_AVATAR_ID }), 'invalid_request');
    expect(err.data.field).toBe('mode');
    expect(err.message).toContain('mode');
  });

  it('lists every bad field when there are several', async () => {
    const err = expectError(
      await token({ mode: 'LITE', avatar_id: 1, is_sandbox: 'yes' }),
      'invalid_request',
    );
    const fields = err.data.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['avatar_id', 'is_sandbox']));
    expect(err.message).toContain('avatar_id');
    expect(err.message).toContain('is_sandbox');
  });
});

describe('requests refused by policy', () => {
  it('FULL mode with a context that does not exist → 404 context_not_found naming the field', async () => {
    const r = await token({
      mode: 'FULL',
      avatar_id: SANDBOX_AVATAR_ID,
      avatar_persona: { voice_id: 'c2527536-6d1f-4412-a643-53a3497dada9', context_id: 'ctx', language: 'en' },
      interactivity_type: 'PUSH_TO_TALK',
      is_sandbox: true,
    });
    expect(expectError(r, 'context_not_found').data.field).toBe('avatar_persona.context_id');
  });

  it('a body without mode but with avatar_persona is FULL: a FULL token', async () => {
    const r = await token({ avatar_id: SANDBOX_AVATAR_ID, avatar_persona: { language: 'en' } });
    expect(jwtPayload(expectOk(r).session_token).start_session_data.mode).toBe('FULL');
  });

  it('a LITE connector config → 501 mode_not_supported naming the field', async () => {
    const r = await token({
      mode: 'LITE',
      avatar_id: SANDBOX_AVATAR_ID,
      elevenlabs_agent_config: { secret_id: 's', agent_id: 'a' },
    });
    const err = expectError(r, 'mode_not_supported');
    expect(err.data.field).toBe('elevenlabs_agent_config');
  });

  it('sandbox with another avatar → 400 sandbox_avatar_required', async () => {
    const r = await token({
      mode: 'LITE',
      avatar_id: '65f9e3c9-d48b-4118-b73a-4ae2e3cbb8f0',
      is_sandbox: true,
    });
    const err = expectError(r, 'sandbox_avatar_required');
    expect(err.data.field).toBe('avatar_id');
    expect(err.message).toContain(SANDBOX_AVATAR_ID);
  });

  it('an unknown avatar → 404 avatar_not_found', async () => {
    const r = await token({ mode: 'LITE', avatar_id: '00000000-0000-4000-8000-000000000000' });
    const err = expectError(r, 'avatar_not_found');
    expect(err.data.field).toBe('avatar_id');
  });

  it('max_session_duration above the limit → 400 max_session_duration_exceeded', async () => {
    const limit = server.config.maxSessionDurationS;
    const err = expectError(
      await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: limit + 1 }),
      'max_session_duration_exceeded',
    );
    expect(err.data.field).toBe('max_session_duration');
    expect(err.message).toContain(String(limit));
  });

  it('max_session_duration exactly at the limit is accepted', async () => {
    const limit = server.config.maxSessionDurationS;
    expectOk(await token({ mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, max_session_duration: limit }));
  });
});
