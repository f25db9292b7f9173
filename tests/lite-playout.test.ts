/**
 * LITE WebSocket on the real clock: real-time playout, a buffer running dry mid-utterance, interrupt,
 * and commands sent before `connected`. Exact timing is in lite-manual-clock.test.ts; tolerances here
 * are wide enough for a busy 2-core machine.
 */
import { expect, it } from 'vitest';
import { LiteClient, pcmBase64 } from './helpers/server.js';
import {
  connect,
  expectAppended,
  expectNoErrors,
  expectOneUtterance,
  expectWellFormed,
  ofType,
  sleep,
  speakLog,
  stateLog,
  useLiteServer,
} from './helpers/lite.js';

const suite = useLiteServer();
const { track } = suite;

it('1.0 s of audio sent at once plays in real time: speak_ended ≈ 1.0 s after speak_started', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  c.send({ type: 'agent.speak', event_id: 'rt', audio: pcmBase64(1000) });
  c.send({ type: 'agent.speak_end', event_id: 'rt' });
  const started = await c.waitType('agent.speak_started', 10_000);
  const ended = await c.waitType('agent.speak_ended', 10_000);
  const ms = ended.receivedAt - started.receivedAt;
  expect(ms).toBeGreaterThanOrEqual(850);
  expect(ms).toBeLessThanOrEqual(1400);
  expect(ended.task.id).toBe(started.task.id);
  expectOneUtterance(c, started.task.id);
  expectWellFormed(c);
});

it('a buffer that runs dry mid-utterance gives one started/ended pair (no flapping)', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  c.send({ type: 'agent.speak', event_id: 'dry', audio: pcmBase64(200) });
  const started = await c.waitType('agent.speak_started', 10_000);
  await sleep(500); // 200 ms of audio, then ~300 ms dry
  c.send({ type: 'agent.speak', event_id: 'dry', audio: pcmBase64(200) });
  c.send({ type: 'agent.speak_end', event_id: 'dry' });
  const ended = await c.waitType('agent.speak_ended', 10_000);
  await c.waitFor(
    (e) => e.type === 'agent.state_updated' && e.previous_state === 'talking',
    5000,
    c.events.indexOf(ended),
  );
  await sleep(300);
  expect(expectAppended(c, ['dry', 'dry'])).toBe(started.task.id);
  expect(speakLog(c)).toEqual([`started:${started.task.id}`, `ended:${started.task.id}`]);
  expect(stateLog(c)).toEqual(['idle>talking', 'talking>idle']);
  // It kept talking through the gap and played the second chunk after it.
  expect(ended.receivedAt - started.receivedAt).toBeGreaterThan(550);
  expectNoErrors(c);
  expectWellFormed(c);
});

it('interrupt clears queued audio at once: idle well under 200 ms, no speak_ended for the task', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  c.send({ type: 'agent.speak', event_id: 'long', audio: pcmBase64(1500) });
  c.send({ type: 'agent.speak_end', event_id: 'long' });
  // A second utterance is queued behind it; the interrupt drops it too.
  c.send({ type: 'agent.speak', event_id: 'queued', audio: pcmBase64(500) });
  c.send({ type: 'agent.speak_end', event_id: 'queued' });
  const started = await c.waitType('agent.speak_started', 10_000);
  await sleep(250);
  const from = c.events.length;
  const sentAt = performance.now();
  c.send({ type: 'agent.interrupt', event_id: 'stop-now' });
  const idle = await c.waitFor((e) => e.type === 'agent.state_updated' && e.new_state === 'idle', 5000, from);
  expect(idle.receivedAt - sentAt).toBeLessThan(200);
  expect(idle).toMatchObject({ previous_state: 'talking', source_event_id: 'stop-now' });
  expect(ofType(c, 'agent.audio_buffer_cleared', from)).toEqual([
    expect.objectContaining({ source_event_id: 'stop-now' }),
  ]);
  expect(ofType(c, 'agent.speak_interrupted', from)).toEqual([
    expect.objectContaining({ source_event_id: 'long', task: { id: started.task.id } }),
  ]);
  // Past the time the 1.5 s + 0.5 s would have played: nothing more from either utterance.
  await sleep(2000);
  expect(ofType(c, 'agent.speak_ended')).toEqual([]);
  expect(ofType(c, 'agent.speak_started')).toHaveLength(1);
  expect(stateLog(c)).toEqual(['idle>talking', 'talking>idle']);
  expectOneUtterance(c, started.task.id, { interrupted: true });

  // Audio after the interrupt is a new utterance and plays.
  c.send({ type: 'agent.speak', event_id: 'after', audio: pcmBase64(200) });
  c.send({ type: 'agent.speak_end', event_id: 'after' });
  const next = await c.waitFor((e) => e.type === 'agent.speak_ended', 10_000);
  expect(next.task.id).not.toBe(started.task.id);
  expect(next.source_event_id).toBe('after');
  expectOneUtterance(c, next.task.id);
  expectNoErrors(c);
  expectWellFormed(c);
});

