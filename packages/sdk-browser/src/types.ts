/**
 * Public enums and shapes. Names and string values follow the LiveAvatar web SDK
 * (`@heygen/liveavatar-web-sdk`), so code written against it compiles against this package.
 */

/** Lifecycle of a {@link LiveAvatarSession}. */
export enum SessionState {
  INACTIVE = 'INACTIVE',
  CONNECTING = 'CONNECTING',
  CONNECTED = 'CONNECTED',
  DISCONNECTING = 'DISCONNECTING',
  DISCONNECTED = 'DISCONNECTED',
}

/** Why a session disconnected (payload of `session.disconnected`). */
export enum SessionDisconnectReason {
  UNKNOWN_REASON = 'UNKNOWN_REASON',
  CLIENT_INITIATED = 'CLIENT_INITIATED',
  SESSION_START_FAILED = 'SESSION_START_FAILED',
  SERVER_INITIATED = 'SERVER_INITIATED',
}

/** Session mode, read from the session token. */
export enum SessionMode {
  FULL = 'FULL',
  LITE = 'LITE',
}

/** Coarse connection quality (payload of `session.connection_quality_changed`). */
export enum ConnectionQuality {
  UNKNOWN = 'UNKNOWN',
  GOOD = 'GOOD',
  BAD = 'BAD',
}

/** Events about the session itself. */
export enum SessionEvent {
  SESSION_STATE_CHANGED = 'session.state_changed',
  SESSION_STREAM_READY = 'session.stream_ready',
  SESSION_CONNECTION_QUALITY_CHANGED = 'session.connection_quality_changed',
  SESSION_DISCONNECTED = 'session.disconnected',
}

/** Events from the avatar server, under their wire names (data channel `agent-response`, spec §8.3). */
export enum AgentEventsEnum {
  USER_SPEAK_STARTED = 'user.speak_started',
  USER_SPEAK_ENDED = 'user.speak_ended',
  USER_TRANSCRIPTION = 'user.transcription',
  USER_TRANSCRIPTION_CHUNK = 'user.transcription.chunk',
  AVATAR_TRANSCRIPTION = 'avatar.transcription',
  AVATAR_TRANSCRIPTION_CHUNK = 'avatar.transcription.chunk',
  AVATAR_SPEAK_STARTED = 'avatar.speak_started',
  AVATAR_SPEAK_ENDED = 'avatar.speak_ended',
  USER_PUSH_TO_TALK_STARTED = 'user.push_to_talk_started',
  USER_PUSH_TO_TALK_START_FAILED = 'user.push_to_talk_start_failed',
  USER_PUSH_TO_TALK_STOPPED = 'user.push_to_talk_stopped',
  USER_PUSH_TO_TALK_STOP_FAILED = 'user.push_to_talk_stop_failed',
  SESSION_STOPPED = 'session.stopped',
  /** Liveface: the server refused a data-channel command. */
  ERROR = 'error',
}

/** Commands sent on the data channel (`agent-control`, spec §8.2). */
export enum CommandEventsEnum {
  AVATAR_INTERRUPT = 'avatar.interrupt',
  AVATAR_SPEAK_TEXT = 'avatar.speak_text',
  AVATAR_SPEAK_RESPONSE = 'avatar.speak_response',
  AVATAR_START_LISTENING = 'avatar.start_listening',
  AVATAR_STOP_LISTENING = 'avatar.stop_listening',
  SESSION_KEEP_ALIVE = 'session.keep_alive',
}

/** Liveface extensions: every raw message, for logs and debugging. */
export enum LivefaceEvent {
  /** Every message received on the LITE WebSocket (`ws_url`), parsed. */
  WS_MESSAGE = 'liveface.ws_message',
  /** Every message received on the WebRTC data channel, parsed. */
  DATA_MESSAGE = 'liveface.data_message',
}

/** An event from the server: the §8.3 envelope plus its payload. */
export interface AgentEvent {
  event_type: string;
  event_id: string;
  session_id?: string;
  source_event_id?: string | null;
  /** Utterance id (Liveface; the LITE WebSocket's `task.id`). */
  task_id?: string;
  /** `avatar.speak_ended`: true when the utterance was cut short by an interrupt. */
  interrupted?: boolean;
  text?: string;
  stop_reason?: string;
  end_reason?: string;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/** Microphone options (`voiceChat` of {@link SessionConfig}). */
export interface VoiceChatConfig {
  /** Start with the microphone muted (track disabled). */
  defaultMuted?: boolean;
  /** `deviceId` of the microphone to use. */
  deviceId?: string;
}

/** Options of a {@link LiveAvatarSession}. */
export interface SessionConfig {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080` (default: the page's origin). */
  apiUrl?: string;
  /** Send the microphone to the server over WebRTC. */
  voiceChat?: VoiceChatConfig | boolean;
  /** Wait this long for the media connection, ms (default 15 000). */
  connectTimeoutMs?: number;
}

/** ICE server as returned by the start call. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** `data` of `POST /v1/sessions/start`. */
export interface SessionInfo {
  session_id: string;
  max_session_duration: number | null;
  ws_url?: string;
  /** Liveface: WHEP-style URL of the built-in WebRTC transport. */
  webrtc_url?: string;
  /** Liveface: ICE servers for the peer connection. */
  ice_servers?: IceServer[];
  livekit_url?: string;
  livekit_client_token?: string;
}

/** A failed REST call: the server's message, envelope code, HTTP status and stable error code. */
export class SessionApiError extends Error {
  constructor(
    message: string,
    /** Envelope `code` of the answer (500 when absent). */
    readonly errorCode: number,
    /** HTTP status. */
    readonly status: number,
    /** Liveface's stable string code (`data.error`), when the server sent one. */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'SessionApiError';
  }
}
