/**
 * LITE WebSocket connections: capability URL and close codes, reconnects, several sockets per session,
 * WS ping/pong, REST stop closing the socket, WS keep-alive, and the message metrics.
 */
import { expect, it } from 'vitest';
import { LiteClient, pcmBase64 } from './helpers/server.js';
import {
  connect,
  expectOneUtterance,
  expectWellFormed,
  ofType,
  roundTrip,
  sleep,
  useLiteServer,
} from './helpers/lite.js';

const suite = useLiteServer();
const { track } = suite;

/** Plays a short utterance on `c` and returns its speak_ended. */
async function play(c: LiteClient, id: string, ms = 200) {
  c.send({ type: 'agent.speak', event_id: id, audio: pcmBase64(ms) });
  c.send({ type: 'agent.speak_end', event_id: id });
  return c.waitFor((e) => e.type === 'agent.speak_ended' && e.source_event_id === id, 10_000);
}

it('a wrong capability in the URL closes with 4001 and sends no events', async () => {
  const s = await suite.server.startSession();
  const parts = s.wsUrl.split('/');
  const cap = parts.at(-1)!;
  const wrong = [...parts.slice(0, -1), (cap[0] === 'A' ? 'B' : 'A') + cap.slice(1)].join('/');
  const c = track(new LiteClient(wrong));
  expect(await c.closed()).toBe(4001);
  expect(c.events).toEqual([]);
  // Another session's capability does not open this one either.
  const other = await suite.server.startSession();
  const swapped = [...parts.slice(0, -1), other.wsUrl.split('/').at(-1)!].join('/');
  const d = track(new LiteClient(swapped));
  expect(await d.closed()).toBe(4001);
  // The right URL still works.
  const ok = track(await connect(s.wsUrl));
  await play(ok, 'after-bad-cap');
});

it("a stopped session's URL closes with 4009", async () => {
  const s = await suite.server.startSession();
  const stop = await suite.server.api('/v1/sessions/stop', {
    token: s.token,
    key: null,
    body: { session_id: s.sessionId },
  });
  expect(stop.status).toBe(200);
  const c = track(new LiteClient(s.wsUrl));
  expect(await c.closed()).toBe(4009);
  expect(c.events).toEqual([]);
});

it('reconnecting to the same ws_url after closing works and receives `connected`', async () => {
  const s = await suite.server.startSession();
  const a = track(await connect(s.wsUrl));
  await play(a, 'first-socket');
  a.close();
  await a.closed();
  await sleep(100);
  const b = track(await connect(s.wsUrl));
  expect(b.events[0]).toMatchObject({ type: 'session.state_updated', state: 'connected' });
  const ended = await play(b, 'second-socket');
  expectOneUtterance(b, ended.task.id);
  expectWellFormed(b);
  // The old socket heard nothing of it.
  expect(a.events.some((e) => e.source_event_id === 'second-socket')).toBe(false);
});

it('two sockets on one session both receive the events; replies to a bad command go to its sender only', async () => {
  const s = await suite.server.startSession();
  const a = track(await connect(s.wsUrl));
  const b = track(await connect(s.wsUrl));
  const ended = await play(a, 'shared');
  const endedB = await b.waitFor((e) => e.type === 'agent.speak_ended', 10_000);
  expect(endedB.task.id).toBe(ended.task.id);
  const speech = (c: LiteClient) =>
    c.events
      .filter((e) => e.type !== 'session.state_updated')
      .map((e) => `${e.type}:${e.source_event_id ?? ''}:${e.task?.id ?? ''}`);
  expect(speech(b)).toEqual(speech(a));
  expectOneUtterance(a, ended.task.id);
  expectOneUtterance(b, ended.task.id);
  // b can drive the session too.
  const fromA = a.events.length;
  await play(b, 'from-b');
  await a.waitFor((e) => e.type === 'agent.speak_ended' && e.source_event_id === 'from-b', 10_000, fromA);
  // An error goes to the socket that caused it.
  b.send('{oops');
  await b.waitType('error');
  await roundTrip(a);
  await sleep(100);
  expect(ofType(a, 'error')).toEqual([]);
  expectWellFormed(a);
  expectWellFormed(b);
});

it('a frame above the 16 MiB transport limit closes that socket with 1009; the session lives on', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  c.send(JSON.stringify({ type: 'agent.speak', event_id: 'huge', audio: 'A'.repeat(17 * 1024 * 1024) }));
  expect(await c.closed(15_000)).toBe(1009);
  const again = track(await connect(s.wsUrl));
  await play(again, 'after-huge');
});

it('a WS-level ping gets a pong promptly', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  const payload = Buffer.from('liveface-ping');
  const t0 = performance.now();
  const got = await new Promise<Buffer>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no pong')), 5000);
    c.ws.once('pong', (data) => {
      clearTimeout(t);
      resolve(data);
    });
    c.ws.ping(payload);
  });
  expect(got.toString()).toBe('liveface-ping');
  expect(performance.now() - t0).toBeLessThan(1000);
  // Also while audio is playing.
  c.send({ type: 'agent.speak', event_id: 'p', audio: pcmBase64(600) });
  await c.waitType('agent.speak_started', 10_000);
  await roundTrip(c, 1000);
});

it('REST stop sends session.state_updated closing then closed, then closes the socket with 1000', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  // Mid-utterance, to be sure speech does not hold the socket open.
  c.send({ type: 'agent.speak', event_id: 'x', audio: pcmBase64(2000) });
  await c.waitType('agent.speak_started', 10_000);
  const stop = await suite.server.api('/v1/sessions/stop', {
    token: s.token,
    key: null,
    body: { session_id: s.sessionId, reason: 'USER_DISCONNECTED' },
  });
  expect(stop.status).toBe(200);
  expect(await c.closed()).toBe(1000);
  const states = ofType(c, 'session.state_updated').map((e) => e.state);
  expect(states).toEqual(['connected', 'closing', 'closed']);
  expect(c.types().slice(-2)).toEqual(['session.state_updated', 'session.state_updated']);
  expect(c.events.slice(-2).map((e) => e.reason)).toEqual(['USER_DISCONNECTED', 'USER_DISCONNECTED']);
  expectWellFormed(c);
});

it('session.keep_alive over WS is accepted with no error and no reply', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  c.send({ type: 'session.keep_alive', event_id: 'ka-1' });
  c.send({ type: 'session.keep_alive' });
  await roundTrip(c);
  await sleep(150);
  expect(c.types()).toEqual(['session.state_updated']);
  await play(c, 'after-ka');
  expect(ofType(c, 'error')).toEqual([]);
});

it('GET /metrics counts incoming agent.speak messages', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  await play(c, 'metrics');
  const r = await suite.server.api('/metrics', { key: null });
  expect(r.status).toBe(200);
  const text = String(r.body);
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('liveface_ws_messages_total{') &&
        l.includes('direction="in"') &&
        l.includes('type="agent.speak"'),
    );
  expect(
    line,
    text
      .split('\n')
      .filter((l) => l.startsWith('liveface_ws_messages_total'))
      .join('\n'),
  ).toBeDefined();
  expect(Number(line!.split(' ').at(-1))).toBeGreaterThanOrEqual(1);
  expect(text).toMatch(/liveface_ws_messages_total\{[^}]*direction="out"[^}]*\}/);
});