it('commands sent synchronously in the open handler (before `connected`) are queued and acted on', async () => {
  const s = await suite.server.startSession();
  const c = track(new LiteClient(s.wsUrl));
  c.ws.on('open', () => {
    c.send({ type: 'agent.speak', event_id: 'early', audio: pcmBase64(300) });
    c.send({ type: 'agent.speak_end', event_id: 'early' });
  });
  const ended = await c.waitType('agent.speak_ended', 10_000);
  expect(c.events[0]).toMatchObject({ type: 'session.state_updated', state: 'connected' });
  expect(c.types().slice(0, 2)).toEqual(['session.state_updated', 'agent.audio_buffer_appended']);
  expect(ended.source_event_id).toBe('early');
  expect(expectAppended(c, ['early'])).toBe(ended.task.id);
  expect(ofType(c, 'agent.audio_buffer_committed')).toEqual([
    expect.objectContaining({ source_event_id: 'early', task: { id: ended.task.id } }),
  ]);
  expectOneUtterance(c, ended.task.id);
  expectNoErrors(c);
  expectWellFormed(c);
});

it('`connected` is always the first event, on every socket, even with commands sent at once', async () => {
  const s = await suite.server.startSession();
  const cs = Array.from({ length: 6 }, (_, i) => {
    const c = track(new LiteClient(s.wsUrl));
    c.ws.on('open', () => {
      c.send({ type: 'agent.start_listening', event_id: `l-${i}` });
      c.send({ type: 'session.keep_alive', event_id: `k-${i}` });
      c.send({ type: 'no.such.command', event_id: `x-${i}` });
    });
    return c;
  });
  for (const c of cs) {
    await c.waitType('warning', 10_000);
    expect(c.events[0]).toMatchObject({ type: 'session.state_updated', state: 'connected' });
    expect(
      c.events.filter((e) => e.type === 'session.state_updated' && e.state === 'connected'),
    ).toHaveLength(1);
  }
});

it('back-to-back utterances (two repeatAudio calls) play in order, one pair each, talking throughout', async () => {
  const s = await suite.server.startSession();
  const c = track(await connect(s.wsUrl));
  for (const id of ['first', 'second']) {
    c.send({ type: 'agent.speak', event_id: id, audio: pcmBase64(300) });
    c.send({ type: 'agent.speak_end', event_id: id });
  }
  const second = await c.waitFor(
    (e) => e.type === 'agent.speak_ended' && e.source_event_id === 'second',
    10_000,
  );
  await c.waitFor(
    (e) => e.type === 'agent.state_updated' && e.new_state === 'idle',
    5000,
    c.events.indexOf(second),
  );
  const appended = ofType(c, 'agent.audio_buffer_appended');
  expect(appended.map((e) => e.source_event_id)).toEqual(['first', 'second']);
  const [t1, t2] = appended.map((e) => e.task.id);
  expect(t1).not.toBe(t2);
  expect(speakLog(c)).toEqual([`started:${t1}`, `ended:${t1}`, `started:${t2}`, `ended:${t2}`]);
  expect(stateLog(c)).toEqual(['idle>talking', 'talking>idle']);
  expectNoErrors(c);
  expectWellFormed(c);
});
