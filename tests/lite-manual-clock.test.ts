/**
 * LITE WebSocket playout timing, exact, on a ManualClock: the server's frame clock only moves when the
 * test advances it (40 ms per frame at 25 fps). After each step a ping/pong round trip makes sure every
 * event that step produced has reached the client before the next step.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '@liveface/server';
import {
  pcmBase64,
  startTestServer,
  type LiteClient,
  type Received,
  type TestServer,
} from './helpers/server.js';
import { connect, expectNoErrors, expectOneUtterance, expectWellFormed, roundTrip } from './helpers/lite.js';

const FRAME_MS = 40;
let server: TestServer;
let clock: ManualClock;
const clients: LiteClient[] = [];
const track = (c: LiteClient) => (clients.push(c), c);

beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({}, { clock });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => server.stop());

/** Advances the clock `steps` frames, one at a time; returns, per event, the clock time it was seen at. */
async function run(c: LiteClient, steps: number, seen: Map<Received, number>): Promise<void> {
  for (let i = 0; i < steps; i++) {
    clock.advance(FRAME_MS);
    await roundTrip(c);
    for (const e of c.events) if (!seen.has(e)) seen.set(e, clock.now());
  }
}

/** A fresh session whose frame clock is aligned with the test's view of time (no partial frame pending). */
async function session(): Promise<{ c: LiteClient; seen: Map<Received, number> }> {
  const s = await server.startSession();
  const c = track(await connect(s.wsUrl));
  return { c, seen: new Map() };
}

it('1.0 s of audio: it starts at once (the avatar was silent), ends 1000 ms later, started→ended exactly 1000 ms', async () => {
  const { c, seen } = await session();
  c.send({ type: 'agent.speak', event_id: 'one-second', audio: pcmBase64(1000) });
  c.send({ type: 'agent.speak_end', event_id: 'one-second' });
  await c.waitType('agent.audio_buffer_committed', 10_000);
  const t0 = clock.now();

  // A silent avatar starts on arrival, not on the next 40 ms tick.
  for (const e of c.events) seen.set(e, clock.now());
  const started = c.events.find((e) => e.type === 'agent.speak_started');
  expect(started, c.types().join(',')).toBeDefined();
  expect(seen.get(started!)! - t0).toBe(0);
  // 24 frames = 960 ms of clock: the audio is still playing.
  await run(c, 24, seen);
  expect(clock.now() - t0).toBe(960);
  expect(c.events.some((e) => e.type === 'agent.speak_ended')).toBe(false);
  expect(c.events.some((e) => e.type === 'agent.state_updated' && e.new_state === 'idle')).toBe(false);

  // One more frame (1000 ms): ended, then idle.
  await run(c, 1, seen);
  const ended = c.events.find((e) => e.type === 'agent.speak_ended');
  expect(ended, c.types().join(',')).toBeDefined();
  expect(seen.get(ended!)! - t0).toBe(1000);
  expect(seen.get(ended!)! - seen.get(started!)!).toBe(1000);
  expect(c.events.at(-1)).toMatchObject({
    type: 'agent.state_updated',
    previous_state: 'talking',
    new_state: 'idle',
  });

  // Nothing else happens afterwards.
  const count = c.events.length;
  await run(c, 10, seen);
  expect(c.events.length).toBe(count);
  expectOneUtterance(c, started!.task.id);
  expectNoErrors(c);
  expectWellFormed(c);
});

it('interrupt: interrupted and idle on the very next frame, no speak_ended ever', async () => {
  const { c, seen } = await session();
  c.send({ type: 'agent.speak', event_id: 'u', audio: pcmBase64(1000) });
  c.send({ type: 'agent.speak_end', event_id: 'u' });
  await c.waitType('agent.audio_buffer_committed', 10_000);
  await run(c, 5, seen);
  const started = c.events.find((e) => e.type === 'agent.speak_started')!;
  expect(started).toBeDefined();

  c.send({ type: 'agent.interrupt', event_id: 'i' });
  await c.waitType('agent.audio_buffer_cleared');
  const before = clock.now();
  await run(c, 1, seen);
  const interrupted = c.events.find((e) => e.type === 'agent.speak_interrupted');
  const idle = c.events.find((e) => e.type === 'agent.state_updated' && e.new_state === 'idle');
  expect(interrupted).toMatchObject({ source_event_id: 'u', task: { id: started.task.id } });
  expect(idle).toMatchObject({ previous_state: 'talking', source_event_id: 'i' });
  expect(seen.get(idle!)! - before).toBe(FRAME_MS);

  await run(c, 30, seen); // past where the audio would have ended
  expect(c.events.filter((e) => e.type === 'agent.speak_ended')).toEqual([]);
  expectOneUtterance(c, started.task.id, { interrupted: true });
  expectWellFormed(c);
});

it('a buffer that runs dry without speak_end keeps talking, then ends exactly after the underrun grace', async () => {
  const grace = server.config.underrunGraceMs;
  const { c, seen } = await session();
  c.send({ type: 'agent.speak', event_id: 'dry', audio: pcmBase64(200) });
  await c.waitType('agent.audio_buffer_appended', 10_000);
  // 200 ms of audio, then 400 ms dry: still one utterance, still talking.
  await run(c, 15, seen);
  c.send({ type: 'agent.speak', event_id: 'dry', audio: pcmBase64(200) });
  await c.waitFor((e) => e.type === 'agent.audio_buffer_appended', 5000, 2);
  const lastAudioEnds = clock.now() + 200 + FRAME_MS; // played from the next frame on
  const steps = Math.ceil((200 + grace) / FRAME_MS) + 3;
  await run(c, steps, seen);
  const started = c.events.filter((e) => e.type === 'agent.speak_started');
  const ended = c.events.filter((e) => e.type === 'agent.speak_ended');
  expect(started).toHaveLength(1);
  expect(ended).toHaveLength(1);
  // Ends `grace` after the last sample played (the tick after the last audio frame).
  expect(seen.get(ended[0]!)! - lastAudioEnds).toBe(grace);
  expect(
    c.events.filter((e) => e.type === 'agent.state_updated').map((e) => `${e.previous_state}>${e.new_state}`),
  ).toEqual(['idle>talking', 'talking>idle']);
  expectNoErrors(c);
  expectWellFormed(c);
});
