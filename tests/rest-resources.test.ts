/**
 * Secrets and LLM configurations (spec §3 #21–24, §6.5, §6.6) against a real server and SQLite file:
 * CRUD, validation naming fields, API-key-only auth, secrets encrypted at rest and never returned, both
 * LLM configuration path spellings. Contexts and voices: rest-resources-contexts-voices.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LLM_BASE_URL, SECRET_TYPES } from '@liveface/protocol';
import { LivefaceError } from '@liveface/server';
import { secretsAtRestKey } from '../packages/server/src/auth/secret-box.js';
import { loadSigningSecret } from '../packages/server/src/auth/secrets.js';
import { resolveLlmConfiguration } from '../packages/server/src/store/llm-configurations.js';
import { readSecret } from '../packages/server/src/store/secrets.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, expectOk } from './helpers/rest.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING = '00000000-0000-4000-8000-000000000000';
const LLM_PATHS = ['/v1/llm-configurations', '/v1/llm_configurations'] as const;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createSecret(
  s: TestServer,
  body: Record<string, unknown> = {},
): Promise<{ id: string; secret_name: string }> {
  return expectOk(
    await s.api('/v1/secrets', {
      body: { secret_name: 'key', secret_value: 'sk-value', secret_type: 'OPENAI_API_KEY', ...body },
    }),
  );
}

describe('auth on every resource endpoint', () => {
  const endpoints: [string, string][] = [
    ['POST', '/v1/secrets'],
    ['GET', '/v1/secrets'],
    ['DELETE', `/v1/secrets/${MISSING}`],
    ...LLM_PATHS.flatMap((p): [string, string][] => [
      ['POST', p],
      ['GET', p],
      ['GET', `${p}/${MISSING}`],
      ['PATCH', `${p}/${MISSING}`],
      ['DELETE', `${p}/${MISSING}`],
    ]),
    ['POST', '/v1/contexts'],
    ['GET', '/v1/contexts'],
    ['GET', `/v1/contexts/${MISSING}`],
    ['PATCH', `/v1/contexts/${MISSING}`],
    ['DELETE', `/v1/contexts/${MISSING}`],
    ['GET', '/v1/voices'],
    ['POST', '/v1/voices/third_party'],
    ['GET', `/v1/voices/${MISSING}`],
    ['PATCH', `/v1/voices/${MISSING}`],
    ['DELETE', `/v1/voices/${MISSING}`],
  ];

  it.each(endpoints)('%s %s: no key → 401, wrong key → 401, session token → 403', async (method, path) => {
    const body = method === 'POST' || method === 'PATCH' ? {} : undefined;
    expectError(await server.api(path, { method, body, key: null }), 'missing_api_key');
    expectError(
      await server.api(path, { method, body, key: 'lf_wrong_key_000000000000' }),
      'invalid_api_key',
    );
    const { token } = await server.createSession();
    expectError(await server.api(path, { method, body, token }), 'api_key_required');
  });

  it('every endpoint is in /openapi.json, LLM configurations under both spellings', async () => {
    const doc = (await server.api('/openapi.json', { key: null })).body;
    for (const [method, path] of endpoints) {
      const templ = path.replace(MISSING, '{x}');
      const found = Object.entries(doc.paths as Record<string, Record<string, unknown>>).some(
        ([p, ops]) => p.replace(/\{\w+\}/g, '{x}') === templ && method.toLowerCase() in ops,
      );
      expect(found, `${method} ${path}`).toBe(true);
    }
  });
});

describe('secrets', () => {
  it('POST creates a secret and answers only {id, secret_name}', async () => {
    const data = await createSecret(server, { secret_name: 'OpenAI prod', secret_value: 'sk-create-test' });
    expect(Object.keys(data).sort()).toEqual(['id', 'secret_name']);
    expect(data.id).toMatch(UUID);
    expect(data.secret_name).toBe('OpenAI prod');
  });

  it.each(SECRET_TYPES)('accepts secret_type %s', async (secret_type) => {
    const { id } = await createSecret(server, { secret_type, secret_name: `k-${secret_type}` });
    const list = expectOk(await server.api('/v1/secrets'));
    expect(list.find((s: { id: string }) => s.id === id).secret_type).toBe(secret_type);
  });

  it('GET lists metadata newest first, never the value', async () => {
    const values = ['sk-list-one-9f8e7d', 'sk-list-two-9f8e7d'];
    const first = await createSecret(server, { secret_name: 'first', secret_value: values[0] });
    await sleep(3);
    const second = await createSecret(server, { secret_name: 'second', secret_value: values[1] });
    const r = await server.api('/v1/secrets');
    const list = expectOk(r);
    expect(Array.isArray(list)).toBe(true);
    expect(list[0].id).toBe(second.id);
    expect(list.findIndex((s: { id: string }) => s.id === first.id)).toBeGreaterThan(0);
    for (const s of list) {
      expect(Object.keys(s).sort()).toEqual(['created_at', 'id', 'secret_name', 'secret_type']);
      expect(new Date(s.created_at).toISOString()).toBe(s.created_at);
    }
    const times = list.map((s: { created_at: string }) => Date.parse(s.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const text = JSON.stringify(r.body);
    for (const v of values) expect(text).not.toContain(v);
    expect(text).not.toContain('secret_value');
  });

  it('validation errors name every bad field', async () => {
    const e1 = expectError(
      await server.api('/v1/secrets', { body: { secret_name: 'x', secret_type: 'OPENAI_API_KEY' } }),
      'invalid_request',
    );
    expect(e1.data.field).toBe('secret_value');
    const e2 = expectError(
      await server.api('/v1/secrets', {
        body: { secret_name: '', secret_value: '', secret_type: 'AWS_KEY' },
      }),
      'invalid_request',
    );
    expect(e2.data.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      'secret_name',
      'secret_type',
      'secret_value',
    ]);
    expect(e2.message).toContain('OPENAI_API_KEY');
    const e3 = expectError(
      await server.api('/v1/secrets', {
        body: { secret_name: 'x', secret_value: 'v'.repeat(16_385), secret_type: 'OPENAI_API_KEY' },
      }),
      'invalid_request',
    );
    expect(e3.data.field).toBe('secret_value');
    expect(JSON.stringify(e3)).not.toContain('v'.repeat(100));
  });

  it('DELETE removes it (data null); again, or an unknown id → 404 secret_not_found', async () => {
    const { id } = await createSecret(server);
    expect(expectOk(await server.api(`/v1/secrets/${id}`, { method: 'DELETE' }))).toBeNull();
    const list = expectOk(await server.api('/v1/secrets'));
    expect(list.some((s: { id: string }) => s.id === id)).toBe(false);
    expectError(await server.api(`/v1/secrets/${id}`, { method: 'DELETE' }), 'secret_not_found');
    expectError(await server.api(`/v1/secrets/${MISSING}`, { method: 'DELETE' }), 'secret_not_found');
  });

  it('a secret in use by an LLM configuration cannot be deleted until the configuration is gone', async () => {
    const { id } = await createSecret(server, { secret_type: 'LLM_API_KEY' });
    const cfg = expectOk(
      await server.api('/v1/llm-configurations', {
        body: { display_name: 'uses it', model_name: 'm', secret_id: id },
      }),
    );
    const err = expectError(await server.api(`/v1/secrets/${id}`, { method: 'DELETE' }), 'secret_in_use');
    expect(err.message).toContain(cfg.id);
    expectOk(await server.api(`/v1/llm-configurations/${cfg.id}`, { method: 'DELETE' }));
    expectOk(await server.api(`/v1/secrets/${id}`, { method: 'DELETE' }));
  });
});

describe('secrets at rest', () => {
  /** Every byte the server wrote into its data folder (database, WAL, journal). */
  const dataBytes = (dir: string) =>
    Buffer.concat(
      readdirSync(dir)
        .filter((f) => f.startsWith('liveface.db'))
        .map((f) => readFileSync(join(dir, f))),
    );

  it('the SQLite files never hold the plaintext, yet the pipeline can read it back', async () => {
    const plain = 'sk-PLAINTEXT-at-rest-7c1e5b2a94d3';
    const { id } = await createSecret(server, { secret_value: plain, secret_type: 'ELEVENLABS_API_KEY' });

    const bytes = dataBytes(server.dataDir);
    expect(bytes.length).toBeGreaterThan(0);
    for (const enc of ['utf8', 'utf16le'] as const)
      expect(bytes.includes(Buffer.from(plain, enc))).toBe(false);
    expect(bytes.includes(Buffer.from(Buffer.from(plain).toString('base64')))).toBe(false);
    // The sealed row is there (so the check above looked at the right place).
    const row = await server.db
      .selectFrom('secrets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.value_sealed).toMatch(/^v1\./);
    expect(bytes.includes(Buffer.from(row.value_sealed))).toBe(true);

    const key = secretsAtRestKey(undefined, loadSigningSecret(undefined, server.dataDir));
    const secret = await readSecret(server.db, key, id);
    expect(secret).toMatchObject({ id, type: 'ELEVENLABS_API_KEY', value: plain });
  });

  it('a wrong LIVEFACE_SECRETS_KEY fails clearly; the right one reads the secret after a restart', async () => {
    const keyA = 'A'.repeat(32);
    const keyB = 'B'.repeat(32);
    let s = await startTestServer({ secretsKey: keyA });
    const dataDir = s.dataDir;
    try {
      const { id } = await createSecret(s, { secret_value: 'sk-keyed-with-A' });
      await s.stop({ keepData: true });

      s = await startTestServer({ secretsKey: keyB }, { dataDir });
      // Metadata stays usable; only decryption needs the key.
      expect(expectOk(await s.api('/v1/secrets')).map((x: { id: string }) => x.id)).toContain(id);
      const err = await readSecret(s.db, secretsAtRestKey(keyB, Buffer.alloc(0)), id).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LivefaceError);
      expect((err as LivefaceError).code).toBe('secret_undecryptable');
      expect((err as LivefaceError).retryable).toBe(false);
      expect((err as LivefaceError).message).toContain('LIVEFACE_SECRETS_KEY');
      expect((err as LivefaceError).message).not.toContain('sk-keyed-with-A');
      await s.stop({ keepData: true });

      s = await startTestServer({ secretsKey: keyA }, { dataDir });
      const ok = await readSecret(s.db, secretsAtRestKey(keyA, Buffer.alloc(0)), id);
      expect(ok.value).toBe('sk-keyed-with-A');
    } finally {
      await s.stop();
    }
  });

  it('readSecret of an unknown id → secret_not_found', async () => {
    const key = secretsAtRestKey(undefined, loadSigningSecret(undefined, server.dataDir));
    await expect(readSecret(server.db, key, MISSING)).rejects.toMatchObject({ code: 'secret_not_found' });
  });
});

