/**
 * REST resources of spec §6: secrets (§6.5), LLM configurations (§6.6), contexts (§6.3) and voices (§6.2).
 * Request bodies accept the spellings real clients send (docs/compat.md, "Resources"); responses follow
 * the OAS field names.
 */
import { z } from 'zod';
import { PageQuery } from './envelope.js';

// ---------------------------------------------------------------------------------------------- secrets

/**
 * Every accepted `secret_type`: the OAS enum, `LLM_API_KEY` from the custom-LLM docs, and the keys of the
 * providers Liveface's FULL mode can call.
 */
export const SECRET_TYPES = [
  'OPENAI_API_KEY',
  'ELEVENLABS_API_KEY',
  'GEMINI_API_KEY',
  'LLM_API_KEY',
  'DEEPGRAM_API_KEY',
  'CARTESIA_API_KEY',
  'ASSEMBLYAI_API_KEY',
  'GLADIA_API_KEY',
  'FISH_AUDIO_API_KEY',
] as const;
/** A `secret_type`. */
export const SecretType = z.enum(SECRET_TYPES);
/** A `secret_type`. */
export type SecretType = z.infer<typeof SecretType>;

/** Longest accepted `secret_value`, characters (API keys are far shorter; this bounds the row). */
export const SECRET_VALUE_MAX_CHARS = 16_384;

/** `POST /v1/secrets` body. */
export const SecretCreate = z.object({
  secret_name: z.string().min(1).max(255),
  secret_value: z.string().min(1).max(SECRET_VALUE_MAX_CHARS),
  secret_type: SecretType,
});
/** `POST /v1/secrets` body. */
export type SecretCreate = z.infer<typeof SecretCreate>;

/** `POST /v1/secrets` answer. */
export const SecretCreated = z.object({ id: z.string(), secret_name: z.string() });

/** One entry of `GET /v1/secrets`: metadata only, never the value. */
export const SecretInfo = z.object({
  id: z.string(),
  secret_name: z.string(),
  secret_type: SecretType,
  created_at: z.string(),
});
/** One entry of `GET /v1/secrets`. */
export type SecretInfo = z.infer<typeof SecretInfo>;

// --------------------------------------------------------------------------------- LLM configurations

/** `base_url` of an LLM configuration created without one (OpenAI's API, in OpenAI SDK form). */
export const DEFAULT_LLM_BASE_URL = 'https://api.openai.com/v1';

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2048);
/**
 * Lets a "one of two aliases is required" check run even when other fields are invalid, so one answer
 * names every bad field (zod skips refinements after such issues by default). It only reads whether the
 * alias keys are present, which is safe on any object.
 */
const runsAlways = (p: { value: unknown }): boolean => typeof p.value === 'object' && p.value !== null;

/** Secret ids are UUIDs here, but the OAS only bounds them to 1..36 characters. */
const SecretRef = z.string().min(1).max(36);

const LlmFields = {
  display_name: z.string().min(1).max(255),
  model_name: z.string().min(1).max(255),
  /** Alias of `model_name` (one guide's spelling). */
  model: z.string().min(1).max(255).optional(),
  secret_id: SecretRef,
  base_url: HttpUrl,
};

/** `POST /v1/llm-configurations` body; `model` is read as `model_name`. */
export const LlmConfigurationCreate = z
  .object({
    ...LlmFields,
    model_name: LlmFields.model_name.optional(),
    base_url: HttpUrl.nullish(),
  })
  .refine((v) => v.model_name !== undefined || v.model !== undefined, {
    path: ['model_name'],
    message: 'Required (or its alias `model`)',
    when: runsAlways,
  })
  .transform(({ model, model_name, base_url, ...rest }) => ({
    ...rest,
    model_name: (model_name ?? model)!,
    base_url: base_url ?? DEFAULT_LLM_BASE_URL,
  }));
/** `POST /v1/llm-configurations` body, normalized. */
export type LlmConfigurationCreate = z.output<typeof LlmConfigurationCreate>;

/** `PATCH /v1/llm-configurations/{id}` body: every field optional; `model` is read as `model_name`. */
export const LlmConfigurationPatch = z
  .object({
    display_name: LlmFields.display_name.optional(),
    model_name: LlmFields.model_name.optional(),
    model: LlmFields.model,
    secret_id: SecretRef.optional(),
    base_url: HttpUrl.optional(),
  })
  .transform(({ model, model_name, ...rest }) => ({ ...rest, model_name: model_name ?? model }));
/** `PATCH /v1/llm-configurations/{id}` body, normalized. */
export type LlmConfigurationPatch = z.output<typeof LlmConfigurationPatch>;

