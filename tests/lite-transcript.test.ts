/**
 * LITE WebSocket: spec Appendix A.1 replayed command by command, in order, and the server's events
 * checked against the transcript (types, states, source_event_id, task ids, interrupt semantics, end).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiteClient, startTestServer, type Received, type TestServer } from './helpers/server.js';
import { expectWellFormed, pcmBytes, sleep } from './helpers/lite.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** One event in a compact comparable form. Task ids are replaced by their role names. */
function describeEvent(e: Received, tasks: Map<string, string>): string {
  const parts: string[] = [e.type];
  if (e.type === 'session.state_updated') parts.push(e.state);
  if (e.type === 'agent.state_updated') parts.push(`${e.previous_state}>${e.new_state}`);
  if ('source_event_id' in e && e.source_event_id !== null) parts.push(`src=${e.source_event_id}`);
  if (e.task) parts.push(`task=${tasks.get(e.task.id) ?? `?${e.task.id}`}`);
  return parts.join(' ');
}

it('Appendix A.1: one utterance, barge-in, keep-alive, a normal utterance, REST stop', async () => {
  const s = await server.startSession();
  const c = new LiteClient(s.wsUrl);
  try {
    // C→S (WS open; no headers, no subprotocol) — S→C connected
    await c.waitFor((e) => e.type === 'session.state_updated', 10_000);
    expect(c.events[0]).toMatchObject({ type: 'session.state_updated', state: 'connected' });

    c.send({ type: 'agent.start_listening', event_id: 'c-1' });
    await c.waitFor((e) => e.type === 'agent.state_updated' && e.source_event_id === 'c-1');

    c.send({ type: 'agent.stop_listening', event_id: 'c-2' });
    c.send({ type: 'agent.speak', event_id: 'utt-7', audio: pcmBytes(400).toString('base64') });
    await c.waitType('agent.audio_buffer_appended');
    const started7 = await c.waitType('agent.speak_started', 10_000);

    c.send({ type: 'agent.speak', event_id: 'utt-7', audio: pcmBytes(1000).toString('base64') });
    await c.waitFor((e) => e.type === 'agent.audio_buffer_appended', 5000, c.events.indexOf(started7));

    c.send({ type: 'agent.speak_end', event_id: 'utt-7' });
    await c.waitType('agent.audio_buffer_committed');

    // …user barges in (the utterance has ~1 s left to play)…
    await sleep(300);
    c.send({ type: 'agent.interrupt', event_id: 'c-9' });
    const interrupted = await c.waitType('agent.speak_interrupted');
    await c.waitFor(
      (e) => e.type === 'agent.state_updated' && e.new_state === 'idle',
      5000,
      c.events.indexOf(interrupted),
    );

    c.send({ type: 'session.keep_alive', event_id: 'c-10' });

    // …normal end of an utterance instead of interrupt…
    const from8 = c.events.length;
    c.send({ type: 'agent.speak', event_id: 'utt-8', audio: pcmBytes(400).toString('base64') });
    await c.waitFor((e) => e.type === 'agent.speak_started', 10_000, from8);
    c.send({ type: 'agent.speak_end', event_id: 'utt-8' });
    const ended8 = await c.waitFor((e) => e.type === 'agent.speak_ended', 10_000, from8);
    await c.waitFor(
      (e) => e.type === 'agent.state_updated' && e.previous_state === 'talking',
      5000,
      c.events.indexOf(ended8),
    );
    // The interrupted utterance never ends late.
    await sleep(1300);

    // …session stop (REST)…
    const stop = await server.api('/v1/sessions/stop', {
      token: s.token,
      key: null,
      body: { session_id: s.sessionId },
    });
    expect(stop.status).toBe(200);
    expect(await c.closed()).toBe(1000);

    const t1 = started7.task.id;
    const t2 = ended8.task.id;
    expect(t2).not.toBe(t1);
    const tasks = new Map([
      [t1, 't-1'],
      [t2, 't-2'],
    ]);
    const got = c.events.map((e) => describeEvent(e, tasks));
    // A.1 does not show the answer to stop_listening (c-2): it is listening>idle, on the frame before
    // talking starts (its place relative to the first audio_buffer_appended depends on the frame clock).
    const stopListening = 'agent.state_updated listening>idle src=c-2';
    expect(got.indexOf(stopListening)).toBeGreaterThan(
      got.indexOf('agent.state_updated idle>listening src=c-1'),
    );
    expect(got.indexOf(stopListening)).toBeLessThan(got.indexOf('agent.state_updated idle>talking'));
    expect(got.filter((g) => g !== stopListening)).toEqual([
      'session.state_updated connected',
      'agent.state_updated idle>listening src=c-1',
      'agent.audio_buffer_appended src=utt-7 task=t-1',
      'agent.state_updated idle>talking',
      'agent.speak_started src=utt-7 task=t-1',
      'agent.audio_buffer_appended src=utt-7 task=t-1',
      'agent.audio_buffer_committed src=utt-7 task=t-1',
      'agent.audio_buffer_cleared src=c-9',
      'agent.speak_interrupted src=utt-7 task=t-1',
      // The interrupt is what returned the avatar to idle, so its state change names it.
      'agent.state_updated talking>idle src=c-9',
      'agent.audio_buffer_appended src=utt-8 task=t-2',
      'agent.state_updated idle>talking',
      'agent.speak_started src=utt-8 task=t-2',
      'agent.audio_buffer_committed src=utt-8 task=t-2',
      'agent.speak_ended src=utt-8 task=t-2',
      'agent.state_updated talking>idle',
      'session.state_updated closing',
      'session.state_updated closed',
    ]);
    // No speak_ended for the interrupted utterance, ever.
    expect(c.events.filter((e) => e.type === 'agent.speak_ended' && e.task.id === t1)).toEqual([]);
    // Every server event has its own fresh id, never a client's.
    expectWellFormed(c);
    const clientIds = new Set(['c-1', 'c-2', 'utt-7', 'c-9', 'c-10', 'utt-8']);
    expect(c.events.filter((e) => clientIds.has(e.event_id))).toEqual([]);
    // closing/closed name the end reason.
    expect(c.events.slice(-2).map((e) => e.reason)).toEqual(['USER_CLOSED', 'USER_CLOSED']);
  } finally {
    c.close();
  }
});
