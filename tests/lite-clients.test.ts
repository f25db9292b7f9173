/**
 * LITE WebSocket: replays of what each real client sends (spec §7.2's table, §5), one test per client.
 * Each checks: one speak_started/speak_ended pair per utterance, one audio_buffer_appended per
 * agent.speak with the command's event_id as source_event_id and the utterance's task id, and a fresh,
 * unique event_id on every server event.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LiteClient } from './helpers/server.js';
import {
  chunkAudio,
  connect,
  expectAppended,
  expectNoErrors,
  expectOneUtterance,
  expectWellFormed,
  ofType,
  pcmBytes,
  sleep,
  sliceString,
  speakLog,
  stateLog,
  useLiteServer,
} from './helpers/lite.js';

const suite = useLiteServer();
const { track } = suite;

/** Waits for the utterance `taskId` to end (speak_ended) and the state to come to rest. */
async function waitEnded(c: LiteClient, taskId: string, timeoutMs = 15_000) {
  const ended = await c.waitFor((e) => e.type === 'agent.speak_ended' && e.task.id === taskId, timeoutMs);
  const i = c.events.indexOf(ended);
  await c.waitFor((e) => e.type === 'agent.state_updated' && e.previous_state === 'talking', 5000, i);
  return ended;
}

describe('official web SDK (repeatAudio)', () => {
  it('base64 string sliced 19,200 then 48,000 chars, one uuid, back-to-back, then speak_end with that id', async () => {
    const s = await suite.server.startSession();
    // The SDK resolves start() on `open` and sends without waiting for `connected`.
    const c = track(new LiteClient(s.wsUrl));
    await c.opened();
    const b64 = pcmBytes(1700).toString('base64');
    const slices = sliceString(b64, 19_200, 48_000);
    expect(slices.map((x) => x.length)).toEqual([19_200, 48_000, 41_600]);
    const id = randomUUID();
    for (const audio of slices) c.send({ type: 'agent.speak', audio, event_id: id });
    c.send({ type: 'agent.speak_end', event_id: id });

    const task = (await c.waitFor((e) => e.type === 'agent.audio_buffer_appended', 10_000)).task.id;
    const ended = await waitEnded(c, task);
    const started = ofType(c, 'agent.speak_started')[0]!;
    expect(started).toMatchObject({ source_event_id: id, task: { id: task } });
    expect(ended).toMatchObject({ source_event_id: id, task: { id: task } });
    expect(expectAppended(c, [id, id, id])).toBe(task);
    expect(ofType(c, 'agent.audio_buffer_committed')).toEqual([
      expect.objectContaining({ source_event_id: id, task: { id: task } }),
    ]);
    expectOneUtterance(c, task);
    // 1.7 s of audio plays for about 1.7 s (loose: this is about the replay, timing has its own suite).
    const playedMs = ended.receivedAt - started.receivedAt;
    expect(playedMs).toBeGreaterThan(1200);
    expect(playedMs).toBeLessThan(3500);
    expect(stateLog(c)).toEqual(['idle>talking', 'talking>idle']);
    expectNoErrors(c);
    expectWellFormed(c);
  });

  it('SDK interrupt (fresh uuid) mid-clip and listening commands with uuids', async () => {
    const s = await suite.server.startSession();
    const c = track(new LiteClient(s.wsUrl));
    await c.opened();
    const id = randomUUID();
    for (const audio of sliceString(pcmBytes(3000).toString('base64'), 19_200, 48_000)) {
      c.send({ type: 'agent.speak', audio, event_id: id });
    }
    c.send({ type: 'agent.speak_end', event_id: id });
    const started = await c.waitType('agent.speak_started', 10_000);
    await sleep(300);
    const interruptId = randomUUID();
    c.send({ type: 'agent.interrupt', event_id: interruptId });
    await c.waitFor((e) => e.type === 'agent.state_updated' && e.new_state === 'idle', 5000);
    expect(ofType(c, 'agent.audio_buffer_cleared')).toEqual([
      expect.objectContaining({ source_event_id: interruptId }),
    ]);
    expectOneUtterance(c, started.task.id, { interrupted: true });

    const l1 = randomUUID();
    c.send({ type: 'agent.start_listening', event_id: l1 });
    await c.waitFor((e) => e.type === 'agent.state_updated' && e.new_state === 'listening', 5000);
    const l2 = randomUUID();
    c.send({ type: 'agent.stop_listening', event_id: l2 });
    await c.waitFor((e) => e.type === 'agent.state_updated' && e.source_event_id === l2, 5000);
    expect(ofType(c, 'agent.state_updated').slice(-2)).toEqual([
      expect.objectContaining({ previous_state: 'idle', new_state: 'listening', source_event_id: l1 }),
      expect.objectContaining({ previous_state: 'listening', new_state: 'idle', source_event_id: l2 }),
    ]);
    // Nothing more after the interrupt: no late speak_ended for the dropped clip.
    await sleep(400);
    expect(ofType(c, 'agent.speak_ended')).toHaveLength(0);
    expectNoErrors(c);
    expectWellFormed(c);
  });

  it('old SDK: 960-character slices (the "20 ms" bug) still give one started/ended pair', async () => {
    const s = await suite.server.startSession();
    const c = track(new LiteClient(s.wsUrl));
    await c.opened();
    const slices = sliceString(pcmBytes(1000).toString('base64'), 960, 960);
    expect(slices).toHaveLength(67);
    const id = randomUUID();
    for (const audio of slices) c.send({ type: 'agent.speak', audio, event_id: id });
    c.send({ type: 'agent.speak_end', event_id: id });

    const task = (await c.waitFor((e) => e.type === 'agent.audio_buffer_appended', 10_000)).task.id;
    await waitEnded(c, task);
    expect(
      expectAppended(
        c,
        slices.map(() => id),
      ),
    ).toBe(task);
    expectOneUtterance(c, task);
    expect(speakLog(c)).toEqual([`started:${task}`, `ended:${task}`]);
    expect(stateLog(c)).toEqual(['idle>talking', 'talking>idle']);
    expectNoErrors(c);
    expectWellFormed(c);
  });
});

