/** Schema migrations, applied in name order at boot. Written in Kysely's builder so both dialects run them. */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('avatars')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('preview_url', 'text')
        .addColumn('default_voice_id', 'text')
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_1080p', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('avatar_id', 'text', (c) => c.notNull())
        .addColumn('is_sandbox', 'integer', (c) => c.notNull())
        .addColumn('max_duration_s', 'integer', (c) => c.notNull())
        .addColumn('request_json', 'text', (c) => c.notNull())
        .addColumn('api_key_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('end_reason', 'text')
        .addColumn('last_activity_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sessions_status_created')
        .on('sessions')
        .columns(['status', 'created_at'])
        .execute();
      await db.schema
        .createTable('transcript_entries')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('transcript_session_at')
        .on('transcript_entries')
        .columns(['session_id', 'at_ms'])
        .execute();
    },
  },
  '0002_resources': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('secrets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('value_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // References to secrets have no ON DELETE: deleting a secret in use fails (the API answers 409 first).
      await db.schema
        .createTable('llm_configurations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id'))
        .addColumn('base_url', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('contexts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prompt', 'text', (c) => c.notNull())
        .addColumn('opening_text', 'text', (c) => c.notNull())
        .addColumn('links_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('voices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_voice_id', 'text', (c) => c.notNull())
        .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id'))
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('gender', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      for (const table of ['secrets', 'llm_configurations', 'contexts', 'voices']) {
        await db.schema.createIndex(`${table}_created`).on(table).columns(['created_at', 'id']).execute();
      }
    },
  },
  '0003_voice_endpoint': {
    // A bound voice may name its provider's base URL (a local OpenAI-compatible TTS, a proxy) and model.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('voices').addColumn('base_url', 'text').execute();
      await db.schema.alterTable('voices').addColumn('model', 'text').execute();
    },
  },
};

/** Supplies the migrations above to Kysely's Migrator. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