/** An LLM configuration. */
export const LlmConfiguration = z.object({
  id: z.string(),
  base_url: z.string(),
  display_name: z.string(),
  model_name: z.string(),
  secret_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** An LLM configuration. */
export type LlmConfiguration = z.infer<typeof LlmConfiguration>;

/** One entry of `GET /v1/llm-configurations`. */
export const LlmConfigurationItem = LlmConfiguration.pick({
  id: true,
  display_name: true,
  model_name: true,
  secret_id: true,
});

// ------------------------------------------------------------------------------------------- contexts

/** A FAQ link of a context. */
export const ContextLink = z.object({
  url: z.string().min(1).max(2048),
  faq: z.string().max(10_000),
  /** Kept when given (so a client can round-trip links); a fresh UUID otherwise. */
  id: z.string().min(1).max(64).optional(),
});

const ContextFields = {
  name: z.string().min(1).max(255),
  prompt: z.string().min(1).max(100_000),
  opening_text: z.string().max(10_000),
  links: z.array(ContextLink).max(100).optional(),
};

/** `POST /v1/contexts` body; `opening_text` may be left out (read as empty), as one guide does. */
export const ContextCreate = z.object({
  ...ContextFields,
  opening_text: ContextFields.opening_text.default(''),
});
/** `POST /v1/contexts` body. */
export type ContextCreate = z.output<typeof ContextCreate>;

/** `PATCH /v1/contexts/{id}` body: `name`, `prompt` and `opening_text` are required (OAS); `links` replace. */
export const ContextPatch = z.object(ContextFields);
/** `PATCH /v1/contexts/{id}` body. */
export type ContextPatch = z.output<typeof ContextPatch>;

/** A context with its prompt (`ContextDetailSchema`). */
export const ContextDetail = z.object({
  id: z.string(),
  name: z.string(),
  prompt: z.string(),
  opening_text: z.string(),
  links: z.array(z.object({ url: z.string(), faq: z.string(), id: z.string() })),
  created_at: z.string(),
  updated_at: z.string(),
  /** Names of the `${name}` placeholders of `prompt` and `opening_text`, in order of first use. */
  required_dynamic_variables: z.array(z.string()),
});
/** A context with its prompt. */
export type ContextDetail = z.infer<typeof ContextDetail>;

/** One entry of `GET /v1/contexts`. */
export const ContextItem = ContextDetail.pick({ id: true, name: true, created_at: true, updated_at: true });

// --------------------------------------------------------------------------------------------- voices

/** Cloud TTS providers a voice can be bound to (`POST /v1/voices/third_party`). */
export const THIRD_PARTY_VOICE_PROVIDERS = ['elevenlabs', 'cartesia', 'openai', 'deepgram', 'fish'] as const;
/** A provider reached with a stored secret. */
export type ThirdPartyVoiceProvider = (typeof THIRD_PARTY_VOICE_PROVIDERS)[number];

/** Who synthesizes a voice: the built-in offline TTS or a cloud provider. */
export const VOICE_PROVIDERS = ['espeak-ng', ...THIRD_PARTY_VOICE_PROVIDERS] as const;
/** A voice provider. */
export type VoiceProvider = (typeof VOICE_PROVIDERS)[number];

/** The secret type each third-party provider needs (also how a provider is inferred from a secret). */
export const VOICE_PROVIDER_SECRET = {
  elevenlabs: 'ELEVENLABS_API_KEY',
  cartesia: 'CARTESIA_API_KEY',
  openai: 'OPENAI_API_KEY',
  deepgram: 'DEEPGRAM_API_KEY',
  fish: 'FISH_AUDIO_API_KEY',
} as const satisfies Record<ThirdPartyVoiceProvider, SecretType>;

/**
 * A voice (`VoiceSchema`), plus Liveface's `provider`, `provider_voice_id`, and the `base_url` and
 * `model` a bound voice may set (null: the provider's own).
 */
export const Voice = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  language: z.string(),
  gender: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  tags: z.array(z.string()),
  provider: z.enum(VOICE_PROVIDERS),
  provider_voice_id: z.string(),
  base_url: z.string().nullable(),
  model: z.string().nullable(),
});
/** A voice. */
export type Voice = z.infer<typeof Voice>;

/** `GET /v1/voices` query: `public` = the built-in voices (default), `private` = bound third-party voices. */
export const VoiceListQuery = PageQuery.extend({
  voice_type: z.enum(['public', 'private']).default('public'),
});

/** A bound voice's TTS model (`gpt-4o-mini-tts`, `kokoro`, `eleven_flash_v2_5`, `sonic-2` …). */
const VoiceModel = z.string().min(1).max(255);

/**
 * `POST /v1/voices/third_party` body. `voice_id` is read as `provider_voice_id` (one guide's spelling);
 * `provider` is inferred from the secret's type when absent, and may be spelled in any case (`elevenLabs`).
 */
export const ThirdPartyVoiceBind = z
  .object({
    provider_voice_id: z.string().min(1).max(255).optional(),
    voice_id: z.string().min(1).max(255).optional(),
    secret_id: SecretRef,
    name: z.string().min(1).max(64).optional(),
    provider: z.string().toLowerCase().pipe(z.enum(THIRD_PARTY_VOICE_PROVIDERS)).optional(),
    // Liveface extensions. `base_url`: an OpenAI-compatible server for `openai` voices (Kokoro-FastAPI,
    // openedai-speech, LocalAI; read as the OpenAI SDKs read a base URL), or a proxy of ElevenLabs or
    // Cartesia; absent: the provider's own API.
    base_url: HttpUrl.nullish(),
    model: VoiceModel.nullish(),
  })
  .refine((v) => v.provider_voice_id !== undefined || v.voice_id !== undefined, {
    path: ['provider_voice_id'],
    message: 'Required (or its alias `voice_id`)',
    when: runsAlways,
  })
  .transform(({ voice_id, provider_voice_id, base_url, model, ...rest }) => ({
    ...rest,
    provider_voice_id: (provider_voice_id ?? voice_id)!,
    base_url: base_url ?? null,
    model: model ?? null,
  }));
/** `POST /v1/voices/third_party` body, normalized. */
export type ThirdPartyVoiceBind = z.output<typeof ThirdPartyVoiceBind>;

/** `POST /v1/voices/third_party` answer. */
export const ThirdPartyVoiceBound = z.object({ voice_id: z.string() });

/** `PATCH /v1/voices/{id}` body: the given fields change; `base_url` or `model` null clears it. */
export const VoicePatch = z.object({
  name: z.string().min(1).max(64).optional(),
  base_url: HttpUrl.nullable().optional(),
  model: VoiceModel.nullable().optional(),
});
/** `PATCH /v1/voices/{id}` body. */
export type VoicePatch = z.output<typeof VoicePatch>;
