import { z } from 'zod';

/** Session modes on the wire. `CUSTOM` is the pre-2026 name of `LITE` and is accepted as its alias. */
export const SessionMode = z.enum(['FULL', 'LITE']);
/** A session mode after alias resolution. */
export type SessionMode = z.infer<typeof SessionMode>;

/** Why a session ended (LiveAvatar `SessionEndReasonEnum` plus `DISPATCH_FAILED`). */
export const SessionEndReason = z.enum([
  'UNKNOWN',
  'USER_DISCONNECTED',
  'SERVER_ERROR',
  'IDLE_TIMEOUT',
  'NO_CREDITS',
  'USER_CLOSED',
  'AVATAR_DELETED',
  'MAX_DURATION_REACHED',
  'ZOMBIE_SESSION_REAP',
  'AGENT_HANG_UP',
  'DISPATCH_FAILED',
]);
/** Why a session ended. */
export type SessionEndReason = z.infer<typeof SessionEndReason>;

/** Lifecycle of a session record: minted by /token, running after /start, ended once. */
export const SessionStatus = z.enum(['created', 'active', 'ended']);
/** Lifecycle of a session record. */
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Video quality names; low 360p, medium 480p, high 720p, very_high 1080p. */
export const VideoQuality = z.enum(['very_high', 'high', 'medium', 'low']);
/** Video quality name. */
export type VideoQuality = z.infer<typeof VideoQuality>;

/** Requested video codec. */
export const VideoEncoding = z.enum(['VP8', 'H264']);
/** Requested video codec. */
export type VideoEncoding = z.infer<typeof VideoEncoding>;

/** `video_settings` of a token request. */
export const VideoSettings = z.object({
  quality: VideoQuality.optional(),
  encoding: VideoEncoding.optional(),
});

/** Bring-your-own LiveKit room, normalized from either wire shape. */
export type LiveKitConfig = { url: string; room: string | null; token: string };

/** `livekit_config`: the OAS shape `{livekit_url, livekit_room, livekit_client_token}` or the docs shape `{url, token}`. */
export const LiveKitConfigInput = z
  .union([
    z.object({
      livekit_url: z.string().min(1),
      livekit_room: z.string().min(1),
      livekit_client_token: z.string().min(1),
    }),
    z.object({ url: z.string().min(1), token: z.string().min(1), room: z.string().min(1).optional() }),
  ])
  .transform((c): LiveKitConfig =>
    'livekit_url' in c
      ? { url: c.livekit_url, room: c.livekit_room, token: c.livekit_client_token }
      : { url: c.url, room: c.room ?? null, token: c.token },
  );

/** `agora_config` of a LITE token request. */
export const AgoraConfig = z.object({
  agora_app_id: z.string().min(1),
  agora_token: z.string().min(1),
  agora_channel: z.string().min(1),
  agora_uid: z.string().min(1),
});

/** `avatar_persona` of a FULL token request. */
export const AvatarPersona = z.object({
  voice_id: z.string().min(1).nullish(),
  context_id: z.string().min(1).nullish(),
  language: z.string().min(1).max(16).default('en'),
  voice_settings: z.record(z.string(), z.unknown()).nullish(),
  stt_config: z.object({ provider: z.string().min(1) }).nullish(),
});

/** `dynamic_variables`: ≤ 50 entries, keys ≤ 64 chars, values ≤ 1000 chars. */
export const DynamicVariables = z
  .record(z.string().min(1).max(64), z.string().max(1000))
  .refine((v) => Object.keys(v).length <= 50, { message: 'at most 50 dynamic variables' });

/** Fields every token request may carry, whatever its mode. */
const TokenRequestCommon = {
  avatar_id: z.string().min(1).max(128),
  is_sandbox: z.boolean().default(false),
  video_settings: VideoSettings.nullish(),
  /** Off-schema: the LiveKit Agents plugin sends the quality at the top level. */
  video_quality: VideoQuality.nullish(),
  /** Off-schema: one guide sends the codec at the top level. */
  video_encoding: VideoEncoding.nullish(),
  max_session_duration: z.number().int().positive().nullish(),
};

/** LITE (alias CUSTOM) token request body. */
export const LiteTokenRequest = z.object({
  mode: z.literal('LITE'),
  ...TokenRequestCommon,
  livekit_config: LiveKitConfigInput.nullish(),
  agora_config: AgoraConfig.nullish(),
  elevenlabs_agent_config: z.record(z.string(), z.unknown()).nullish(),
  openai_realtime_config: z.record(z.string(), z.unknown()).nullish(),
  gemini_realtime_config: z.record(z.string(), z.unknown()).nullish(),
});

/** FULL token request body. */
export const FullTokenRequest = z.object({
  mode: z.literal('FULL'),
  ...TokenRequestCommon,
  avatar_persona: AvatarPersona,
  interactivity_type: z.enum(['CONVERSATIONAL', 'PUSH_TO_TALK']).default('CONVERSATIONAL'),
  llm_configuration_id: z.string().min(1).nullish(),
  dynamic_variables: DynamicVariables.nullish(),
  memory: z
    .object({ prev_session_id: z.string().nullish(), session_memory_id: z.string().nullish() })
    .nullish(),
});

/**
 * `POST /v1/sessions/token` body. `CUSTOM` is read as `LITE`; a body without `mode` is FULL when it
 * has `avatar_persona`, LITE otherwise (docs/compat.md).
 */
