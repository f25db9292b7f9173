/**
 * What a FULL session's agent is made of, from its token request: the context's prompt and opening
 * text (dynamic variables filled), the voice's TTS and the LLM (the token's `llm_configuration_id`, or
 * the server's default). Resolved twice: at token time to refuse a bad request with a clear 4xx
 * (unknown context, voice or configuration; a missing variable), and at start to build the clients
 * with the secrets decrypted (they are never stored in the session record).
 */
import { DEFAULT_LLM_BASE_URL, type TokenRequest } from '@liveface/protocol';
import type { Config } from '../config.js';
import { LivefaceError } from '../errors.js';
import type { Db } from '../store/db.js';
import { getContext } from '../store/contexts.js';
import { resolveLlmConfiguration } from '../store/llm-configurations.js';
import { readSecret } from '../store/secrets.js';
import { DEFAULT_VOICE_ID, getVoice, type VoiceRecord } from '../store/voices.js';
import { resolveContextText } from '../sessions/dynamic-variables.js';
import {
  CartesiaTts,
  DeepgramStt,
  ElevenLabsTts,
  EspeakTts,
  OpenAiLlm,
  OpenAiStt,
  OpenAiTts,
  type LlmProvider,
  type SttProvider,
  type TtsProvider,
} from './providers/index.js';

type FullRequest = Extract<TokenRequest, { mode: 'FULL' }>;

/** A FULL session's persona, resolved. */
export interface FullSetup {
  /** The context's prompt; null without a context (restricted mode: transcripts, no answers). */
  prompt: string | null;
  openingText: string;
  voice: VoiceRecord;
  /** Where the LLM is, or null when neither the token nor the server names one. */
  llm: { baseUrl: string; apiKey: string | undefined; model: string } | null;
  language: string;
}

/** Resolves the persona of a FULL token request; throws the 4xx a client can act on. */
export async function resolveFullSetup(
  db: Db,
  secretsKey: Buffer,
  config: Config,
  req: FullRequest,
): Promise<FullSetup> {
  const persona = req.avatar_persona;
  let prompt: string | null = null;
  let openingText = '';
  if (persona.context_id) {
    const context = await getContext(db, persona.context_id);
    if (!context) {
      throw new LivefaceError('context_not_found', `No context with id ${persona.context_id}.`, {
        field: 'avatar_persona.context_id',
      });
    }
    const text = resolveContextText(context, req.dynamic_variables);
    prompt = text.prompt;
    openingText = text.opening_text;
  }
  const voiceId = persona.voice_id ?? DEFAULT_VOICE_ID;
  const voice = await getVoice(db, voiceId);
  if (!voice) {
    throw new LivefaceError('voice_not_found', `No voice with id ${voiceId}.`, {
      field: 'avatar_persona.voice_id',
    });
  }
  let llm: FullSetup['llm'] = null;
  if (req.llm_configuration_id) {
    const c = await resolveLlmConfiguration(db, secretsKey, req.llm_configuration_id).catch((e: unknown) => {
      if (e instanceof LivefaceError && e.code === 'llm_configuration_not_found') {
        throw new LivefaceError(e.code, e.message, { field: 'llm_configuration_id' });
      }
      throw e;
    });
    llm = { baseUrl: c.baseUrl, apiKey: c.apiKey, model: c.model };
  } else if (config.llmBaseUrl) {
    llm = { baseUrl: config.llmBaseUrl, apiKey: config.llmApiKey, model: config.llmModel };
  }
  return { prompt, openingText, voice, llm, language: persona.language };
}

/** The model of an `openai` voice that names none (OpenAI's streaming TTS model). */
export const DEFAULT_OPENAI_TTS_MODEL = 'gpt-4o-mini-tts';

/**
 * The TTS of a voice (its secret decrypted). A voice's `base_url` and `model` override the provider's
 * defaults; an `openai` voice without `base_url` goes to OpenAI's API (`DEFAULT_LLM_BASE_URL` is that
 * API's base), and its URL is read by `openAiApi` inside the client, as for the LLM and STT.
 */
export async function ttsForVoice(db: Db, secretsKey: Buffer, voice: VoiceRecord): Promise<TtsProvider> {
  if (voice.provider === 'espeak-ng') return new EspeakTts({ voice: voice.provider_voice_id });
  const apiKey = voice.secret_id ? (await readSecret(db, secretsKey, voice.secret_id)).value : undefined;
  const baseUrl = voice.base_url ?? undefined;
  const model = voice.model ?? undefined;
  switch (voice.provider) {
    case 'elevenlabs':
      return new ElevenLabsTts({ apiKey, voiceId: voice.provider_voice_id, baseUrl, modelId: model });
    case 'cartesia':
      // Cartesia streams over a WebSocket on the same host: an http(s) base is its ws(s) base.
      return new CartesiaTts({
        apiKey,
        voiceId: voice.provider_voice_id,
        baseUrl: baseUrl?.replace(/^http/, 'ws'),
        modelId: model,
      });
    case 'openai':
      return new OpenAiTts({
        apiKey,
        voice: voice.provider_voice_id,
        baseUrl: baseUrl ?? DEFAULT_LLM_BASE_URL,
        model: model ?? DEFAULT_OPENAI_TTS_MODEL,
      });
    default:
      throw new LivefaceError(
        'mode_not_supported',
        `Voices of provider ${voice.provider} cannot speak on this server yet; use an espeak-ng, ElevenLabs, Cartesia or OpenAI voice.`,
        { field: 'avatar_persona.voice_id' },
      );
  }
}

/** The chat model of a setup, or null. */
export function llmFor(setup: FullSetup): LlmProvider | null {
  if (!setup.llm) return null;
  return new OpenAiLlm({
    baseUrl: setup.llm.baseUrl,
    ...(setup.llm.apiKey ? { apiKey: setup.llm.apiKey } : {}),
    model: setup.llm.model,
  });
}

/** The server's speech-to-text, or null when none is configured. */
export function sttFor(config: Config): SttProvider | null {
  const o = {
    ...(config.sttBaseUrl ? { baseUrl: config.sttBaseUrl } : {}),
    ...(config.sttApiKey ? { apiKey: config.sttApiKey } : {}),
    model: config.sttModel ?? (config.sttProvider === 'deepgram' ? 'nova-3' : 'whisper-1'),
  };
  if (config.sttProvider === 'openai') return new OpenAiStt(o);
  if (config.sttProvider === 'deepgram') return new DeepgramStt(o);
  return null;
}
