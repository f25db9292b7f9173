/**
 * The data channel speaks LiveAvatar's LiveKit data protocol (spec §8): the viewer sends the JSON
 * commands of the `agent-control` topic, the server sends the JSON events of `agent-response`. One
 * channel carries both directions (the direction is the topic), whatever its label.
 *
 * Every session takes interrupt, listening and keep-alive. FULL sessions also take `avatar.speak_text`
 * and `avatar.speak_response`, handed to the session's agent (agent/agent.ts); in LITE they answer with
 * an `error` event. Push-to-talk answers the `*_failed` acknowledgement the web SDK waits for until
 * FULL sessions listen to the microphone.
 */
import type { PlayoutEvent } from '@liveface/engine';
import { ERRORS } from '@liveface/protocol';
import type { SessionManager } from '../sessions/manager.js';
import type { SessionRuntime } from '../sessions/runtime.js';

/** An `agent-response` event. */
export interface AgentEvent {
  event_id: string;
  event_type: string;
  session_id: string;
  source_event_id?: string | null;
  [key: string]: unknown;
}

type Reply = Omit<AgentEvent, 'event_id' | 'session_id'>;

const FULL_ONLY = new Set(['avatar.speak_text', 'avatar.speak_response']);

/** The `agent-response` event of a playout event, or null for none. */
export function playoutToEvent(e: PlayoutEvent): Reply | null {
  switch (e.kind) {
    case 'speak_started':
      return { event_type: 'avatar.speak_started', source_event_id: e.sourceEventId, task_id: e.turnId };
    case 'speak_ended':
      return { event_type: 'avatar.speak_ended', source_event_id: e.sourceEventId, task_id: e.turnId };
    case 'speak_interrupted':
      // avatar.speak_ended always follows avatar.speak_started (spec §8.3), also when cut short.
      return {
        event_type: 'avatar.speak_ended',
        source_event_id: e.sourceEventId,
        task_id: e.turnId,
        interrupted: true,
      };
    default:
      return null;
  }
}

/** Handles one data-channel message; returns the reply event, if any. */
export function handleCommand(
  data: unknown,
  runtime: SessionRuntime,
  sessions: SessionManager,
  sessionId: string,
): Reply | null {
  let msg: { event_type?: unknown; event_id?: unknown; text?: unknown };
  try {
    const text = typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8');
    msg = JSON.parse(text) as typeof msg;
    if (typeof msg !== 'object' || msg === null) throw new Error('not an object');
  } catch {
    return error(null, 'dc_invalid_json', ERRORS.dc_invalid_json.message);
  }
  const source = typeof msg.event_id === 'string' ? msg.event_id : null;
  const type = msg.event_type;
  if (typeof type !== 'string') {
    return error(source, 'dc_invalid_message', ERRORS.dc_invalid_message.message);
  }
  sessions.touch(sessionId);
  const agent = sessions.agent(sessionId);
  switch (type) {
    case 'avatar.interrupt':
      if (agent) agent.interrupt(source);
      else runtime.interrupt(source);
      return null;
    case 'avatar.speak_text':
    case 'avatar.speak_response': {
      if (!agent) break;
      if (typeof msg.text !== 'string' || !msg.text.trim()) {
        return error(source, 'dc_invalid_message', `${type} needs a non-empty "text".`);
      }
      if (type === 'avatar.speak_text') agent.speakText(msg.text, source);
      else agent.respond(msg.text, source);
      return null;
    }
    case 'avatar.start_listening':
    case 'avatar.stop_listening':
      runtime.scheduler.setListening(type === 'avatar.start_listening', source);
      return null;
    case 'session.keep_alive':
      return null;
    case 'user.start_push_to_talk': {
      const ears = sessions.listener(sessionId);
      if (ears) return { ...ears.startPushToTalk(), source_event_id: source };
      return {
        event_type: 'user.push_to_talk_start_failed',
        source_event_id: source,
        reason: agent
          ? 'the microphone is not available (no voice activity detection)'
          : 'not a FULL session',
      };
    }
    case 'user.stop_push_to_talk': {
      const ears = sessions.listener(sessionId);
      if (ears) return { ...ears.stopPushToTalk(), source_event_id: source };
      return {
        event_type: 'user.push_to_talk_stop_failed',
        source_event_id: source,
        reason: agent
          ? 'the microphone is not available (no voice activity detection)'
          : 'not a FULL session',
      };
    }
  }
  if (FULL_ONLY.has(type)) {
    return error(
      source,
      'mode_not_supported',
      `${type} needs a FULL session; in LITE send audio on the WebSocket.`,
    );
  }
  return error(source, 'unknown_command', `Unknown event_type "${type}".`);
}

function error(source: string | null, code: string, message: string): Reply {
  return { event_type: 'error', source_event_id: source, error: { code, message } };
}
