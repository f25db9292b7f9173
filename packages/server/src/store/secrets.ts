/**
 * Provider secrets (spec §6.5). Values are sealed with AES-256-GCM before they reach the database
 * (auth/secret-box.ts); listings carry metadata only, and `readSecret` is the one way back to a value.
 */
import { randomUUID } from 'node:crypto';
import type { SecretType } from '@liveface/protocol';
import { isSealedWith, keyId, open, seal } from '../auth/secret-box.js';
import { LivefaceError } from '../errors.js';
import type { Db } from './db.js';

/** A secret's metadata (never its value). */
export interface SecretInfoRow {
  id: string;
  name: string;
  type: SecretType;
  created_at: number;
}

/** A decrypted secret, for the agent pipeline only: never log it, never return it over the API. */
export interface PlainSecret extends SecretInfoRow {
  value: string;
}

const info = (r: { id: string; name: string; type: string; created_at: number }): SecretInfoRow => ({
  id: r.id,
  name: r.name,
  // Only validated `SecretType`s are ever written.
  type: r.type as SecretType,
  created_at: Number(r.created_at),
});

/** Stores a secret, sealed under `key`. */
export async function createSecret(
  db: Db,
  key: Buffer,
  input: { name: string; type: SecretType; value: string },
  now: number,
): Promise<SecretInfoRow> {
  const id = randomUUID();
  const row = { id, name: input.name, type: input.type, created_at: now };
  await db
    .insertInto('secrets')
    .values({ ...row, value_sealed: seal(key, input.value, id) })
    .execute();
  return row;
}

/** Every secret's metadata, newest first. */
export async function listSecrets(db: Db): Promise<SecretInfoRow[]> {
  const rows = await db
    .selectFrom('secrets')
    .select(['id', 'name', 'type', 'created_at'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(info);
}

/** One secret's metadata. */
export async function getSecretInfo(db: Db, id: string): Promise<SecretInfoRow | null> {
  const r = await db
    .selectFrom('secrets')
    .select(['id', 'name', 'type', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? info(r) : null;
}

/**
 * The secret a request body's `secret_id` names; fails with 400 `invalid_secret_reference` (field
 * `secret_id`) when there is none.
 */
export async function requireSecret(db: Db, id: string): Promise<SecretInfoRow> {
  const s = await getSecretInfo(db, id);
  if (!s) {
    throw new LivefaceError(
      'invalid_secret_reference',
      `secret_id: no secret with id ${id}; create one with POST /v1/secrets.`,
      { field: 'secret_id' },
    );
  }
  return s;
}

/** Ids of the LLM configurations and voices that use a secret. */
export async function secretUsers(
  db: Db,
  id: string,
): Promise<{ llmConfigurations: string[]; voices: string[] }> {
  const llm = await db.selectFrom('llm_configurations').select('id').where('secret_id', '=', id).execute();
  const voices = await db.selectFrom('voices').select('id').where('secret_id', '=', id).execute();
  return { llmConfigurations: llm.map((r) => r.id), voices: voices.map((r) => r.id) };
}

/** Deletes a secret; false if there was none. */
export async function deleteSecret(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('secrets').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Decrypts a secret for the agent pipeline. Fails with `secret_not_found`, or `secret_undecryptable` when
 * the configured key is not the one it was stored under (or the row was altered).
 */
export async function readSecret(db: Db, key: Buffer, id: string): Promise<PlainSecret> {
  const r = await db.selectFrom('secrets').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new LivefaceError('secret_not_found', `No secret with id ${id}.`);
  const opened = open(key, r.value_sealed, r.id);
  if (opened.ok) return { ...info(r), value: opened.plaintext };
  const message =
    opened.problem === 'wrong_key'
      ? `Secret ${id} was encrypted under another key (key id ${opened.sealedWith}; the configured key ` +
        `has id ${keyId(key)}). Restore the LIVEFACE_SECRETS_KEY (or, if unset, LIVEFACE_SECRET / ` +
        `secret.key) it was stored with, or delete the secret and create it again.`
      : `Secret ${id} is damaged (it fails authentication); delete it and create it again.`;
  throw new LivefaceError('secret_undecryptable', message, { retryable: false });
}

/** How many stored secrets were sealed under a key other than `key` (checked at boot, for a warning). */
export async function countForeignSecrets(db: Db, key: Buffer): Promise<number> {
  const rows = await db.selectFrom('secrets').select('value_sealed').execute();
  return rows.filter((r) => !isSealedWith(key, r.value_sealed)).length;
}