export const TokenRequest = z.preprocess(
  (body) => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
    const b = body as Record<string, unknown>;
    if (b.mode === 'CUSTOM') return { ...b, mode: 'LITE' };
    if (b.mode === undefined || b.mode === null) {
      return { ...b, mode: 'avatar_persona' in b ? 'FULL' : 'LITE' };
    }
    return body;
  },
  z.discriminatedUnion('mode', [LiteTokenRequest, FullTokenRequest]),
);
/** A parsed token request. */
export type TokenRequest = z.infer<typeof TokenRequest>;

/** `data` of the token answer. */
export const TokenResponse = z.object({ session_id: z.string(), session_token: z.string() });
/** `data` of the token answer. */
export type TokenResponse = z.infer<typeof TokenResponse>;

/** What the session token's `start_session_data` claim carries; the web SDK reads `mode` from it. */
export const StartSessionData = z.object({
  mode: SessionMode,
  avatar_id: z.string(),
  is_sandbox: z.boolean(),
  interactivity_type: z.enum(['CONVERSATIONAL', 'PUSH_TO_TALK']).optional(),
  voice_id: z.string().optional(),
});
/** What the session token's `start_session_data` claim carries. */
export type StartSessionData = z.infer<typeof StartSessionData>;

/** Claims of a Liveface session token (an HS256 JWT). */
export const SessionTokenClaims = z.object({
  iss: z.literal('liveface'),
  typ: z.literal('session'),
  sub: z.string(),
  session_id: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
  start_session_data: StartSessionData,
});
/** Claims of a Liveface session token. */
export type SessionTokenClaims = z.infer<typeof SessionTokenClaims>;

/** Body of start / stop / keep-alive: always optional; a `session_id` is needed only with an API key. */
export const SessionRefBody = z.object({ session_id: z.string().min(1).nullish() });

/** `POST /v1/sessions/stop` body. */
export const StopRequest = SessionRefBody.extend({
  reason: SessionEndReason.nullish(),
});
/** `POST /v1/sessions/stop` body. */
export type StopRequest = z.infer<typeof StopRequest>;

/**
 * `data` of the start answer. LiveKit fields are filled by the media transports; until one runs they
 * are absent (docs/compat.md). FULL sessions never carry `ws_url`.
 */
export const StartResponse = z.object({
  session_id: z.string(),
  max_session_duration: z.number().int(),
  ws_url: z.string().optional(),
  /** Liveface: WHEP-style URL of the built-in WebRTC transport (POST an SDP offer, get the answer). */
  webrtc_url: z.string().optional(),
  /** Liveface: ICE servers for the viewer's RTCPeerConnection. */
  ice_servers: z
    .array(
      z.object({
        urls: z.union([z.string(), z.array(z.string())]),
        username: z.string().optional(),
        credential: z.string().optional(),
      }),
    )
    .optional(),
  livekit_url: z.string().optional(),
  livekit_client_token: z.string().optional(),
  livekit_agent_token: z.string().optional(),
});
/** `data` of the start answer. */
export type StartResponse = z.infer<typeof StartResponse>;

/** `GET /v1/sessions` query. */
export const ListSessionsQuery = z.object({
  type: z.enum(['active', 'historic']),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
  avatar_id: z.string().optional(),
  context_id: z.string().optional(),
  embed_id: z.string().optional(),
});

/** A session in lists and in `GET /v1/sessions/{id}`. Historic entries add `end_at`/`end_reason`. */
export const SessionEntry = z.object({
  id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  duration: z.number().int(),
  source: z.enum(['DEMO', 'APP', 'API', 'EMBED']),
  mode: SessionMode,
  is_sandbox: z.boolean(),
  credits_consumed: z.number(),
  avatar_id: z.string(),
  status: SessionStatus,
  end_at: z.string().nullable().optional(),
  end_reason: SessionEndReason.nullable().optional(),
});
/** A session in lists. */
export type SessionEntry = z.infer<typeof SessionEntry>;

/** `GET /v1/sessions/{id}/transcript` query (timestamps in seconds since the epoch). */
export const TranscriptQuery = z.object({
  start_timestamp: z.coerce.number().int().min(0).optional(),
  end_timestamp: z.coerce.number().int().min(0).optional(),
});

/** One transcript line. */
export const TranscriptEntry = z.object({
  role: z.enum(['user', 'avatar']),
  transcript: z.string(),
  absolute_timestamp: z.number().int(),
  relative_timestamp: z.number().int(),
});

/** `data` of the transcript answer. */
export const TranscriptResponse = z.object({
  session_active: z.boolean(),
  next_timestamp: z.number().int().optional(),
  transcript_data: z.array(TranscriptEntry),
});
/** `data` of the transcript answer. */
export type TranscriptResponse = z.infer<typeof TranscriptResponse>;

/** Output sizes of each quality (landscape). */
export const QUALITY_HEIGHT_PX: Readonly<Record<VideoQuality, number>> = {
  low: 360,
  medium: 480,
  high: 720,
  very_high: 1080,
};

/**
 * The video a token request asks for: `video_settings` wins over the off-schema top-level
 * `video_quality`/`video_encoding`; defaults are `high` and `VP8` (what the built-in transport sends).
 */
export function resolveVideo(req: TokenRequest): { quality: VideoQuality; encoding: VideoEncoding } {
  return {
    quality: req.video_settings?.quality ?? req.video_quality ?? 'high',
    encoding: req.video_settings?.encoding ?? req.video_encoding ?? 'VP8',
  };
}
