/**
 * LITE WebSocket bad input. Each case must answer with an `error` (or `warning`) event of the documented
 * shape, leave the socket open and the session working: a valid utterance sent afterwards plays.
 */
import { expect, it } from 'vitest';
import { pcmBase64, type LiteClient, type Received } from './helpers/server.js';
import {
  connect,
  expectOneUtterance,
  expectWellFormed,
  ofType,
  sleep,
  useLiteServer,
} from './helpers/lite.js';

const suite = useLiteServer();
const { track } = suite;

async function fresh(): Promise<LiteClient> {
  const s = await suite.server.startSession();
  return track(await connect(s.wsUrl));
}

/** Waits for the next `error` event and checks its documented shape. */
async function expectError(
  c: LiteClient,
  code: string,
  sourceEventId: string | null,
  from = 0,
): Promise<Received> {
  const e = await c.waitFor((x) => x.type === 'error', 10_000, from);
  expect(e).toEqual({
    type: 'error',
    event_id: expect.any(String),
    source_event_id: sourceEventId,
    error: { type: 'invalid_request_error', code, message: expect.any(String), event_id: sourceEventId },
    receivedAt: expect.any(Number),
  });
  expect(e.error.message.length).toBeGreaterThan(10);
  return e;
}

/** The socket is open and the session plays a valid utterance. */
async function expectStillWorks(
  c: LiteClient,
  id = `ok-${Math.random().toString(36).slice(2)}`,
): Promise<void> {
  expect(c.ws.readyState).toBe(c.ws.OPEN);
  c.send({ type: 'agent.speak', event_id: id, audio: pcmBase64(200) });
  c.send({ type: 'agent.speak_end', event_id: id });
  const ended = await c.waitFor((e) => e.type === 'agent.speak_ended' && e.source_event_id === id, 10_000);
  expectOneUtterance(c, ended.task.id);
  expect(c.closeCode).toBeNull();
  expectWellFormed(c);
}

it('malformed JSON → error ws_invalid_json', async () => {
  const c = await fresh();
  c.send('{"type":"agent.speak","event_id":"x",');
  await expectError(c, 'ws_invalid_json', null);
  c.send('not json at all');
  await c.waitFor((e) => e.type === 'error' && c.events.filter((x) => x.type === 'error').length === 2);
  await expectStillWorks(c);
});

it('JSON without type (or not an object) → error ws_invalid_message naming "type"', async () => {
  const c = await fresh();
  c.send({ event_id: 'no-type', audio: pcmBase64(40) });
  // The error still names the command it answers, so a client can match it.
  const e = await expectError(c, 'ws_invalid_message', 'no-type');
  expect(e.error.message).toMatch(/type/);
  for (const raw of ['[1,2]', 'null', '"agent.speak"', '{"type":7}']) {
    const from = c.events.length;
    c.send(raw);
    await expectError(c, 'ws_invalid_message', null, from);
  }
  expect(ofType(c, 'agent.audio_buffer_appended')).toEqual([]);
  await expectStillWorks(c);
});

it('agent.speak without audio, or with audio as a number → error ws_invalid_message naming "audio"', async () => {
  const c = await fresh();
  c.send({ type: 'agent.speak', event_id: 'no-audio' });
  const a = await expectError(c, 'ws_invalid_message', 'no-audio');
  expect(a.error.message).toMatch(/audio/);
  const from = c.events.length;
  c.send({ type: 'agent.speak', event_id: 'num-audio', audio: 12345 });
  const b = await expectError(c, 'ws_invalid_message', 'num-audio', from);
  expect(b.error.message).toMatch(/audio/);
  expect(ofType(c, 'agent.audio_buffer_appended')).toEqual([]);
  await expectStillWorks(c);
});

