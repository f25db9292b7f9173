/** Contexts (spec §6.3): the prompt, opening line and FAQ links of a FULL-mode persona. Deletion is hard. */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';

/** A FAQ link with its id. */
export interface ContextLinkRecord {
  url: string;
  faq: string;
  id: string;
}

/** A context as the store returns it. */
export interface ContextRecord {
  id: string;
  name: string;
  prompt: string;
  opening_text: string;
  links: ContextLinkRecord[];
  created_at: number;
  updated_at: number;
}

/** The editable fields; links without an id get a fresh one. */
export interface ContextInput {
  name: string;
  prompt: string;
  opening_text: string;
  links?: { url: string; faq: string; id?: string | undefined }[] | undefined;
}

const withIds = (links: NonNullable<ContextInput['links']>): ContextLinkRecord[] =>
  links.map((l) => ({ url: l.url, faq: l.faq, id: l.id ?? randomUUID() }));

const record = (r: {
  id: string;
  name: string;
  prompt: string;
  opening_text: string;
  links_json: string;
  created_at: number;
  updated_at: number;
}): ContextRecord => ({
  id: r.id,
  name: r.name,
  prompt: r.prompt,
  opening_text: r.opening_text,
  links: JSON.parse(r.links_json) as ContextLinkRecord[],
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

/** Stores a new context. */
export async function createContext(db: Db, input: ContextInput, now: number): Promise<ContextRecord> {
  const row = {
    id: randomUUID(),
    name: input.name,
    prompt: input.prompt,
    opening_text: input.opening_text,
    links_json: JSON.stringify(withIds(input.links ?? [])),
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('contexts').values(row).execute();
  return record(row);
}

/** A page of contexts, newest first. */
export async function listContexts(
  db: Db,
  q: { page: number; pageSize: number },
): Promise<{ rows: ContextRecord[]; count: number }> {
  const { n } = await db
    .selectFrom('contexts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('contexts')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return { rows: rows.map(record), count: Number(n) };
}

/** One context. */
export async function getContext(db: Db, id: string): Promise<ContextRecord | null> {
  const r = await db.selectFrom('contexts').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? record(r) : null;
}

/** Replaces name, prompt and opening text; links are replaced when given and kept when not. */
export async function updateContext(db: Db, id: string, input: ContextInput, now: number): Promise<void> {
  await db
    .updateTable('contexts')
    .set({
      name: input.name,
      prompt: input.prompt,
      opening_text: input.opening_text,
      ...(input.links ? { links_json: JSON.stringify(withIds(input.links)) } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/** Deletes a context; false if there was none. */
export async function deleteContext(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('contexts').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
