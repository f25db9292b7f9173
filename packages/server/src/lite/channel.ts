/**
 * The LITE event stream of one session: every socket connected to the session's ws_url receives the
 * same events. Each event gets a fresh `event_id`; answers to a command carry its id as
 * `source_event_id` and, for audio, the utterance's `task.id` (spec §7.3).
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { PlayoutEvent } from '@liveface/engine';
import type { LiteEvent, SessionEndReason } from '@liveface/protocol';
import { LITE_CLOSE_CODES } from '@liveface/protocol';
import type { Metrics } from '../metrics.js';

/** A LITE event before its `event_id` is minted. */
export type OutgoingEvent = LiteEvent extends infer E
  ? E extends LiteEvent
    ? Omit<E, 'event_id'>
    : never
  : never;

/** The set of sockets of one session and the events they share. */
export class LiteChannel {
  private readonly sockets = new Set<WebSocket>();

  constructor(
    readonly sessionId: string,
    private readonly metrics: Metrics,
  ) {}

  /** Number of connected sockets. */
  get size(): number {
    return this.sockets.size;
  }

  /** Adds a socket; it receives every later broadcast. */
  add(ws: WebSocket): void {
    this.sockets.add(ws);
  }

  /** Removes a socket. */
  remove(ws: WebSocket): void {
    this.sockets.delete(ws);
  }

  /** Sends one event to one socket. */
  sendTo(ws: WebSocket, event: OutgoingEvent): void {
    this.write([ws], event);
  }

  /** Sends one event to every socket of the session. */
  broadcast(event: OutgoingEvent): void {
    this.write(this.sockets, event);
  }

  /** Maps a playout event (speech and behaviour at its real-time position) to its wire event. */
  playout(e: PlayoutEvent): void {
    switch (e.kind) {
      case 'speak_started':
      case 'speak_ended':
      case 'speak_interrupted':
        return this.broadcast({
          type: `agent.${e.kind}`,
          source_event_id: e.sourceEventId,
          task: { id: e.turnId },
        });
      case 'state':
        return this.broadcast({
          type: 'agent.state_updated',
          source_event_id: e.sourceEventId,
          previous_state: e.previous,
          new_state: e.next,
        });
    }
  }

  /** Tells every socket the session ended (`closing`, `closed`), then closes them. */
  end(reason: SessionEndReason): void {
    this.broadcast({ type: 'session.state_updated', state: 'closing', reason });
    this.broadcast({ type: 'session.state_updated', state: 'closed', reason });
    for (const ws of this.sockets) ws.close(LITE_CLOSE_CODES.sessionEnded, `session ended: ${reason}`);
    this.sockets.clear();
  }

  private write(targets: Iterable<WebSocket>, event: OutgoingEvent): void {
    const text = JSON.stringify({ ...event, event_id: randomUUID() });
    let sent = false;
    for (const ws of targets) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(text);
      sent = true;
    }
    if (sent) this.metrics.wsMessages.inc({ direction: 'out', type: event.type });
  }
}
