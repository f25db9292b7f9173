/**
 * Session timeouts on an injected ManualClock (spec §4.4 end reasons, §10 timeouts, §11 sandbox): the
 * idle timeout and what pushes it back (REST and WS keep-alive, audio playing), never-started sessions,
 * max_session_duration and the sandbox limit, and what a connected LITE socket sees when a session ends.
 *
 * Time only moves when a test advances the clock; the server, its sockets and SQLite are real. The
 * server pings each socket every 30 s of clock and drops it if the pong has not arrived by the next
 * ping, so while a socket is open the clock moves in steps of at most 10 s with a socket round trip
 * after each (which also delivers every event that step produced).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { ManualClock } from '@liveface/server';
import { pcmBase64, startTestServer, type LiteClient, type TestServer } from './helpers/server.js';
import { connect, expectWellFormed, ofType, sleep } from './helpers/lite.js';
import { expectError, expectOk } from './helpers/rest.js';

const SOCKET_STEP_MS = 10_000;

let clock: ManualClock;
let server: TestServer;
const clients: LiteClient[] = [];
const track = (c: LiteClient) => (clients.push(c), c);

beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({ idleTimeoutS: 300 }, { clock });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => server.stop());

/** Socket still open (not closed by either side). */
const isOpen = (c: LiteClient) => c.closeCode === null && c.ws.readyState === c.ws.OPEN;

/**
 * Round trip through the socket (ping answered by pong); resolves early if the socket closes meanwhile.
 * Everything the server wrote before it read the ping has been received once this resolves.
 */
function sync(c: LiteClient): Promise<void> {
  if (!isOpen(c)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(t);
      c.ws.off('pong', done);
      c.ws.off('close', done);
      resolve();
    };
    const t = setTimeout(() => reject(new Error('no pong within 10 s')), 10_000);
    c.ws.once('pong', done);
    c.ws.once('close', done);
    c.ws.ping();
  });
}

/**
 * Advances `clk` by `ms`. With open sockets: in steps of at most 10 s, each followed by two round trips
 * per socket (the first delivers the step's events and makes the client answer any server ping, the
 * second makes sure the server has read that pong). Without: in one go, then a turn of the event loop.
 */
async function advance(ms: number, sockets: LiteClient[] = [], clk: ManualClock = clock): Promise<void> {
  let left = ms;
  while (left > 0) {
    const step = sockets.some(isOpen) ? Math.min(left, SOCKET_STEP_MS) : left;
    clk.advance(step);
    left -= step;
    await new Promise((r) => setImmediate(r));
    for (const c of sockets) {
      await sync(c);
      await sync(c);
    }
  }
}

/** GET /v1/sessions/{id} with the API key. */
async function session(id: string, on: TestServer = server): Promise<any> {
  return expectOk(await on.api(`/v1/sessions/${id}`));
}

/** Waits (real time, generous) until the session's record says ended; returns the record. */
async function waitEnded(id: string, on: TestServer = server): Promise<any> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const s = await session(id, on);
    if (s.status === 'ended') return s;
    if (performance.now() > deadline) throw new Error(`session ${id} did not end: ${JSON.stringify(s)}`);
    await sleep(20);
  }
}

/** Asserts the session is still live (status `status`) and has no end data. */
async function expectLive(
  id: string,
  status: 'active' | 'created' = 'active',
  on: TestServer = server,
): Promise<void> {
  const s = await session(id, on);
  expect(s.status, JSON.stringify(s)).toBe(status);
  expect(s.end_reason).toBeUndefined();
}

/** Asserts an ended record: reason and end time (ms since epoch on the server clock). */
function expectEndedAt(rec: any, reason: string, atMs: number): void {
  expect(rec.status).toBe('ended');
  expect(rec.end_reason).toBe(reason);
  expect(Date.parse(rec.end_at)).toBe(atMs);
}

/** The socket was told `closing` then `closed` (with `reason`) as its last state events, then closed with 1000. */
async function expectClosedBySession(c: LiteClient, reason: string): Promise<void> {
  const code = await c.closed(15_000);
  const states = ofType(c, 'session.state_updated');
  expect(states.map((e) => e.state)).toEqual(['connected', 'closing', 'closed']);
  expect(states[1]!.reason).toBe(reason);
  expect(states[2]!.reason).toBe(reason);
  expect(c.events.at(-1)).toMatchObject({ type: 'session.state_updated', state: 'closed' });
  expect(code).toBe(1000);
  expectWellFormed(c);
}

/** Listing entry of `id` in `GET /v1/sessions?type=…`, if any. */
async function listed(type: 'active' | 'historic', id: string, on: TestServer = server): Promise<any> {
  const data = expectOk(await on.api(`/v1/sessions?type=${type}&page_size=100`));
  return data.results.find((r: any) => r.id === id);
}