describe('Pipecat (HeyGenVideoService, LIVE_AVATAR)', () => {
  it('400 ms then 1 s chunks, event_id shared per utterance, interrupt with null id, keep-alive', async () => {
    const s = await suite.server.startSession();
    // Pipecat does not wait for `connected` (PR #4312).
    const c = track(new LiteClient(s.wsUrl));
    await c.opened();

    // Utterance 1: plays out.
    const u1 = randomUUID();
    const chunks1 = chunkAudio(pcmBytes(1400), 400, 1000);
    expect(chunks1).toHaveLength(2);
    for (const audio of chunks1) c.send({ type: 'agent.speak', audio, event_id: u1 });
    c.send({ type: 'agent.speak_end', event_id: u1 });
    const t1 = (await c.waitType('agent.audio_buffer_appended', 10_000)).task.id;
    await waitEnded(c, t1);
    expect(expectAppended(c, [u1, u1])).toBe(t1);
    expectOneUtterance(c, t1);

    // Keep-alive, as Pipecat sends it every 150 s.
    c.send({ type: 'session.keep_alive', event_id: randomUUID() });

    // Utterance 2: first chunks unpaced, then real-time paced; the user barges in.
    const from = c.events.length;
    const u2 = randomUUID();
    const chunks2 = chunkAudio(pcmBytes(3400), 400, 1000);
    c.send({ type: 'agent.speak', audio: chunks2[0], event_id: u2 });
    c.send({ type: 'agent.speak', audio: chunks2[1], event_id: u2 });
    const started2 = await c.waitFor((e) => e.type === 'agent.speak_started', 10_000, from);
    await sleep(300);
    c.send({ type: 'agent.speak', audio: chunks2[2], event_id: u2 });
    await sleep(200);
    c.send({ type: 'agent.interrupt', event_id: null });
    const interrupted = await c.waitType('agent.speak_interrupted', 5000);
    await c.waitFor(
      (e) => e.type === 'agent.state_updated' && e.new_state === 'idle',
      5000,
      c.events.indexOf(interrupted),
    );
    const t2 = started2.task.id;
    expect(t2).not.toBe(t1);
    expect(expectAppended(c, [u2, u2, u2], from)).toBe(t2);
    expect(interrupted).toMatchObject({ source_event_id: u2, task: { id: t2 } });
    expect(ofType(c, 'agent.audio_buffer_cleared', from)).toEqual([
      expect.objectContaining({ source_event_id: null }),
    ]);
    expectOneUtterance(c, t2, { interrupted: true });

    // Pipecat's speak_end after the interrupt (TTS stopped) closes nothing; no late events.
    c.send({ type: 'agent.speak_end', event_id: u2 });
    await c.waitFor((e) => e.type === 'agent.audio_buffer_committed', 5000, c.events.indexOf(interrupted));
    await sleep(300);
    expect(speakLog(c)).toEqual([`started:${t1}`, `ended:${t1}`, `started:${t2}`, `interrupted:${t2}`]);
    expect(stateLog(c)).toEqual(['idle>talking', 'talking>idle', 'idle>talking', 'talking>idle']);
    expectNoErrors(c);
    expectWellFormed(c);
  });
});

