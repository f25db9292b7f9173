/**
 * Voices (spec §6.2). The built-in voices are the offline espeak-ng TTS and live in code (they cannot be
 * changed or deleted); voices bound to a third-party provider are rows that name a stored secret.
 */
import { randomUUID } from 'node:crypto';
import type { ThirdPartyVoiceProvider, VoiceProvider } from '@liveface/protocol';
import type { Db } from './db.js';
import type { VoiceTable } from './schema.js';

/** A voice as the store returns it. */
export interface VoiceRecord {
  id: string;
  name: string;
  description: string | null;
  /** ISO 639-1 code, or `multi` for a provider voice of unknown language. */
  language: string;
  gender: 'male' | 'female' | 'unknown';
  tags: string[];
  provider: VoiceProvider;
  /** The provider's own voice name (espeak-ng voice+variant, ElevenLabs voice id, …). */
  provider_voice_id: string;
  /** The secret holding the provider's API key; null for built-in voices. */
  secret_id: string | null;
  /** Where the provider is reached (a local OpenAI-compatible TTS, a proxy); null: its own API. */
  base_url: string | null;
  /** The provider's TTS model; null: the client's default. */
  model: string | null;
  builtin: boolean;
  created_at: number;
  updated_at: number;
}

/** Creation time shown for the built-in voices (they ship with the code; the date is fixed so ids and
 * listings are the same on every installation). */
const BUILTIN_CREATED_AT = Date.UTC(2026, 10, 1);

const builtin = (
  id: string,
  name: string,
  espeakVoice: string,
  gender: 'male' | 'female',
  locale: string,
): VoiceRecord => ({
  id,
  name,
  description: `Offline espeak-ng voice ${espeakVoice}: instant and needs no key, but robotic.`,
  language: 'en',
  gender,
  tags: ['builtin', 'offline', 'espeak-ng', locale, gender],
  provider: 'espeak-ng',
  provider_voice_id: espeakVoice,
  secret_id: null,
  base_url: null,
  model: null,
  builtin: true,
  created_at: BUILTIN_CREATED_AT,
  updated_at: BUILTIN_CREATED_AT,
});

/** The voices every installation has (`voice_type=public`). Ids are stable across releases. */
export const BUILTIN_VOICES: readonly VoiceRecord[] = [
  builtin('6c55fcd2-27b5-40e9-ab6d-d1bb3c2942e1', 'English (US) – female', 'en-us+f3', 'female', 'en-US'),
  builtin('09e9a590-f643-424e-836c-499fde9aec33', 'English (US) – male', 'en-us', 'male', 'en-US'),
  builtin('0ed98672-06af-47ba-852e-6a41fc4c1881', 'English (UK) – female', 'en-gb+f3', 'female', 'en-GB'),
  builtin('090bf698-e73e-46db-b7e0-3dc2c0db7e9f', 'English (UK) – male', 'en-gb', 'male', 'en-GB'),
];

/** The voice of a FULL session whose `avatar_persona` names none. */
export const DEFAULT_VOICE_ID = BUILTIN_VOICES[0]!.id;

const record = (r: VoiceTable): VoiceRecord => ({
  id: r.id,
  name: r.name,
  description: null,
  language: r.language,
  gender: r.gender as VoiceRecord['gender'],
  tags: ['third_party', r.provider],
  provider: r.provider as VoiceProvider,
  provider_voice_id: r.provider_voice_id,
  secret_id: r.secret_id,
  base_url: r.base_url,
  model: r.model,
  builtin: false,
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

/** Binds a third-party voice (the caller has checked the secret and the provider). */
export async function createVoice(
  db: Db,
  input: {
    name: string;
    provider: ThirdPartyVoiceProvider;
    provider_voice_id: string;
    secret_id: string;
    base_url: string | null;
    model: string | null;
  },
  now: number,
): Promise<VoiceRecord> {
  // Nothing is asked of the provider here (Liveface may run offline): language and gender are unknown.
  const row: VoiceTable = {
    id: randomUUID(),
    ...input,
    language: 'multi',
    gender: 'unknown',
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('voices').values(row).execute();
  return record(row);
}

/** A page of voices: the built-in ones (`public`) or the bound third-party ones (`private`, newest first). */
export async function listVoices(
  db: Db,
  q: { page: number; pageSize: number; type: 'public' | 'private' },
): Promise<{ rows: VoiceRecord[]; count: number }> {
  const offset = (q.page - 1) * q.pageSize;
  if (q.type === 'public') {
    return { rows: BUILTIN_VOICES.slice(offset, offset + q.pageSize), count: BUILTIN_VOICES.length };
  }
  const { n } = await db
    .selectFrom('voices')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('voices')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.pageSize)
    .offset(offset)
    .execute();
  return { rows: rows.map(record), count: Number(n) };
}

/** One voice, built-in or bound (what the agent pipeline resolves `avatar_persona.voice_id` with). */
export async function getVoice(db: Db, id: string): Promise<VoiceRecord | null> {
  const b = BUILTIN_VOICES.find((v) => v.id === id);
  if (b) return b;
  const r = await db.selectFrom('voices').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? record(r) : null;
}

/** Updates the given fields of a bound voice (`null` clears `base_url` or `model`). */
export async function updateVoice(
  db: Db,
  id: string,
  patch: {
    name?: string | undefined;
    base_url?: string | null | undefined;
    model?: string | null | undefined;
  },
  now: number,
): Promise<void> {
  const set: Partial<VoiceTable> = { updated_at: now };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.base_url !== undefined) set.base_url = patch.base_url;
  if (patch.model !== undefined) set.model = patch.model;
  await db.updateTable('voices').set(set).where('id', '=', id).execute();
}

/** Deletes a bound voice; false if there was none. */
export async function deleteVoice(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('voices').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
