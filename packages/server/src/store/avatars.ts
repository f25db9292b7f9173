/** Avatar records. Built-in avatars are upserted at boot from the catalog; deletion is soft. */
import type { Db } from './db.js';
import type { AvatarTable } from './schema.js';

/** An avatar row. */
export type AvatarRow = AvatarTable;

/** A built-in avatar shipped with Liveface. */
export interface BuiltinAvatar {
  id: string;
  name: string;
}

const normalize = (r: AvatarRow): AvatarRow => ({
  ...r,
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
  deleted_at: r.deleted_at === null ? null : Number(r.deleted_at),
  is_public: Number(r.is_public),
  is_1080p: Number(r.is_1080p),
});

/** Makes sure every built-in avatar has a row (a deleted one stays deleted; names edited by the operator stay). */
export async function seedBuiltins(db: Db, builtins: readonly BuiltinAvatar[], now: number): Promise<void> {
  for (const b of builtins) {
    await db
      .insertInto('avatars')
      .values({
        id: b.id,
        name: b.name,
        type: 'VIDEO',
        status: 'ACTIVE',
        preview_url: null,
        default_voice_id: null,
        is_public: 1,
        is_1080p: 1,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

/** An avatar that is not deleted. */
export async function getAvatar(db: Db, id: string): Promise<AvatarRow | null> {
  const r = await db
    .selectFrom('avatars')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return r ? normalize(r) : null;
}

/** A page of avatars, oldest first; `publicOnly` limits to the built-in catalog. */
export async function listAvatars(
  db: Db,
  q: { page: number; pageSize: number; publicOnly: boolean },
): Promise<{ rows: AvatarRow[]; count: number }> {
  let base = db.selectFrom('avatars').where('deleted_at', 'is', null);
  if (q.publicOnly) base = base.where('is_public', '=', 1);
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return { rows: rows.map(normalize), count: Number(n) };
}

/** Updates name and/or default voice. */
export async function updateAvatar(
  db: Db,
  id: string,
  patch: { name?: string | undefined; default_voice_id?: string | null | undefined },
  now: number,
): Promise<void> {
  const set: Partial<AvatarRow> = { updated_at: now };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.default_voice_id !== undefined) set.default_voice_id = patch.default_voice_id;
  await db.updateTable('avatars').set(set).where('id', '=', id).execute();
}

/** Soft-deletes an avatar. */
export async function deleteAvatar(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('avatars').set({ deleted_at: now, updated_at: now }).where('id', '=', id).execute();
}
