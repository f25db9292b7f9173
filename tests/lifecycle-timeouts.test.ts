/**
 * Session timeouts on an injected clock: idle timeout (and what resets it), max duration, sandbox limit.
 * Time only moves when the test advances the ManualClock; the server, sockets and SQLite are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { ManualClock } from '@liveface/server';
import { LiteClient, pcmBase64, startTestServer, type TestServer } from './helpers/server.js';

let clock: ManualClock;
let server: TestServer;
beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({ idleTimeoutS: 300, maxSessionDurationS: 7200 }, { clock });
});
afterAll(() => server.stop());

/** Advances the clock in steps (so periodic timers such as the playout ticks run in order). */
async function advance(ms: number, stepMs = 1000): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await new Promise((r) => setImmediate(r)); // let ended sessions write their records
  }
}
async function status(id: string): Promise<{ status: string; end_reason?: string | null }> {
  const r = await server.api(`/v1/sessions/${id}`);
  return r.body.data;
}
async function ended(id: string): Promise<string | null | undefined> {
  for (let i = 0; i < 50; i++) {
    const s = await status(id);
    if (s.status === 'ended') return s.end_reason;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`session ${id} did not end`);
}

describe('idle timeout', () => {
  it('ends a started session after 300 s without activity, not before', async () => {
    const s = await server.startSession();
    await advance(299_000);
    expect((await status(s.sessionId)).status).toBe('active');
    await advance(2_000);
    expect(await ended(s.sessionId)).toBe('IDLE_TIMEOUT');
  });

  it('is pushed back by a REST keep-alive', async () => {
    const s = await server.startSession();
    await advance(200_000);
    expect(
      (await server.api('/v1/sessions/keep-alive', { method: 'POST', token: s.token, key: null })).status,
    ).toBe(200);
    await advance(200_000); // 400 s after start, 200 s after the keep-alive
    expect((await status(s.sessionId)).status).toBe('active');
    await advance(102_000);
    expect(await ended(s.sessionId)).toBe('IDLE_TIMEOUT');
  });

  it('is pushed back by a WebSocket session.keep_alive', async () => {
    const s = await server.startSession();
    const c = new LiteClient(s.wsUrl);
    await c.waitType('session.state_updated');
    await advance(250_000);
    c.send({ type: 'session.keep_alive', event_id: 'k1' });
    await new Promise((r) => setTimeout(r, 100)); // the command reaches the server
    await advance(250_000);
    expect((await status(s.sessionId)).status).toBe('active');
    await advance(60_000);
    expect(await ended(s.sessionId)).toBe('IDLE_TIMEOUT');
    await c.waitFor((e) => e.type === 'session.state_updated' && e.state === 'closed');
    expect(await c.closed()).toBe(1000);
  });

  it('ends a session that was never started', async () => {
    const s = await server.createSession();
    await advance(301_000);
    expect(await ended(s.sessionId)).toBe('IDLE_TIMEOUT');
    const start = await server.api('/v1/sessions/start', { method: 'POST', token: s.token, key: null });
    expect(start.status).toBe(409);
    expect(start.body.data.error).toBe('session_ended');
  });
});

describe('talking holds off the idle timeout', () => {
  let quick: TestServer;
  let quickClock: ManualClock;
  beforeAll(async () => {
    quickClock = new ManualClock();
    quick = await startTestServer({ idleTimeoutS: 5 }, { clock: quickClock });
  });
  afterAll(() => quick.stop());

  it('does not end a session while its audio plays, and does after it stops', async () => {
    const s = await quick.startSession();
    const c = new LiteClient(s.wsUrl);
    await c.waitType('session.state_updated');
    // 10 s of audio in 1 s chunks, then speak_end.
    for (let i = 0; i < 10; i++) c.send({ type: 'agent.speak', event_id: 'long', audio: pcmBase64(1000) });
    c.send({ type: 'agent.speak_end', event_id: 'long' });
    await c.waitFor((e) => e.type === 'agent.audio_buffer_committed');
    for (let t = 0; t < 9_000; t += 200) {
      quickClock.advance(200);
      await new Promise((r) => setImmediate(r));
    }
    const mid = await quick.api(`/v1/sessions/${s.sessionId}`);
    expect(mid.body.data.status).toBe('active');
    await c.waitType('agent.speak_started');
    for (let t = 0; t < 7_000; t += 200) {
      quickClock.advance(200);
      await new Promise((r) => setImmediate(r));
    }
    await c.waitType('agent.speak_ended');
    const after = await c.waitFor((e) => e.type === 'session.state_updated' && e.state === 'closing');
    expect(after.reason).toBe('IDLE_TIMEOUT');
  });
});

describe('max duration and sandbox', () => {
  it('ends at max_session_duration even with keep-alives', async () => {
    const s = await server.startSession({ max_session_duration: 120 });
    expect(s.maxSessionDuration).toBe(120);
    for (let i = 0; i < 3; i++) {
      await advance(50_000);
      if (i < 2)
        expect(
          (await server.api('/v1/sessions/keep-alive', { method: 'POST', token: s.token, key: null })).status,
        ).toBe(200);
    }
    expect(await ended(s.sessionId)).toBe('MAX_DURATION_REACHED');
  });

  it('ends sandbox sessions after 60 s and closes their socket', async () => {
    const s = await server.startSession({ is_sandbox: true, avatar_id: SANDBOX_AVATAR_ID });
    expect(s.maxSessionDuration).toBe(60);
    const c = new LiteClient(s.wsUrl);
    await c.waitType('session.state_updated');
    await advance(59_000);
    expect((await status(s.sessionId)).status).toBe('active');
    await advance(2_000);
    expect(await ended(s.sessionId)).toBe('MAX_DURATION_REACHED');
    await c.closed();
    const states = c.events.filter((e) => e.type === 'session.state_updated').map((e) => e.state);
    expect(states.slice(-2)).toEqual(['closing', 'closed']);
    expect(c.closeCode).toBe(1000);
  });
});
