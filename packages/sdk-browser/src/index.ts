/**
 * @liveface/sdk-browser — talk to a Liveface server from a web page. `LiveAvatarSession` mirrors the
 * LiveAvatar web SDK; audio helpers turn files into the LITE wire format.
 */
export { LiveAvatarSession, type SessionEventCallbacks, type VoiceChat } from './session.js';
export {
  AgentEventsEnum,
  CommandEventsEnum,
  ConnectionQuality,
  LivefaceEvent,
  SessionApiError,
  SessionDisconnectReason,
  SessionEvent,
  SessionMode,
  SessionState,
  type AgentEvent,
  type IceServer,
  type SessionConfig,
  type SessionInfo,
  type VoiceChatConfig,
} from './types.js';
export {
  LITE_SAMPLE_RATE_HZ,
  audioFileToChunks,
  chunkPcm,
  decodeAudioToPcm24k,
  floatToPcm16,
  pcm16ToBase64,
  type ChunkOptions,
} from './audio.js';
export { sessionModeOf } from './api.js';
