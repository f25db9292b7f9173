/** Table types of the store. Times are integer milliseconds since the epoch (portable to PostgreSQL bigint). */
import type { Generated } from 'kysely';

/** API keys; only a SHA-256 hash of each key is kept. */
export interface ApiKeyTable {
  id: string;
  name: string;
  /** First characters of the key, shown in listings so a person can tell keys apart. */
  prefix: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Avatars: built-ins are upserted at boot; deletion is soft. */
export interface AvatarTable {
  id: string;
  name: string;
  type: 'IMAGE' | 'VIDEO';
  status: 'ACTIVE' | 'INIT' | 'DEPLOYING' | 'FAILED';
  preview_url: string | null;
  default_voice_id: string | null;
  is_public: number;
  is_1080p: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** Session records; they outlive the process. */
export interface SessionTable {
  id: string;
  mode: 'FULL' | 'LITE';
  status: 'created' | 'active' | 'ended';
  avatar_id: string;
  is_sandbox: number;
  max_duration_s: number;
  /** The normalized token request, JSON. */
  request_json: string;
  api_key_id: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  last_activity_at: number;
}

/** Transcript lines of a session. */
export interface TranscriptTable {
  id: Generated<number>;
  session_id: string;
  role: 'user' | 'avatar';
  text: string;
  at_ms: number;
}

/** Provider secrets (spec §6.5); the value only ever sealed (auth/secret-box.ts). */
export interface SecretTable {
  id: string;
  name: string;
  type: string;
  /** `v1.<key id>.<iv>.<ciphertext>.<tag>`, AES-256-GCM with the secret's id as associated data. */
  value_sealed: string;
  created_at: number;
}

/** OpenAI-compatible LLM endpoints (spec §6.6). */
export interface LlmConfigurationTable {
  id: string;
  display_name: string;
  model_name: string;
  secret_id: string;
  base_url: string;
  created_at: number;
  updated_at: number;
}

/** Contexts: the persona prompt of FULL sessions (spec §6.3). */
export interface ContextTable {
  id: string;
  name: string;
  prompt: string;
  opening_text: string;
  /** `[{url, faq, id}]`, JSON. */
  links_json: string;
  created_at: number;
  updated_at: number;
}

/** Voices bound to a third-party TTS provider (spec §6.2); the built-in voices live in code. */
export interface VoiceTable {
  id: string;
  name: string;
  provider: string;
  provider_voice_id: string;
  secret_id: string;
  language: string;
  gender: string;
  /** Where the provider is reached; null: its own API (migration 0003). */
  base_url: string | null;
  /** The provider's TTS model; null: the client's default (migration 0003). */
  model: string | null;
  created_at: number;
  updated_at: number;
}

/** The whole database. */
export interface Database {
  api_keys: ApiKeyTable;
  avatars: AvatarTable;
  sessions: SessionTable;
  transcript_entries: TranscriptTable;
  secrets: SecretTable;
  llm_configurations: LlmConfigurationTable;
  contexts: ContextTable;
  voices: VoiceTable;
}
