import { z } from 'zod';

/** Audio format of LITE `agent.speak`: base64 of raw PCM s16le, mono. */
export const LITE_AUDIO_SAMPLE_RATE_HZ = 24_000;
/** Largest JSON text frame accepted on the LITE WebSocket (1 MiB); larger frames get an `error` event. */
export const LITE_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Client `event_id`: optional, may be null, shared by many commands or fresh per command. Numbers are
 * read as strings.
 */
export const ClientEventId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === undefined || v === null ? null : String(v)));

const command = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), event_id: ClientEventId, ...shape });

/** Append base64 PCM16 24 kHz mono audio to the current utterance. */
export const SpeakCommand = command('agent.speak', { audio: z.string() });
/** Close the current utterance: it plays out, then the avatar returns to idle or listening. */
export const SpeakEndCommand = command('agent.speak_end', {});
/** Stop playback and drop every queued utterance. */
export const InterruptCommand = command('agent.interrupt', {});
/** Enter the listening pose (after playback, if talking). */
export const StartListeningCommand = command('agent.start_listening', {});
/** Leave the listening pose. */
export const StopListeningCommand = command('agent.stop_listening', {});
/** Reset the idle timer. */
export const KeepAliveCommand = command('session.keep_alive', {});
/** Undocumented stream header a HeyGen starter sends before each utterance; checked, then ignored. */
export const StartStreamCommand = z.object({
  type: z.literal('start'),
  event_id: ClientEventId,
  encoding: z.string().optional(),
  sample_rate: z.number().optional(),
  channels: z.number().optional(),
});

/** Every LITE client command Liveface understands. */
export const LiteCommand = z.discriminatedUnion('type', [
  SpeakCommand,
  SpeakEndCommand,
  InterruptCommand,
  StartListeningCommand,
  StopListeningCommand,
  KeepAliveCommand,
  StartStreamCommand,
]);
/** A parsed LITE client command. */
export type LiteCommand = z.infer<typeof LiteCommand>;
/** LITE command type names. */
export type LiteCommandType = LiteCommand['type'];

/**
 * Names of HeyGen's predecessor realtime API, read as their LITE equivalents (spec Appendix C).
 */
export const LITE_COMMAND_ALIASES: Readonly<Record<string, LiteCommandType>> = {
  'agent.audio_buffer_append': 'agent.speak',
  'agent.audio_buffer_commit': 'agent.speak_end',
  'agent.audio_buffer_clear': 'agent.interrupt',
  'agent.end_listening': 'agent.stop_listening',
};

/** Session connection states sent in `session.state_updated`. */
export const LiteSessionState = z.enum(['connecting', 'connected', 'closing', 'closed']);
/** Avatar behaviour states sent in `agent.state_updated`. */
export const AgentState = z.enum(['idle', 'listening', 'talking']);
/** Avatar behaviour state. */
export type AgentState = z.infer<typeof AgentState>;

const serverEvent = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), event_id: z.string(), ...shape });
const task = z.object({ id: z.string() });
const sourced = { source_event_id: z.string().nullable() };

/** Every LITE server event. Each carries a fresh `event_id`; replies carry the command's id as `source_event_id`. */
export const LiteEvent = z.discriminatedUnion('type', [
  serverEvent('session.state_updated', {
    state: LiteSessionState,
    reason: z.string().optional(),
  }),
  serverEvent('agent.audio_buffer_appended', { ...sourced, task }),
  serverEvent('agent.audio_buffer_committed', { ...sourced, task: task.optional() }),
  serverEvent('agent.audio_buffer_cleared', { ...sourced }),
  serverEvent('agent.state_updated', {
    ...sourced,
    previous_state: AgentState,
    new_state: AgentState,
  }),
  serverEvent('agent.speak_started', { ...sourced, task }),
  serverEvent('agent.speak_ended', { ...sourced, task }),
  serverEvent('agent.speak_interrupted', { ...sourced, task }),
  serverEvent('error', {
    ...sourced,
    error: z.object({
      type: z.enum(['invalid_request_error', 'server_error']),
      code: z.string(),
      message: z.string(),
      event_id: z.string().nullable(),
    }),
  }),
  serverEvent('warning', {
    ...sourced,
    warning: z.object({ type: z.string(), code: z.string(), message: z.string() }),
  }),
]);
/** A LITE server event. */
export type LiteEvent = z.infer<typeof LiteEvent>;
/** A LITE server event type name. */
export type LiteEventType = LiteEvent['type'];

/**
 * WebSocket close codes Liveface uses on the LITE socket (docs/compat.md).
 * 1000: the session ended normally; 4001: unknown or wrong capability URL; 4004: session not found;
 * 4009: session ended (or never started); 1009: frame above the hard transport limit; 1011: server error.
 */
export const LITE_CLOSE_CODES = {
  sessionEnded: 1000,
  tooLarge: 1009,
  serverError: 1011,
  badCapability: 4001,
  notFound: 4004,
  notActive: 4009,
} as const;
