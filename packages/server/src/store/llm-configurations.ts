/** LLM configurations (spec §6.6): an OpenAI-compatible endpoint, a model and the secret holding its key. */
import { randomUUID } from 'node:crypto';
import { LivefaceError } from '../errors.js';
import { openAiApi } from '../agent/providers/http.js';
import type { Db } from './db.js';
import type { LlmConfigurationTable } from './schema.js';
import { readSecret } from './secrets.js';

/** An LLM configuration row. */
export type LlmConfigurationRow = LlmConfigurationTable;

const normalize = (r: LlmConfigurationRow): LlmConfigurationRow => ({
  ...r,
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

/** Stores a configuration (the caller has checked that `secret_id` exists). */
export async function createLlmConfiguration(
  db: Db,
  input: { display_name: string; model_name: string; secret_id: string; base_url: string },
  now: number,
): Promise<LlmConfigurationRow> {
  const row = { id: randomUUID(), ...input, created_at: now, updated_at: now };
  await db.insertInto('llm_configurations').values(row).execute();
  return row;
}

/** Every configuration, newest first. */
export async function listLlmConfigurations(db: Db): Promise<LlmConfigurationRow[]> {
  const rows = await db
    .selectFrom('llm_configurations')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(normalize);
}

/** One configuration. */
export async function getLlmConfiguration(db: Db, id: string): Promise<LlmConfigurationRow | null> {
  const r = await db.selectFrom('llm_configurations').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? normalize(r) : null;
}

/** Updates the given fields. */
export async function updateLlmConfiguration(
  db: Db,
  id: string,
  patch: {
    display_name?: string | undefined;
    model_name?: string | undefined;
    secret_id?: string | undefined;
    base_url?: string | undefined;
  },
  now: number,
): Promise<void> {
  const set: Partial<LlmConfigurationRow> = { updated_at: now };
  if (patch.display_name !== undefined) set.display_name = patch.display_name;
  if (patch.model_name !== undefined) set.model_name = patch.model_name;
  if (patch.secret_id !== undefined) set.secret_id = patch.secret_id;
  if (patch.base_url !== undefined) set.base_url = patch.base_url;
  await db.updateTable('llm_configurations').set(set).where('id', '=', id).execute();
}

/** Deletes a configuration; false if there was none. */
export async function deleteLlmConfiguration(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('llm_configurations').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The chat-completions URL of a base URL, by the providers' one rule (agent/providers/http.ts `openAiApi`). */
export function chatCompletionsUrl(baseUrl: string): string {
  return openAiApi('llm', baseUrl)('chat/completions');
}

/** What the agent pipeline needs to call a configured LLM; the API key is decrypted. */
export interface ResolvedLlm {
  /** `base_url` as stored. */
  baseUrl: string;
  /** Where to POST chat completions (`chatCompletionsUrl(baseUrl)`). */
  chatCompletionsUrl: string;
  model: string;
  apiKey: string;
}

/** Resolves a configuration for a session (`llm_configuration_not_found`, or the secret's errors). */
export async function resolveLlmConfiguration(db: Db, secretsKey: Buffer, id: string): Promise<ResolvedLlm> {
  const c = await getLlmConfiguration(db, id);
  if (!c) throw new LivefaceError('llm_configuration_not_found', `No LLM configuration with id ${id}.`);
  const secret = await readSecret(db, secretsKey, c.secret_id);
  return {
    baseUrl: c.base_url,
    chatCompletionsUrl: chatCompletionsUrl(c.base_url),
    model: c.model_name,
    apiKey: secret.value,
  };
}