it('a frame above 1 MiB → error ws_message_too_large; audio queued before it still plays fully', async () => {
  const c = await fresh();
  c.send({ type: 'agent.speak', event_id: 'pre', audio: pcmBase64(1000) });
  // ~1.1 MB of base64 (≈ 17 s of audio) in one frame.
  const big = JSON.stringify({ type: 'agent.speak', event_id: 'big', audio: pcmBase64(17_200) });
  expect(big.length).toBeGreaterThan(1_100_000);
  c.send(big);
  c.send({ type: 'agent.speak_end', event_id: 'pre' });
  const err = await expectError(c, 'ws_message_too_large', 'big');
  expect(err.error.message).toMatch(/1 MiB|1048576/);
  const started = await c.waitType('agent.speak_started', 10_000);
  const ended = await c.waitType('agent.speak_ended', 10_000);
  // The queued 1 s played whole, and the oversized chunk did not join it.
  const ms = ended.receivedAt - started.receivedAt;
  expect(ms).toBeGreaterThanOrEqual(700);
  expect(ms).toBeLessThan(2500);
  expect(ofType(c, 'agent.audio_buffer_appended').map((e) => e.source_event_id)).toEqual(['pre']);
  expectOneUtterance(c, started.task.id);
  await expectStillWorks(c);
});

it('audio with characters outside base64 → error ws_invalid_audio; the utterance around it is intact', async () => {
  const c = await fresh();
  c.send({ type: 'agent.speak', event_id: 'u', audio: pcmBase64(200) });
  c.send({ type: 'agent.speak', event_id: 'bad-chars', audio: 'AB$%^&*!' });
  c.send({ type: 'agent.speak', event_id: 'not-padded', audio: 'QUJD' + 'QQ' });
  c.send({ type: 'agent.speak', event_id: 'u', audio: pcmBase64(200) });
  c.send({ type: 'agent.speak_end', event_id: 'u' });
  const e = await expectError(c, 'ws_invalid_audio', 'bad-chars');
  expect(e.error.message).toMatch(/base64/);
  await expectError(c, 'ws_invalid_audio', 'not-padded', c.events.indexOf(e) + 1);
  const ended = await c.waitType('agent.speak_ended', 10_000);
  expect(ofType(c, 'agent.audio_buffer_appended').map((x) => x.source_event_id)).toEqual(['u', 'u']);
  expectOneUtterance(c, ended.task.id);
  await expectStillWorks(c);
});

it('audio of an odd byte count (base64 of 3 bytes) → error ws_invalid_audio mentioning "odd"', async () => {
  const c = await fresh();
  const threeBytes = Buffer.from([1, 2, 3]).toString('base64');
  expect(threeBytes).toBe('AQID');
  c.send({ type: 'agent.speak', event_id: 'odd', audio: threeBytes });
  const e = await expectError(c, 'ws_invalid_audio', 'odd');
  expect(e.error.message).toMatch(/odd/);
  expect(ofType(c, 'agent.audio_buffer_appended')).toEqual([]);
  await expectStillWorks(c);
});

it('agent.speak with empty audio → warning empty_audio, nothing queued', async () => {
  const c = await fresh();
  c.send({ type: 'agent.speak', event_id: 'empty', audio: '' });
  const w = await c.waitType('warning');
  expect(w).toMatchObject({
    source_event_id: 'empty',
    warning: { type: 'empty_audio', code: 'empty_audio' },
  });
  expect(ofType(c, 'agent.audio_buffer_appended')).toEqual([]);
  expect(ofType(c, 'error')).toEqual([]);
  await expectStillWorks(c);
});

it('a binary frame → error ws_binary_not_supported', async () => {
  const c = await fresh();
  c.ws.send(Buffer.from(JSON.stringify({ type: 'agent.speak', event_id: 'bin', audio: pcmBase64(40) })), {
    binary: true,
  });
  await expectError(c, 'ws_binary_not_supported', null);
  c.ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
  await c.waitFor(() => ofType(c, 'error').length === 2);
  expect(ofType(c, 'agent.audio_buffer_appended')).toEqual([]);
  await expectStillWorks(c);
});