describe('idle timeout (300 s)', () => {
  it('ends a started session after 300 s without activity, not before, and closes its socket', async () => {
    const s = await server.startSession();
    const t0 = clock.now();
    const c = track(await connect(s.wsUrl));

    await advance(299_000, [c]);
    await expectLive(s.sessionId);
    expect(await listed('active', s.sessionId)).toBeDefined();
    expect(c.closeCode).toBeNull();
    expect(ofType(c, 'session.state_updated')).toHaveLength(1);

    await advance(1_000, [c]);
    const rec = await waitEnded(s.sessionId);
    expectEndedAt(rec, 'IDLE_TIMEOUT', t0 + 300_000);
    await expectClosedBySession(c, 'IDLE_TIMEOUT');
    expect(await listed('active', s.sessionId)).toBeUndefined();
    expect(await listed('historic', s.sessionId)).toMatchObject({ end_reason: 'IDLE_TIMEOUT' });
  });

  it('a REST keep-alive at 200 s pushes the deadline to 500 s', async () => {
    const s = await server.startSession();
    const t0 = clock.now();
    await advance(200_000);
    expectOk(await server.api('/v1/sessions/keep-alive', { body: { session_id: s.sessionId } }));

    await advance(200_000); // 400 s: past the original deadline
    await expectLive(s.sessionId);
    await advance(99_000); // 499 s
    await expectLive(s.sessionId);
    await advance(2_000); // 501 s
    expectEndedAt(await waitEnded(s.sessionId), 'IDLE_TIMEOUT', t0 + 500_000);
  });

  it('a REST keep-alive with the session token works the same', async () => {
    const s = await server.startSession();
    const t0 = clock.now();
    await advance(250_000);
    expectOk(await server.api('/v1/sessions/keep-alive', { method: 'POST', token: s.token, key: null }));
    await advance(299_000); // 549 s
    await expectLive(s.sessionId);
    await advance(2_000);
    expectEndedAt(await waitEnded(s.sessionId), 'IDLE_TIMEOUT', t0 + 550_000);
  });

  it('a WebSocket session.keep_alive at 200 s pushes the deadline to 500 s', async () => {
    const s = await server.startSession();
    const t0 = clock.now();
    const c = track(await connect(s.wsUrl));
    await advance(200_000, [c]);
    c.send({ type: 'session.keep_alive', event_id: 'ka-1' });
    // The keep-alive is recorded (updated_at moves to the clock time): the server has handled it.
    const deadline = performance.now() + 10_000;
    while (Date.parse((await session(s.sessionId)).updated_at) !== t0 + 200_000) {
      if (performance.now() > deadline) throw new Error('the WS keep-alive was not recorded');
      await sleep(20);
    }
    expect(ofType(c, 'error')).toEqual([]);

    await advance(200_000, [c]); // 400 s
    await expectLive(s.sessionId);
    expect(c.closeCode).toBeNull();
    await advance(99_000, [c]); // 499 s
    await expectLive(s.sessionId);
    await advance(2_000, [c]); // 501 s
    expectEndedAt(await waitEnded(s.sessionId), 'IDLE_TIMEOUT', t0 + 500_000);
    await expectClosedBySession(c, 'IDLE_TIMEOUT');
  });

  it('a session created but never started ends with IDLE_TIMEOUT too', async () => {
    const s = await server.createSession();
    const t0 = clock.now();
    await advance(299_000);
    await expectLive(s.sessionId, 'created');
    await advance(1_000);
    const rec = await waitEnded(s.sessionId);
    expectEndedAt(rec, 'IDLE_TIMEOUT', t0 + 300_000);
    expect(rec.duration).toBe(0);
    expectError(
      await server.api('/v1/sessions/start', { method: 'POST', token: s.token, key: null }),
      'session_ended',
    );
  });
});

