/**
 * GET /v1/sessions?type=active|historic (spec §3 #6, §4.7): the pagination envelope, page links, and
 * historic entries with their end reason. A server of its own, so the counts are exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { startTestServer, TEST_KEY, type TestServer } from './helpers/server.js';
import { expectError, expectOk } from './helpers/rest.js';

let server: TestServer;
/** created: never started; active: started; closed: stopped without a body; disconnected: stopped with a reason. */
let created: { sessionId: string };
let active: { sessionId: string };
let closed: { sessionId: string };
let disconnected: { sessionId: string };

beforeAll(async () => {
  server = await startTestServer();
  created = await server.createSession();
  active = await server.startSession();
  const c = await server.startSession();
  expect((await server.api('/v1/sessions/stop', { method: 'POST', token: c.token, key: null })).status).toBe(
    200,
  );
  closed = c;
  const d = await server.startSession();
  const r = await server.api('/v1/sessions/stop', {
    method: 'POST',
    token: d.token,
    key: null,
    body: { session_id: d.sessionId, reason: 'USER_DISCONNECTED' },
  });
  expect(r.status).toBe(200);
  disconnected = d;
});
afterAll(() => server.stop());

const list = async (query: string) => expectOk(await server.api(`/v1/sessions?${query}`));
const ids = (page: { results: { id: string }[] }) => page.results.map((e) => e.id).sort();

describe('listing', () => {
  it('type=active lists created and started sessions', async () => {
    const page = await list('type=active');
    expect(page.count).toBe(2);
    expect(page.next).toBeNull();
    expect(page.previous).toBeNull();
    expect(ids(page)).toEqual([created.sessionId, active.sessionId].sort());
    for (const e of page.results) {
      expect(e.mode).toBe('LITE');
      expect(e.source).toBe('API');
      expect('end_reason' in e).toBe(false);
    }
  });

  it('type=historic lists ended sessions with end_at and end_reason', async () => {
    const page = await list('type=historic');
    expect(page.count).toBe(2);
    expect(ids(page)).toEqual([closed.sessionId, disconnected.sessionId].sort());
    const byId = new Map(page.results.map((e: { id: string }) => [e.id, e]));
    expect(byId.get(closed.sessionId)).toMatchObject({ status: 'ended', end_reason: 'USER_CLOSED' });
    expect(byId.get(disconnected.sessionId)).toMatchObject({
      status: 'ended',
      end_reason: 'USER_DISCONNECTED',
    });
    for (const e of page.results) expect(typeof e.end_at).toBe('string');
  });

  it('avatar_id filters', async () => {
    expect((await list(`type=active&avatar_id=${SANDBOX_AVATAR_ID}`)).count).toBe(2);
    const none = await list('type=active&avatar_id=00000000-0000-4000-8000-000000000000');
    expect(none.count).toBe(0);
    expect(none.results).toEqual([]);
  });
});

describe('pagination', () => {
  it('page_size=1 pages through with next/previous links and a stable count', async () => {
    const first = await list('type=active&page_size=1');
    expect(first.count).toBe(2);
    expect(first.results).toHaveLength(1);
    expect(first.previous).toBeNull();
    expect(typeof first.next).toBe('string');
    const next = new URL(first.next);
    expect(next.origin).toBe(server.url);
    expect(next.pathname).toBe('/v1/sessions');
    expect(next.searchParams.get('type')).toBe('active');
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('page_size')).toBe('1');

    // Follow the link as a client would.
    const res = await fetch(first.next, { headers: { 'x-api-key': TEST_KEY } });
    const second = ((await res.json()) as { data: any }).data;
    expect(second.count).toBe(2);
    expect(second.results).toHaveLength(1);
    expect(second.next).toBeNull();
    expect(new URL(second.previous).searchParams.get('page')).toBe('1');
    expect(second.results[0].id).not.toBe(first.results[0].id);
    expect([first.results[0].id, second.results[0].id].sort()).toEqual(
      [created.sessionId, active.sessionId].sort(),
    );
  });

  it('a page past the end is empty and links back to the last page', async () => {
    const page = await list('type=historic&page=5&page_size=1');
    expect(page.count).toBe(2);
    expect(page.results).toEqual([]);
    expect(page.next).toBeNull();
    expect(new URL(page.previous).searchParams.get('page')).toBe('2');
  });

  it('lists newest first', async () => {
    const page = await list('type=historic');
    const times = page.results.map((e: { created_at: string }) => Date.parse(e.created_at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });
});

describe('bad queries → 400 invalid_request naming the parameter', () => {
  const cases: [string, string][] = [
    ['', 'type'],
    ['type=all', 'type'],
    ['type=active&page=0', 'page'],
    ['type=active&page=abc', 'page'],
    ['type=active&page_size=0', 'page_size'],
    ['type=active&page_size=101', 'page_size'],
  ];
  it.each(cases)('?%s', async (query, field) => {
    const err = expectError(await server.api(`/v1/sessions?${query}`), 'invalid_request');
    expect(err.data.field).toBe(field);
    expect(err.message).toContain(field);
  });
});
