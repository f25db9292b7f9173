/**
 * The LITE WebSocket gateway (spec §7): accepts sockets on a session's capability URL, validates and
 * decodes client commands, drives the session runtime, and answers with events. Bad input gets an
 * `error` event; nothing a client sends closes the socket or harms the session.
 *
 * One audio chunk's path: `agent.speak` JSON → `decodeAudio` (base64 → PCM16 samples) →
 * `runtime.append` (queued in its utterance) → `agent.audio_buffer_appended` now →
 * the runtime clock plays it out 40 ms per tick → `agent.speak_started` when its first sample plays.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { checkPcm16, pcm16FromBytes } from '@liveface/engine';
import {
  LITE_AUDIO_SAMPLE_RATE_HZ,
  LITE_CLOSE_CODES,
  LITE_COMMAND_ALIASES,
  LITE_MAX_MESSAGE_BYTES,
  LiteCommand,
} from '@liveface/protocol';
import { checkCapability } from '../auth/secrets.js';
import type { Clock, Timer } from '../clock.js';
import { LivefaceError, invalidRequest } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { SessionManager } from '../sessions/manager.js';
import type { SessionRuntime } from '../sessions/runtime.js';
import { getSession } from '../store/sessions.js';
import type { Db } from '../store/db.js';
import { LiteChannel } from './channel.js';

/** Path of a LITE socket: /v1/ws/lite/<session_id>/<capability>. */
const PATH = /^\/v1\/ws\/lite\/([^/?#]+)\/([^/?#]+)\/?(?:\?.*)?$/;
/** Transport hard limit; frames between 1 MiB and this get an error event, larger ones close with 1009. */
const HARD_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** A socket that does not answer a ping within this is dropped (the session lives on). */
const HEARTBEAT_MS = 30_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const KNOWN = LiteCommand.options.map((o) => o.shape.type.value);

/** What the gateway needs. */
export interface LiteGatewayDeps {
  db: Db;
  clock: Clock;
  sessions: SessionManager;
  wsKey: Buffer;
  metrics: Metrics;
  log: Logger;
}

/** Accepts LITE sockets; see the module comment. */
export class LiteGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_FRAME_BYTES });
  private readonly channels = new Map<string, LiteChannel>();

  constructor(private readonly deps: LiteGatewayDeps) {}

  /** Takes an HTTP upgrade if it is for a LITE socket; returns false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const m = PATH.exec(req.url ?? '');
    if (!m) return false;
    const [, sessionId, capability] = m as unknown as [string, string, string];
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.accept(ws, decodeURIComponent(sessionId), decodeURIComponent(capability)).catch((err: unknown) => {
        this.deps.log.error({ err, sessionId }, 'LITE socket setup failed');
        ws.close(LITE_CLOSE_CODES.serverError, 'server error');
      });
    });
    return true;
  }

  /** Closes every socket (server shutdown). */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private async accept(ws: WebSocket, sessionId: string, capability: string): Promise<void> {
    const { sessions, metrics } = this.deps;
    // Listen at once so that commands sent before `connected` are queued, not lost.
    const early: [RawData, boolean][] = [];
    let onMessage: (data: RawData, isBinary: boolean) => void = (data, isBinary) =>
      early.push([data, isBinary]);
    ws.on('message', (data, isBinary) => onMessage(data, isBinary));
    ws.on('error', (err) => this.deps.log.debug({ err, sessionId }, 'LITE socket error'));

    if (!checkCapability(this.deps.wsKey, sessionId, capability)) {
      ws.close(LITE_CLOSE_CODES.badCapability, 'invalid session URL');
      return;
    }
    const runtime = sessions.runtime(sessionId);
    if (!runtime) {
      const row = await getSession(this.deps.db, sessionId);
      if (!row) ws.close(LITE_CLOSE_CODES.notFound, 'no such session');
      else
        ws.close(
          LITE_CLOSE_CODES.notActive,
          row.status === 'ended' ? 'session has ended' : 'session not started',
        );
      return;
    }
    await runtime.ready;
    if (runtime.isClosed || ws.readyState !== ws.OPEN) {
      ws.close(LITE_CLOSE_CODES.notActive, 'session has ended');
      return;
    }
    const channel = this.channel(sessionId, runtime);
    if (!channel) {
      ws.close(LITE_CLOSE_CODES.notActive, 'session has ended');
      return;
    }
    channel.add(ws);
    metrics.wsConnections.inc();
    const heartbeat = this.heartbeat(ws);
    ws.on('close', () => {
      heartbeat.cancel();
      channel.remove(ws);
      metrics.wsConnections.dec();
    });
    channel.sendTo(ws, { type: 'session.state_updated', state: 'connected' });

    // Commands are handled strictly in socket order, including the ones that arrived early.
    let chain = Promise.resolve();
    onMessage = (data, isBinary) => {
      chain = chain.then(() => this.onMessage(channel, runtime, ws, data, isBinary));
    };
    for (const [data, isBinary] of early) onMessage(data, isBinary);
  }

  /** The session's channel, created on first connection and dropped when the session ends. */
  private channel(sessionId: string, runtime: SessionRuntime): LiteChannel | null {
    const existing = this.channels.get(sessionId);
    if (existing) return existing;
    const channel = new LiteChannel(sessionId, this.deps.metrics);
    const off = this.deps.sessions.onEnd(sessionId, (reason) => {
      this.channels.delete(sessionId);
      channel.end(reason);
    });
    if (!off) return null;
    runtime.addListener((e) => channel.playout(e));
    this.channels.set(sessionId, channel);
    return channel;
  }

  private heartbeat(ws: WebSocket): Timer {
    let alive = true;
    ws.on('pong', () => (alive = true));
    const { clock } = this.deps;
    let timer: Timer;
    const beat = () => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
      timer = clock.setTimeout(beat, HEARTBEAT_MS);
    };
    timer = clock.setTimeout(beat, HEARTBEAT_MS);
    return { cancel: () => timer.cancel() };
  }

  private async onMessage(
    channel: LiteChannel,
    runtime: SessionRuntime,
    ws: WebSocket,
    data: RawData,
    isBinary: boolean,
  ): Promise<void> {
    const { metrics, sessions } = this.deps;
    const buf = toBuffer(data);
    let sourceId: string | null = null;
    try {
      if (isBinary) throw new LivefaceError('ws_binary_not_supported');
      if (buf.byteLength > LITE_MAX_MESSAGE_BYTES) {
        sourceId = sniffEventId(buf);
        throw new LivefaceError(
          'ws_message_too_large',
          `The message is ${buf.byteLength} bytes; the limit is ${LITE_MAX_MESSAGE_BYTES} bytes (1 MiB). Send audio in chunks of about 1 s (64 KB of base64).`,
        );
      }
      let raw: unknown;
      try {
        raw = JSON.parse(buf.toString('utf8'));
      } catch {
        throw new LivefaceError(
          'ws_invalid_json',
          'The message is not valid JSON; send one JSON object per text frame.',
        );
      }
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new LivefaceError(
          'ws_invalid_message',
          'Each message must be a JSON object with a string "type".',
          { field: 'type' },
        );
      }
      const eventId = (raw as { event_id?: unknown }).event_id;
      sourceId = typeof eventId === 'string' || typeof eventId === 'number' ? String(eventId) : null;
      if (typeof (raw as { type?: unknown }).type !== 'string') {
        throw new LivefaceError(
          'ws_invalid_message',
          'Each message must be a JSON object with a string "type".',
          { field: 'type' },
        );
      }
      const msg = raw as { type: string };
      const type = LITE_COMMAND_ALIASES[msg.type] ?? msg.type;
      metrics.wsMessages.inc({ direction: 'in', type: KNOWN.includes(type as never) ? type : 'unknown' });
      if (!KNOWN.includes(type as never)) {
        channel.sendTo(ws, {
          type: 'warning',
          source_event_id: sourceId,
          warning: {
            type: 'unknown_command',
            code: 'unknown_command',
            message: `Unknown command type "${msg.type.slice(0, 64)}"; it was ignored. Known: ${KNOWN.join(', ')}.`,
          },
        });
        return;
      }
      const parsed = LiteCommand.safeParse({ ...msg, type });
      if (!parsed.success) {
        const e = invalidRequest(parsed.error.issues, type);
        throw new LivefaceError('ws_invalid_message', e.message, { field: e.field });
      }
      sessions.touch(channel.sessionId);
      await this.dispatch(channel, runtime, ws, parsed.data);
    } catch (err) {
      const e =
        err instanceof LivefaceError ? err : new LivefaceError('internal_error', undefined, { cause: err });
      if (e.status >= 500) this.deps.log.error({ err, sessionId: channel.sessionId }, 'LITE command failed');
      metrics.errors.inc({ code: e.code, channel: 'ws' });
      channel.sendTo(ws, {
        type: 'error',
        source_event_id: sourceId,
        error: {
          type: e.status >= 500 ? 'server_error' : 'invalid_request_error',
          code: e.code,
          message: e.message,
          event_id: sourceId,
        },
      });
    }
  }

  private async dispatch(
    channel: LiteChannel,
    runtime: SessionRuntime,
    ws: WebSocket,
    cmd: LiteCommand,
  ): Promise<void> {
    const playout = runtime.scheduler;
    const source = cmd.event_id;
    switch (cmd.type) {
      case 'agent.speak': {
        const samples = decodeAudio(cmd.audio);
        if (!samples) {
          channel.sendTo(ws, {
            type: 'warning',
            source_event_id: source,
            warning: {
              type: 'empty_audio',
              code: 'empty_audio',
              message: 'agent.speak carried no audio; ignored.',
            },
          });
          return;
        }
        const { turnId } = runtime.append(samples, source);
        this.deps.metrics.audioReceived.inc(samples.length / LITE_AUDIO_SAMPLE_RATE_HZ);
        return channel.broadcast({
          type: 'agent.audio_buffer_appended',
          source_event_id: source,
          task: { id: turnId },
        });
      }
      case 'agent.speak_end': {
        const turnId = playout.commit();
        return channel.broadcast({
          type: 'agent.audio_buffer_committed',
          source_event_id: source,
          ...(turnId ? { task: { id: turnId } } : {}),
        });
      }
      case 'agent.interrupt':
        runtime.interrupt(source);
        return channel.broadcast({ type: 'agent.audio_buffer_cleared', source_event_id: source });
      case 'agent.start_listening':
      case 'agent.stop_listening':
        return playout.setListening(cmd.type === 'agent.start_listening', source);
      case 'session.keep_alive':
        return this.deps.sessions.keepAlive(channel.sessionId);
      case 'start': {
        const problems: string[] = [];
        if (cmd.encoding !== undefined && cmd.encoding !== 'pcm_s16le')
          problems.push(`encoding ${cmd.encoding}`);
        if (cmd.sample_rate !== undefined && cmd.sample_rate !== LITE_AUDIO_SAMPLE_RATE_HZ)
          problems.push(`sample_rate ${cmd.sample_rate}`);
        if (cmd.channels !== undefined && cmd.channels !== 1) problems.push(`channels ${cmd.channels}`);
        if (problems.length) {
          channel.sendTo(ws, {
            type: 'warning',
            source_event_id: source,
            warning: {
              type: 'unsupported_audio_format',
              code: 'unsupported_audio_format',
              message: `Liveface plays pcm_s16le, 24000 Hz, mono; got ${problems.join(', ')}. Resample before sending.`,
            },
          });
        }
        return;
      }
    }
  }
}

