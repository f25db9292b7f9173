/**
 * Deleting an avatar ends its live sessions with AVATAR_DELETED (spec §4.4), and only those: sessions of
 * other avatars, and sessions that had already ended, are left as they were. The only built-in avatar
 * a session may be created with here is the sandbox one, which cannot be deleted, so each test adds
 * its own avatar row through the store first.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { seedBuiltins } from '../packages/server/src/store/avatars.js';
import { startTestServer, type LiteClient, type TestServer } from './helpers/server.js';
import { connect, expectWellFormed, ofType } from './helpers/lite.js';
import { expectError, expectOk } from './helpers/rest.js';

let server: TestServer;
const clients: LiteClient[] = [];
const track = (c: LiteClient) => (clients.push(c), c);

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => server.stop());

/** Adds an avatar row (as the store seeds built-ins) and returns its id. */
async function addAvatar(name: string): Promise<string> {
  const id = randomUUID();
  await seedBuiltins(server.db, [{ id, name }], Date.now());
  expectOk(await server.api(`/v1/avatars/${id}`));
  return id;
}

const record = async (id: string) => expectOk(await server.api(`/v1/sessions/${id}`));

it('ends the live sessions of a deleted avatar with AVATAR_DELETED and closes their sockets', async () => {
  const avatarId = await addAvatar('Lifecycle avatar');
  const active = await server.startSession({ avatar_id: avatarId });
  const created = await server.createSession({ avatar_id: avatarId });
  const other = await server.startSession(); // the sandbox avatar
  const c = track(await connect(active.wsUrl));
  const bystander = track(await connect(other.wsUrl));

  expectOk(await server.api(`/v1/avatars/${avatarId}`, { method: 'DELETE' }));

  // The deletion answers once the sessions are ended.
  for (const id of [active.sessionId, created.sessionId]) {
    const rec = await record(id);
    expect(rec, id).toMatchObject({ status: 'ended', end_reason: 'AVATAR_DELETED', avatar_id: avatarId });
    expect(typeof rec.end_at).toBe('string');
  }
  expect(await c.closed(10_000)).toBe(1000);
  const states = ofType(c, 'session.state_updated');
  expect(states.map((e) => e.state)).toEqual(['connected', 'closing', 'closed']);
  expect(states.slice(1).map((e) => e.reason)).toEqual(['AVATAR_DELETED', 'AVATAR_DELETED']);
  expectWellFormed(c);

  // The other avatar's session is untouched.
  expect(await record(other.sessionId)).toMatchObject({ status: 'active' });
  expect(bystander.closeCode).toBeNull();
  expect(ofType(bystander, 'session.state_updated')).toHaveLength(1);

  // Historic listing shows both with the reason; the ended sessions cannot be revived.
  const historic = expectOk(
    await server.api(`/v1/sessions?type=historic&avatar_id=${avatarId}&page_size=100`),
  );
  expect(historic.results.map((r: any) => [r.id, r.end_reason]).sort()).toEqual(
    [
      [active.sessionId, 'AVATAR_DELETED'],
      [created.sessionId, 'AVATAR_DELETED'],
    ].sort(),
  );
  expectError(
    await server.api('/v1/sessions/start', { method: 'POST', token: created.token, key: null }),
    'session_ended',
  );

  // The avatar is gone for new sessions.
  expectError(await server.api(`/v1/avatars/${avatarId}`), 'avatar_not_found');
  expectError(
    await server.api('/v1/sessions/token', { body: { mode: 'LITE', avatar_id: avatarId } }),
    'avatar_not_found',
  );
  expectOk(await server.api('/v1/sessions/stop', { body: { session_id: other.sessionId } }));
});

it('leaves the reason of sessions that had already ended', async () => {
  const avatarId = await addAvatar('Short-lived avatar');
  const stopped = await server.startSession({ avatar_id: avatarId });
  expectOk(
    await server.api('/v1/sessions/stop', { body: { session_id: stopped.sessionId, reason: 'USER_CLOSED' } }),
  );
  const live = await server.startSession({ avatar_id: avatarId });

  expectOk(await server.api(`/v1/avatars/${avatarId}`, { method: 'DELETE' }));

  expect(await record(stopped.sessionId)).toMatchObject({ status: 'ended', end_reason: 'USER_CLOSED' });
  expect(await record(live.sessionId)).toMatchObject({ status: 'ended', end_reason: 'AVATAR_DELETED' });
});