it('unknown type "foo.bar" → warning unknown_command, nothing else happens', async () => {
  const c = await fresh();
  c.send({ type: 'foo.bar', event_id: 'f-1', whatever: true });
  const w = await c.waitType('warning');
  expect(w).toEqual({
    type: 'warning',
    event_id: expect.any(String),
    source_event_id: 'f-1',
    warning: {
      type: 'unknown_command',
      code: 'unknown_command',
      message: expect.stringContaining('foo.bar'),
    },
    receivedAt: expect.any(Number),
  });
  await sleep(100);
  expect(c.types()).toEqual(['session.state_updated', 'warning']);
  await expectStillWorks(c);
  expect(ofType(c, 'error')).toEqual([]);
});

it('event_id null, numeric or missing are all accepted (numbers read as strings)', async () => {
  const c = await fresh();
  c.send({ type: 'agent.speak', event_id: null, audio: pcmBase64(120) });
  c.send({ type: 'agent.speak', event_id: 42, audio: pcmBase64(120) });
  c.send({ type: 'agent.speak', audio: pcmBase64(120) });
  c.send({ type: 'agent.speak_end', event_id: 7 });
  const ended = await c.waitType('agent.speak_ended', 10_000);
  expect(ofType(c, 'agent.audio_buffer_appended').map((e) => e.source_event_id)).toEqual([null, '42', null]);
  expect(ofType(c, 'agent.audio_buffer_committed')).toEqual([
    expect.objectContaining({ source_event_id: '7', task: { id: ended.task.id } }),
  ]);
  expect(ended.source_event_id).toBeNull();
  expectOneUtterance(c, ended.task.id);
  for (const cmd of [
    { type: 'agent.start_listening', event_id: null },
    { type: 'agent.stop_listening', event_id: 3 },
    { type: 'session.keep_alive' },
    { type: 'agent.interrupt', event_id: 0 },
  ]) {
    c.send(cmd);
  }
  await c.waitType('agent.audio_buffer_cleared');
  expect(ofType(c, 'agent.audio_buffer_cleared')[0]!.source_event_id).toBe('0');
  expect(ofType(c, 'error')).toEqual([]);
  await expectStillWorks(c);
});

it('predecessor aliases agent.audio_buffer_append / _commit / _clear work as speak / speak_end / interrupt', async () => {
  const c = await fresh();
  c.send({ type: 'agent.audio_buffer_append', event_id: 'a1', audio: pcmBase64(200) });
  c.send({ type: 'agent.audio_buffer_commit', event_id: 'a1' });
  const ended = await c.waitType('agent.speak_ended', 10_000);
  expect(ofType(c, 'agent.audio_buffer_appended')).toEqual([
    expect.objectContaining({ source_event_id: 'a1', task: { id: ended.task.id } }),
  ]);
  expect(ofType(c, 'agent.audio_buffer_committed')).toEqual([
    expect.objectContaining({ source_event_id: 'a1', task: { id: ended.task.id } }),
  ]);
  expectOneUtterance(c, ended.task.id);

  c.send({ type: 'agent.audio_buffer_append', event_id: 'a2', audio: pcmBase64(2000) });
  const started = await c.waitFor(
    (e) => e.type === 'agent.speak_started' && e.source_event_id === 'a2',
    10_000,
  );
  c.send({ type: 'agent.audio_buffer_clear', event_id: 'a3' });
  const interrupted = await c.waitType('agent.speak_interrupted', 5000);
  expect(interrupted.task.id).toBe(started.task.id);
  expect(ofType(c, 'agent.audio_buffer_cleared')).toEqual([
    expect.objectContaining({ source_event_id: 'a3' }),
  ]);
  expectOneUtterance(c, started.task.id, { interrupted: true });
  expect(ofType(c, 'error')).toEqual([]);
  expect(ofType(c, 'warning')).toEqual([]);
  await expectStillWorks(c);
});