/** Decodes `agent.speak` audio; null for an empty chunk, a LivefaceError for bad base64 or odd bytes. */
export function decodeAudio(b64: string): Int16Array | null {
  if (b64.length === 0) return null;
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) {
    throw new LivefaceError(
      'ws_invalid_audio',
      'audio is not valid base64 (standard alphabet, padded to a multiple of 4 characters).',
      { field: 'audio' },
    );
  }
  const bytes = Buffer.from(b64, 'base64');
  const problem = checkPcm16(bytes);
  if (problem === 'empty') return null;
  if (problem === 'odd_byte_count') {
    throw new LivefaceError(
      'ws_invalid_audio',
      `audio decodes to ${bytes.byteLength} bytes, an odd count: PCM16 needs 2 bytes per sample. The chunk was dropped; earlier audio is intact.`,
      { field: 'audio' },
    );
  }
  return pcm16FromBytes(bytes);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Finds `"event_id":"…"` near the start of a message too large to parse, so its error can be correlated. */
function sniffEventId(buf: Buffer): string | null {
  const re = /"event_id"\s*:\s*"([^"]{1,128})"/;
  const m = re.exec(buf.subarray(0, 512).toString('utf8')) ?? re.exec(buf.subarray(-512).toString('utf8'));
  return m ? m[1]! : null;
}
