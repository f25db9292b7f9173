/** API key records. Keys are random 256-bit strings, so a plain SHA-256 is a safe, fast lookup hash. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';

/** Prefix of every Liveface API key. */
export const KEY_PREFIX = 'lf_';

/** An API key as listings show it (never the key itself). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** SHA-256 of a key, hex. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Makes a new random key string. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

const info = (r: {
  id: string;
  name: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}): ApiKeyInfo => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

/** Stores `key` (hashed). Returns its record. */
export async function insertKey(db: Db, key: string, name: string, now: number): Promise<ApiKeyInfo> {
  const row = {
    id: randomUUID(),
    name,
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    hash: hashKey(key),
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return info(row);
}

/** Creates a new key; the returned `key` is shown once and never stored. */
export async function createKey(
  db: Db,
  name: string,
  now: number,
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = generateKey();
  return { key, info: await insertKey(db, key, name, now) };
}

/** Looks a presented key up by its hash. */
export async function findKey(db: Db, key: string): Promise<ApiKeyInfo | null> {
  const hash = hashKey(key);
  const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
  // The lookup is by hash already; the constant-time compare documents that nothing leaks by timing.
  if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return null;
  return info(row);
}

/** Notes that a key was used (at most once a minute per key, to keep writes off the hot path). */
export async function touchKey(db: Db, k: ApiKeyInfo, now: number): Promise<void> {
  if (k.lastUsedAt !== null && now - k.lastUsedAt < 60_000) return;
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', k.id).execute();
}

/** All keys, newest first. */
export async function listKeys(db: Db): Promise<ApiKeyInfo[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map(info);
}

/** Number of keys that are not revoked. */
export async function countActiveKeys(db: Db): Promise<number> {
  const r = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Revokes the key with this id or display prefix. Returns it, or null if none matched. */
export async function revokeKey(db: Db, idOrPrefix: string, now: number): Promise<ApiKeyInfo | null> {
  const matches = await db
    .selectFrom('api_keys')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .execute();
  if (matches.length !== 1) return null;
  const row = matches[0]!;
  await db
    .updateTable('api_keys')
    .set({ revoked_at: row.revoked_at ?? now })
    .where('id', '=', row.id)
    .execute();
  return info({ ...row, revoked_at: row.revoked_at ?? now });
}
