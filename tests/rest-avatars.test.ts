/**
 * Avatars and languages (spec §3 #10–12, #25, §6.1): the sandbox avatar is listed with the AvatarSchema
 * fields, can be read and renamed but not deleted; other avatars delete softly; languages need no key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Avatar, SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { seedBuiltins } from '../packages/server/src/store/avatars.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, expectOk } from './helpers/rest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const AVATAR_FIELDS = [
  'id',
  'type',
  'status',
  'name',
  'preview_url',
  'is_expired',
  'default_voice',
  'is_1080p',
  'created_at',
  'updated_at',
  'error_message',
];

/** Asserts `a` is a well-formed AvatarSchema entry. */
function expectAvatar(a: any): void {
  for (const f of AVATAR_FIELDS) expect(a, f).toHaveProperty(f);
  const parsed = Avatar.safeParse(a);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  expect(new Date(a.created_at).toISOString()).toBe(a.created_at);
}

describe('listing avatars', () => {
  it('GET /v1/avatars (API key) lists the sandbox avatar', async () => {
    const page = expectOk(await server.api('/v1/avatars'));
    expect(page).toMatchObject({ next: null, previous: null });
    expect(page.count).toBeGreaterThanOrEqual(1);
    const wayne = page.results.find((a: { id: string }) => a.id === SANDBOX_AVATAR_ID);
    expect(wayne).toBeDefined();
    expectAvatar(wayne);
    expect(wayne.status).toBe('ACTIVE');
    expect(wayne.is_expired).toBe(false);
  });

  it('GET /v1/avatars/public needs no key and lists the sandbox avatar', async () => {
    const page = expectOk(await server.api('/v1/avatars/public', { key: null }));
    const wayne = page.results.find((a: { id: string }) => a.id === SANDBOX_AVATAR_ID);
    expect(wayne).toBeDefined();
    expectAvatar(wayne);
    expect(wayne.status).toBe('ACTIVE');
  });

  it('GET /v1/avatars/public also works when a key is sent (as some clients do)', async () => {
    const page = expectOk(await server.api('/v1/avatars/public'));
    expect(page.results.some((a: { id: string }) => a.id === SANDBOX_AVATAR_ID)).toBe(true);
  });

  it('pagination parameters are validated', async () => {
    const err = expectError(await server.api('/v1/avatars?page_size=500'), 'invalid_request');
    expect(err.data.field).toBe('page_size');
    const empty = expectOk(await server.api('/v1/avatars?page=99'));
    expect(empty.results).toEqual([]);
  });
});

describe('one avatar', () => {
  it('GET /v1/avatars/{id} shows it', async () => {
    const a = expectOk(await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`));
    expect(a.id).toBe(SANDBOX_AVATAR_ID);
    expectAvatar(a);
  });

  it('PATCH renames it and the new name shows everywhere', async () => {
    const before = expectOk(await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`));
    const patched = expectOk(
      await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`, {
        method: 'PATCH',
        body: { name: 'Wayne (test)' },
      }),
    );
    expect(patched.name).toBe('Wayne (test)');
    expectAvatar(patched);
    expect(Date.parse(patched.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.updated_at));
    expect(expectOk(await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`)).name).toBe('Wayne (test)');
    const pub = expectOk(await server.api('/v1/avatars/public', { key: null }));
    expect(pub.results.find((a: { id: string }) => a.id === SANDBOX_AVATAR_ID).name).toBe('Wayne (test)');
    // Put the name back.
    expectOk(
      await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`, { method: 'PATCH', body: { name: before.name } }),
    );
  });

  it('PATCH with an invalid name → 400 invalid_request naming name', async () => {
    const err = expectError(
      await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`, { method: 'PATCH', body: { name: '' } }),
      'invalid_request',
    );
    expect(err.data.field).toBe('name');
    const err2 = expectError(
      await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`, { method: 'PATCH', body: { name: 42 } }),
      'invalid_request',
    );
    expect(err2.data.field).toBe('name');
  });

  it('PATCH with an empty body changes nothing', async () => {
    const before = expectOk(await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`));
    const after = expectOk(
      await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`, { method: 'PATCH', body: {} }),
    );
    expect(after.name).toBe(before.name);
  });

  it('DELETE of the sandbox avatar → 409 avatar_protected, and it is still there', async () => {
    expectError(
      await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`, { method: 'DELETE' }),
      'avatar_protected',
    );
    expectOk(await server.api(`/v1/avatars/${SANDBOX_AVATAR_ID}`));
    await expect(server.createSession()).resolves.toHaveProperty('sessionId');
  });

  it.each([
    ['GET', undefined],
    ['PATCH', { name: 'x' }],
    ['DELETE', undefined],
  ] as const)('%s of an unknown id → 404 avatar_not_found', async (method, body) => {
    const r = await server.api('/v1/avatars/00000000-0000-4000-8000-000000000000', { method, body });
    expectError(r, 'avatar_not_found');
  });
});

describe('deleting another avatar', () => {
  const OTHER = '11111111-2222-4333-8444-555555555555';

  it('deletes softly: gone from reads and lists, refused for new sessions, live sessions end with AVATAR_DELETED', async () => {
    await seedBuiltins(server.db, [{ id: OTHER, name: 'Disposable' }], Date.now());
    expectOk(await server.api(`/v1/avatars/${OTHER}`));
    const live = await server.startSession({ avatar_id: OTHER });

    expect(expectOk(await server.api(`/v1/avatars/${OTHER}`, { method: 'DELETE' }))).toBeNull();

    expectError(await server.api(`/v1/avatars/${OTHER}`), 'avatar_not_found');
    expectError(await server.api(`/v1/avatars/${OTHER}`, { method: 'DELETE' }), 'avatar_not_found');
    const page = expectOk(await server.api('/v1/avatars?page_size=100'));
    expect(page.results.some((a: { id: string }) => a.id === OTHER)).toBe(false);
    expectError(
      await server.api('/v1/sessions/token', { method: 'POST', body: { mode: 'LITE', avatar_id: OTHER } }),
      'avatar_not_found',
    );
    const entry = expectOk(await server.api(`/v1/sessions/${live.sessionId}`));
    expect(entry.status).toBe('ended');
    expect(entry.end_reason).toBe('AVATAR_DELETED');
  });
});

describe('GET /v1/languages', () => {
  it('needs no key and lists {language: "English", code: "en"}', async () => {
    const r = await server.api('/v1/languages', { key: null });
    const data = expectOk(r);
    expect(Array.isArray(data)).toBe(true);
    expect(data).toContainEqual({ language: 'English', code: 'en' });
    for (const l of data) {
      expect(Object.keys(l).sort()).toEqual(['code', 'language']);
      expect(typeof l.language).toBe('string');
      expect(typeof l.code).toBe('string');
    }
    expect(new Set(data.map((l: { code: string }) => l.code)).size).toBe(data.length);
  });
});