describe('LLM configurations', () => {
  const FIELDS = ['base_url', 'created_at', 'display_name', 'id', 'model_name', 'secret_id', 'updated_at'];

  it.each(LLM_PATHS)('POST %s creates one; base_url defaults to OpenAI', async (path) => {
    const { id: secret_id } = await createSecret(server);
    const c = expectOk(
      await server.api(path, { body: { display_name: 'GPT', model_name: 'gpt-4o-mini', secret_id } }),
    );
    expect(Object.keys(c).sort()).toEqual(FIELDS);
    expect(c).toMatchObject({
      display_name: 'GPT',
      model_name: 'gpt-4o-mini',
      secret_id,
      base_url: DEFAULT_LLM_BASE_URL,
    });
    expect(c.id).toMatch(UUID);
    // Visible under the other spelling too.
    for (const p of LLM_PATHS) expect(expectOk(await server.api(`${p}/${c.id}`))).toEqual(c);
  });

  it('accepts a custom base_url and `model` as an alias of model_name', async () => {
    const { id: secret_id } = await createSecret(server, { secret_type: 'LLM_API_KEY' });
    const c = expectOk(
      await server.api('/v1/llm-configurations', {
        body: { display_name: 'local', model: 'llama3', secret_id, base_url: 'http://127.0.0.1:11434/v1' },
      }),
    );
    expect(c).toMatchObject({ model_name: 'llama3', base_url: 'http://127.0.0.1:11434/v1' });
  });

  it('a secret_id naming no secret → 400 invalid_secret_reference on secret_id', async () => {
    const err = expectError(
      await server.api('/v1/llm-configurations', {
        body: { display_name: 'x', model_name: 'm', secret_id: MISSING },
      }),
      'invalid_secret_reference',
    );
    expect(err.data.field).toBe('secret_id');
    expect(err.message).toContain(MISSING);
  });

  it('validation errors name the fields', async () => {
    const e1 = expectError(await server.api('/v1/llm-configurations', { body: {} }), 'invalid_request');
    expect(e1.data.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      'display_name',
      'model_name',
      'secret_id',
    ]);
    const e2 = expectError(
      await server.api('/v1/llm_configurations', {
        body: { display_name: 'x', model_name: 'm', secret_id: 's', base_url: 'ftp://example.com' },
      }),
      'invalid_request',
    );
    expect(e2.data.field).toBe('base_url');
    const e3 = expectError(
      await server.api('/v1/llm-configurations', {
        body: { display_name: 'x'.repeat(256), model_name: 'm', secret_id: 'x'.repeat(37) },
      }),
      'invalid_request',
    );
    expect(e3.data.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      'display_name',
      'secret_id',
    ]);
  });

  it('GET lists {id, display_name, model_name, secret_id}, newest first, under both spellings', async () => {
    const { id: secret_id } = await createSecret(server);
    const a = expectOk(
      await server.api('/v1/llm-configurations', { body: { display_name: 'A', model_name: 'a', secret_id } }),
    );
    await sleep(3);
    const b = expectOk(
      await server.api('/v1/llm_configurations', { body: { display_name: 'B', model_name: 'b', secret_id } }),
    );
    for (const p of LLM_PATHS) {
      const list = expectOk(await server.api(p));
      expect(Array.isArray(list)).toBe(true);
      expect(list[0]).toEqual({ id: b.id, display_name: 'B', model_name: 'b', secret_id });
      expect(list.findIndex((c: { id: string }) => c.id === a.id)).toBeGreaterThan(0);
      for (const c of list)
        expect(Object.keys(c).sort()).toEqual(['display_name', 'id', 'model_name', 'secret_id']);
    }
  });

  it('PATCH changes only the given fields and checks secret_id and base_url', async () => {
    const s1 = await createSecret(server);
    const s2 = await createSecret(server, { secret_type: 'LLM_API_KEY' });
    const c = expectOk(
      await server.api('/v1/llm-configurations', {
        body: { display_name: 'before', model_name: 'm1', secret_id: s1.id },
      }),
    );
    await sleep(3);
    const p = expectOk(
      await server.api(`/v1/llm_configurations/${c.id}`, {
        method: 'PATCH',
        body: { display_name: 'after', secret_id: s2.id, base_url: 'https://llm.example/v1' },
      }),
    );
    expect(p).toMatchObject({
      id: c.id,
      display_name: 'after',
      model_name: 'm1',
      secret_id: s2.id,
      base_url: 'https://llm.example/v1',
      created_at: c.created_at,
    });
    expect(Date.parse(p.updated_at)).toBeGreaterThan(Date.parse(c.updated_at));
    expect(expectOk(await server.api(`/v1/llm-configurations/${c.id}`))).toEqual(p);

    const m = expectOk(
      await server.api(`/v1/llm-configurations/${c.id}`, { method: 'PATCH', body: { model: 'm2' } }),
    );
    expect(m.model_name).toBe('m2');
    expect(
      expectOk(await server.api(`/v1/llm-configurations/${c.id}`, { method: 'PATCH', body: {} })),
    ).toMatchObject({ display_name: 'after', model_name: 'm2' });

    const bad = expectError(
      await server.api(`/v1/llm-configurations/${c.id}`, { method: 'PATCH', body: { secret_id: MISSING } }),
      'invalid_secret_reference',
    );
    expect(bad.data.field).toBe('secret_id');
    const badUrl = expectError(
      await server.api(`/v1/llm-configurations/${c.id}`, { method: 'PATCH', body: { base_url: '' } }),
      'invalid_request',
    );
    expect(badUrl.data.field).toBe('base_url');
    expect(expectOk(await server.api(`/v1/llm-configurations/${c.id}`)).secret_id).toBe(s2.id);
  });

  it('DELETE removes it; then GET/PATCH/DELETE → 404 llm_configuration_not_found', async () => {
    const { id: secret_id } = await createSecret(server);
    const c = expectOk(
      await server.api('/v1/llm-configurations', { body: { display_name: 'x', model_name: 'm', secret_id } }),
    );
    expect(expectOk(await server.api(`/v1/llm_configurations/${c.id}`, { method: 'DELETE' }))).toBeNull();
    for (const p of LLM_PATHS) {
      expectError(await server.api(`${p}/${c.id}`), 'llm_configuration_not_found');
      expectError(
        await server.api(`${p}/${c.id}`, { method: 'PATCH', body: { display_name: 'y' } }),
        'llm_configuration_not_found',
      );
      expectError(await server.api(`${p}/${c.id}`, { method: 'DELETE' }), 'llm_configuration_not_found');
    }
    const list = expectOk(await server.api('/v1/llm-configurations'));
    expect(list.some((x: { id: string }) => x.id === c.id)).toBe(false);
  });

  it('resolves for the agent pipeline: chat-completions URL, model and decrypted key', async () => {
    const { id: secret_id } = await createSecret(server, { secret_value: 'sk-for-the-pipeline' });
    const c = expectOk(
      await server.api('/v1/llm-configurations', {
        body: { display_name: 'x', model_name: 'gpt-4o', secret_id, base_url: 'https://api.openai.com' },
      }),
    );
    const key = secretsAtRestKey(undefined, loadSigningSecret(undefined, server.dataDir));
    await expect(resolveLlmConfiguration(server.db, key, c.id)).resolves.toEqual({
      baseUrl: 'https://api.openai.com',
      chatCompletionsUrl: 'https://api.openai.com/v1/chat/completions',
      model: 'gpt-4o',
      apiKey: 'sk-for-the-pipeline',
    });
    await expect(resolveLlmConfiguration(server.db, key, MISSING)).rejects.toMatchObject({
      code: 'llm_configuration_not_found',
    });
  });
});