describe('LiveKit Agents plugin', () => {
  it('waits for connected; fresh uuid per chunk; speak_end with a fresh uuid then start_listening does not cut speech', async () => {
    const s = await suite.server.startSession();
    const c = track(await connect(s.wsUrl));
    expect(c.events).toHaveLength(1);

    const chunkIds: string[] = [];
    const chunks = chunkAudio(pcmBytes(2600), 600, 1000);
    expect(chunks).toHaveLength(3);
    for (const audio of chunks) {
      const id = randomUUID();
      chunkIds.push(id);
      c.send({ type: 'agent.speak', audio, event_id: id });
    }
    const endId = randomUUID();
    const listenId = randomUUID();
    c.send({ type: 'agent.speak_end', event_id: endId });
    c.send({ type: 'agent.start_listening', event_id: listenId });

    const started = await c.waitType('agent.speak_started', 10_000);
    const task = started.task.id;
    const ended = await c.waitFor((e) => e.type === 'agent.speak_ended', 15_000);
    await c.waitFor(
      (e) => e.type === 'agent.state_updated' && e.new_state === 'listening',
      5000,
      c.events.indexOf(ended),
    );

    expect(expectAppended(c, chunkIds)).toBe(task);
    expect(started.source_event_id).toBe(chunkIds[0]);
    expect(ofType(c, 'agent.audio_buffer_committed')).toEqual([
      expect.objectContaining({ source_event_id: endId, task: { id: task } }),
    ]);
    expectOneUtterance(c, task);
    // The whole 2.6 s played: start_listening right after speak_end did not stop the avatar early.
    expect(ended.receivedAt - started.receivedAt).toBeGreaterThan(2000);
    // talking → listening only when playback ended, not before.
    const states = ofType(c, 'agent.state_updated');
    expect(stateLog(c)).toEqual(['idle>talking', 'talking>listening']);
    expect(c.events.indexOf(states[1]!)).toBeGreaterThan(c.events.indexOf(ended));

    // The plugin sends stop_listening when its agent goes idle.
    const stopId = randomUUID();
    c.send({ type: 'agent.stop_listening', event_id: stopId });
    const back = await c.waitFor((e) => e.type === 'agent.state_updated' && e.new_state === 'idle', 5000);
    expect(back).toMatchObject({ previous_state: 'listening', source_event_id: stopId });
    c.send({ type: 'session.keep_alive', event_id: randomUUID() });
    await sleep(200);
    expectNoErrors(c);
    expectWellFormed(c);
  });
});

describe('HeyGen starter (hand-rolled LiveKit agent)', () => {
  it('no event_id anywhere; the undocumented "start" header before each utterance is tolerated', async () => {
    const s = await suite.server.startSession();
    const c = track(new LiteClient(s.wsUrl));
    await c.opened();
    const tasks: string[] = [];
    for (let n = 0; n < 2; n++) {
      const from = c.events.length;
      c.send({ type: 'start', encoding: 'pcm_s16le', sample_rate: 24000, channels: 1 });
      const chunks = chunkAudio(pcmBytes(1400), 400, 1000);
      for (const audio of chunks) c.send({ type: 'agent.speak', audio });
      c.send({ type: 'agent.speak_end' });
      const task = (await c.waitFor((e) => e.type === 'agent.audio_buffer_appended', 10_000, from)).task.id;
      await waitEnded(c, task);
      expect(expectAppended(c, [null, null], from)).toBe(task);
      expect(ofType(c, 'agent.speak_started', from)[0]).toMatchObject({
        source_event_id: null,
        task: { id: task },
      });
      expect(ofType(c, 'agent.audio_buffer_committed', from)).toEqual([
        expect.objectContaining({ source_event_id: null, task: { id: task } }),
      ]);
      expectOneUtterance(c, task);
      tasks.push(task);
    }
    expect(tasks[0]).not.toBe(tasks[1]);
    expect(ofType(c, 'warning')).toEqual([]);
    expectNoErrors(c);
    expectWellFormed(c);
  });

  it('a "start" header announcing 16 kHz gets a warning (audio is still read as 24 kHz)', async () => {
    const s = await suite.server.startSession();
    const c = track(await connect(s.wsUrl));
    c.send({ type: 'start', encoding: 'pcm_s16le', sample_rate: 16000, channels: 1 });
    const w = await c.waitType('warning');
    expect(w).toMatchObject({
      type: 'warning',
      source_event_id: null,
      warning: { type: 'unsupported_audio_format', code: 'unsupported_audio_format' },
    });
    expect(w.warning.message).toMatch(/16000/);
    // The session keeps working.
    c.send({ type: 'agent.speak', audio: pcmBytes(200).toString('base64') });
    c.send({ type: 'agent.speak_end' });
    const task = (await c.waitType('agent.speak_started', 10_000)).task.id;
    await waitEnded(c, task);
    expectOneUtterance(c, task);
    expectNoErrors(c);
    expectWellFormed(c);
  });
});