describe('talking holds off the idle timeout (idle 5 s)', () => {
  let quick: TestServer;
  let quickClock: ManualClock;
  beforeAll(async () => {
    quickClock = new ManualClock();
    quick = await startTestServer({ idleTimeoutS: 5 }, { clock: quickClock });
  });
  afterAll(() => quick.stop());

  it('without audio, a started session ends after 5 s', async () => {
    const s = await quick.startSession();
    const t0 = quickClock.now();
    quickClock.advance(4_960);
    await expectLive(s.sessionId, 'active', quick);
    quickClock.advance(40);
    expectEndedAt(await waitEnded(s.sessionId, quick), 'IDLE_TIMEOUT', t0 + 5_000);
  });

  it('a 10 s clip keeps the session alive while it plays; it ends 5 s after the audio stops', async () => {
    const s = await quick.startSession();
    const c = track(await connect(s.wsUrl));
    for (let i = 0; i < 10; i++) c.send({ type: 'agent.speak', event_id: 'long', audio: pcmBase64(1000) });
    c.send({ type: 'agent.speak_end', event_id: 'long' });
    await c.waitType('agent.audio_buffer_committed', 10_000);
    const t0 = quickClock.now();

    // Play 9 s (the frames tick every 40 ms of clock): well past the 5 s idle window, the avatar is still talking.
    for (let t = 0; t < 9_000; t += 200) {
      quickClock.advance(200);
      await sync(c);
    }
    await expectLive(s.sessionId, 'active', quick);
    expect(ofType(c, 'agent.speak_started')).toHaveLength(1);
    expect(ofType(c, 'agent.speak_ended')).toHaveLength(0);
    expect(c.closeCode).toBeNull();

    // Play on until the clip has ended.
    while (ofType(c, 'agent.speak_ended').length === 0) {
      expect(quickClock.now() - t0, 'the 10 s clip should end by 10.2 s').toBeLessThanOrEqual(10_200);
      quickClock.advance(40);
      await sync(c);
    }
    const audioEnd = quickClock.now();
    expect(audioEnd - t0).toBeGreaterThanOrEqual(10_000);

    // Idle from here: still live 4.8 s later, ended 5 s (plus at most a frame) after the audio stopped.
    for (let t = 0; t < 4_800; t += 200) {
      quickClock.advance(200);
      await sync(c);
    }
    await expectLive(s.sessionId, 'active', quick);
    expect(c.closeCode).toBeNull();
    quickClock.advance(400);
    const rec = await waitEnded(s.sessionId, quick);
    expect(rec.end_reason).toBe('IDLE_TIMEOUT');
    const endAt = Date.parse(rec.end_at);
    expect(endAt).toBeGreaterThan(audioEnd + 4_800);
    expect(endAt).toBeLessThanOrEqual(audioEnd + 5_040);
    await expectClosedBySession(c, 'IDLE_TIMEOUT');
    expect(ofType(c, 'error')).toEqual([]);
  });
});

describe('max_session_duration and sandbox', () => {
  it('ends at max_session_duration (120 s) with MAX_DURATION_REACHED despite keep-alives', async () => {
    const s = await server.startSession({ max_session_duration: 120 });
    expect(s.maxSessionDuration).toBe(120);
    const t0 = clock.now();
    const c = track(await connect(s.wsUrl));
    for (let i = 0; i < 11; i++) {
      await advance(10_000, [c]); // 10 … 110 s
      if (i % 2 === 0)
        expectOk(await server.api('/v1/sessions/keep-alive', { body: { session_id: s.sessionId } }));
      else c.send({ type: 'session.keep_alive', event_id: `ka-${i}` });
    }
    await advance(9_000, [c]); // 119 s
    await expectLive(s.sessionId);
    expect(c.closeCode).toBeNull();

    await advance(1_000, [c]); // 120 s
    const rec = await waitEnded(s.sessionId);
    expectEndedAt(rec, 'MAX_DURATION_REACHED', t0 + 120_000);
    expect(rec.duration).toBe(120);
    await expectClosedBySession(c, 'MAX_DURATION_REACHED');
    expect(ofType(c, 'error')).toEqual([]);
    // Once ended, keep-alive is refused.
    expectError(
      await server.api('/v1/sessions/keep-alive', { body: { session_id: s.sessionId } }),
      'session_ended',
    );
  });

  it('sandbox sessions last 60 s and end with MAX_DURATION_REACHED, whatever was asked', async () => {
    const s = await server.startSession({
      is_sandbox: true,
      avatar_id: SANDBOX_AVATAR_ID,
      max_session_duration: 600,
    });
    expect(s.maxSessionDuration).toBe(60);
    const t0 = clock.now();
    const c = track(await connect(s.wsUrl));
    await advance(30_000, [c]);
    c.send({ type: 'session.keep_alive', event_id: 'ka' });
    await advance(29_000, [c]); // 59 s
    await expectLive(s.sessionId);
    expect((await session(s.sessionId)).is_sandbox).toBe(true);

    await advance(1_000, [c]); // 60 s
    expectEndedAt(await waitEnded(s.sessionId), 'MAX_DURATION_REACHED', t0 + 60_000);
    await expectClosedBySession(c, 'MAX_DURATION_REACHED');
    expect(await listed('historic', s.sessionId)).toMatchObject({
      is_sandbox: true,
      end_reason: 'MAX_DURATION_REACHED',
    });
  });

  it('the first reason wins: a session stopped before its deadline keeps USER_CLOSED', async () => {
    const s = await server.startSession({ max_session_duration: 30 });
    const t0 = clock.now();
    await advance(10_000);
    expectOk(
      await server.api('/v1/sessions/stop', { body: { session_id: s.sessionId, reason: 'USER_CLOSED' } }),
    );
    await advance(400_000); // past both the max duration and the idle timeout
    expectEndedAt(await waitEnded(s.sessionId), 'USER_CLOSED', t0 + 10_000);
  });
});
