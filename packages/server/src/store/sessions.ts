/** Session records. */
import type { Db } from './db.js';
import type { SessionTable } from './schema.js';

/** A session row. */
export type SessionRow = SessionTable;

const num = (v: number | null) => (v === null ? null : Number(v));
/** bigint columns come back as numbers from SQLite but as strings from some drivers: normalize. */
function normalize(r: SessionRow): SessionRow {
  return {
    ...r,
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    started_at: num(r.started_at),
    ended_at: num(r.ended_at),
    last_activity_at: Number(r.last_activity_at),
    is_sandbox: Number(r.is_sandbox),
  };
}

/** Inserts a new session record. */
export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** One session by id. */
export async function getSession(db: Db, id: string): Promise<SessionRow | null> {
  const r = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? normalize(r) : null;
}

/** Marks a created session active. Returns false if it was not in `created` state (lost a race). */
export async function markStarted(db: Db, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('sessions')
    .set({ status: 'active', started_at: now, updated_at: now, last_activity_at: now })
    .where('id', '=', id)
    .where('status', '=', 'created')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Ends a session once; later calls change nothing. Returns true if this call ended it. */
export async function markEnded(db: Db, id: string, reason: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('sessions')
    .set({ status: 'ended', ended_at: now, end_reason: reason, updated_at: now })
    .where('id', '=', id)
    .where('status', '!=', 'ended')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records activity (persisted so listings show it; the in-memory timer is authoritative). */
export async function touchSession(db: Db, id: string, now: number): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_activity_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Sessions not yet ended (left over by a crash when read at boot). */
export async function listLive(db: Db): Promise<SessionRow[]> {
  const rows = await db.selectFrom('sessions').selectAll().where('status', '!=', 'ended').execute();
  return rows.map(normalize);
}

/** Filters of a session listing. */
export interface SessionListQuery {
  type: 'active' | 'historic';
  page: number;
  pageSize: number;
  avatarId?: string | undefined;
}

/** One page of sessions, newest first, and the total count. */
export async function listSessions(
  db: Db,
  q: SessionListQuery,
): Promise<{ rows: SessionRow[]; count: number }> {
  let base = db.selectFrom('sessions');
  base = q.type === 'active' ? base.where('status', '!=', 'ended') : base.where('status', '=', 'ended');
  if (q.avatarId) base = base.where('avatar_id', '=', q.avatarId);
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return { rows: rows.map(normalize), count: Number(n) };
}

/** Transcript lines of a session within [fromMs, toMs), oldest first. */
export async function listTranscript(
  db: Db,
  sessionId: string,
  fromMs: number | undefined,
  toMs: number | undefined,
): Promise<{ role: 'user' | 'avatar'; text: string; at_ms: number }[]> {
  let q = db
    .selectFrom('transcript_entries')
    .select(['role', 'text', 'at_ms'])
    .where('session_id', '=', sessionId);
  if (fromMs !== undefined) q = q.where('at_ms', '>=', fromMs);
  if (toMs !== undefined) q = q.where('at_ms', '<', toMs);
  const rows = await q.orderBy('at_ms').orderBy('id').execute();
  return rows.map((r) => ({ ...r, at_ms: Number(r.at_ms) }));
}

/** Appends a transcript line. */
export async function addTranscript(
  db: Db,
  sessionId: string,
  role: 'user' | 'avatar',
  text: string,
  atMs: number,
): Promise<void> {
  await db
    .insertInto('transcript_entries')
    .values({ session_id: sessionId, role, text, at_ms: atMs })
    .execute();
}
