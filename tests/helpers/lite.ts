/**
 * Shared helpers of the LITE WebSocket suites (tests/lite-*.test.ts): connecting, barriers, and the
 * checks every client replay makes (schema, fresh event ids, one started/ended pair per utterance).
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { LiteEvent } from '@liveface/protocol';
import { LiteClient, startTestServer, type Received, type TestServer } from './server.js';

/** Waits `ms` of real time. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Opens a client and waits for its `connected` event. */
export async function connect(wsUrl: string): Promise<LiteClient> {
  const c = new LiteClient(wsUrl);
  await c.waitFor((e) => e.type === 'session.state_updated' && e.state === 'connected', 10_000);
  return c;
}

/**
 * Round trip through the socket: a WS ping answered by a pong. Everything the server wrote to this
 * socket before it read the ping has been received once this resolves (same TCP stream, in order).
 */
export function roundTrip(c: LiteClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no pong')), timeoutMs);
    c.ws.once('pong', () => {
      clearTimeout(t);
      resolve();
    });
    c.ws.ping();
  });
}

/** Raw PCM16 24 kHz mono bytes of `ms` (a tone). */
export function pcmBytes(ms: number): Buffer {
  const n = Math.round((ms * 24_000) / 1000);
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++)
    buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 24_000)), i * 2);
  return buf;
}

/** Splits a byte buffer into chunks of `firstMs` then `restMs` of audio, each as base64. */
export function chunkAudio(bytes: Buffer, firstMs: number, restMs: number): string[] {
  const out: string[] = [];
  let off = 0;
  let size = firstMs * 48;
  while (off < bytes.length) {
    out.push(bytes.subarray(off, off + size).toString('base64'));
    off += size;
    size = restMs * 48;
  }
  return out;
}

/** Splits a string the way the web SDK's repeatAudio does: `first` characters, then `rest`-character slices. */
export function sliceString(s: string, first: number, rest: number): string[] {
  const out: string[] = [];
  let off = 0;
  let size = first;
  while (off < s.length) {
    out.push(s.slice(off, off + size));
    off += size;
    size = rest;
  }
  return out;
}

/** Events of `type`, optionally only from index `from`. */
export function ofType(c: LiteClient, type: string, from = 0): Received[] {
  return c.events.slice(from).filter((e) => e.type === type);
}

/** Checks every received event against the protocol schema and that every event_id is fresh and unique. */
export function expectWellFormed(c: LiteClient): void {
  const ids = new Set<string>();
  for (const e of c.events) {
    const { receivedAt: _r, ...wire } = e;
    const parsed = LiteEvent.safeParse(wire);
    expect(parsed.success, `event does not match the LITE schema: ${JSON.stringify(wire)}`).toBe(true);
    expect(typeof e.event_id).toBe('string');
    expect(e.event_id.length).toBeGreaterThan(0);
    expect(ids.has(e.event_id), `duplicate server event_id ${e.event_id}`).toBe(false);
    ids.add(e.event_id);
  }
  expect(c.events[0]).toMatchObject({ type: 'session.state_updated', state: 'connected' });
}

/** No `error` events were received. */
export function expectNoErrors(c: LiteClient): void {
  expect(ofType(c, 'error'), JSON.stringify(ofType(c, 'error'))).toEqual([]);
}

/**
 * The life of one utterance (task) as seen on the socket: exactly one speak_started, then exactly one
 * speak_ended (or speak_interrupted when `interrupted`), and nothing else with that task id.
 */
export function expectOneUtterance(
  c: LiteClient,
  taskId: string,
  opts: { interrupted?: boolean } = {},
): void {
  const mine = c.events.filter((e) => e.task?.id === taskId);
  const started = mine.filter((e) => e.type === 'agent.speak_started');
  const ended = mine.filter((e) => e.type === 'agent.speak_ended');
  const interrupted = mine.filter((e) => e.type === 'agent.speak_interrupted');
  expect(started, `speak_started of ${taskId}`).toHaveLength(1);
  if (opts.interrupted) {
    expect(interrupted, `speak_interrupted of ${taskId}`).toHaveLength(1);
    expect(ended, `speak_ended of interrupted ${taskId}`).toHaveLength(0);
  } else {
    expect(ended, `speak_ended of ${taskId}`).toHaveLength(1);
    expect(interrupted).toHaveLength(0);
    expect(c.events.indexOf(ended[0]!)).toBeGreaterThan(c.events.indexOf(started[0]!));
  }
}

/**
 * Checks the `agent.audio_buffer_appended` answers to a list of `agent.speak` event ids (in order): one
 * per command, `source_event_id` = the command's id, all with the same task id, which is returned.
 */
export function expectAppended(c: LiteClient, sourceIds: (string | null)[], from = 0): string {
  const appended = ofType(c, 'agent.audio_buffer_appended', from);
  expect(appended.map((e) => e.source_event_id)).toEqual(sourceIds);
  const tasks = new Set(appended.map((e) => e.task.id));
  expect(tasks.size).toBe(1);
  return appended[0]!.task.id;
}

/** Every speak_started and speak_ended received, as `kind:task` strings, in order. */
export function speakLog(c: LiteClient): string[] {
  return c.events
    .filter((e) => /^agent\.speak_(started|ended|interrupted)$/.test(e.type))
    .map((e) => `${e.type.slice('agent.speak_'.length)}:${e.task.id}`);
}

/** All agent.state_updated transitions as `prev>next`. */
export function stateLog(c: LiteClient, from = 0): string[] {
  return ofType(c, 'agent.state_updated', from).map((e) => `${e.previous_state}>${e.new_state}`);
}

/**
 * Registers a test file's server and socket bookkeeping: a server for the whole file, and every socket
 * passed to `track` closed after each test.
 */
export function useLiteServer(): { readonly server: TestServer; track: (c: LiteClient) => LiteClient } {
  let server: TestServer | undefined;
  const clients: LiteClient[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => server?.stop());
  return {
    get server() {
      if (!server) throw new Error('the test server is not started yet');
      return server;
    },
    track: (c) => (clients.push(c), c),
  };
}
