/**
 * Contexts and voices (spec §3 #13–18, §6.2, §6.3) against a real server: CRUD, `${name}` placeholders
 * as required_dynamic_variables, pagination, built-in voices protected, third-party voice binding with
 * provider inference, and the voice `base_url` / `model` extension. Auth on these endpoints:
 * rest-resources.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextDetail, Voice } from '@liveface/protocol';
import { getContext } from '../packages/server/src/store/contexts.js';
import { resolveContextText } from '../packages/server/src/sessions/dynamic-variables.js';
import { BUILTIN_VOICES, DEFAULT_VOICE_ID, getVoice } from '../packages/server/src/store/voices.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectError, expectOk } from './helpers/rest.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING = '00000000-0000-4000-8000-000000000000';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fields = (e: { data: { issues: { field: string }[] } }) => e.data.issues.map((i) => i.field).sort();

const PROMPT = 'You support ${customer_name} with ${product}. Be brief.';
const OPENING = 'Hi ${customer_name}, how is ${product} treating you? ${ not_a_var }';

async function createContext(body: Record<string, unknown> = {}): Promise<any> {
  return expectOk(
    await server.api('/v1/contexts', {
      body: { name: 'Support', prompt: PROMPT, opening_text: OPENING, ...body },
    }),
  );
}

describe('contexts', () => {
  it('POST creates one with links and required_dynamic_variables from the placeholders', async () => {
    const given = '3f1c8a52-5d7e-4e8b-9a61-2b0c4d6e8f10';
    const c = await createContext({
      links: [
        { url: 'https://example.com/faq', faq: 'Shipping questions' },
        { url: 'https://example.com/returns', faq: 'Returns', id: given },
      ],
    });
    const parsed = ContextDetail.safeParse(c);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(Object.keys(c).sort()).toEqual(
      [
        'created_at',
        'id',
        'links',
        'name',
        'opening_text',
        'prompt',
        'required_dynamic_variables',
        'updated_at',
      ].sort(),
    );
    expect(c.id).toMatch(UUID);
    expect(c).toMatchObject({ name: 'Support', prompt: PROMPT, opening_text: OPENING });
    expect(c.required_dynamic_variables).toEqual(['customer_name', 'product']);
    expect(c.links).toHaveLength(2);
    expect(c.links[0]).toMatchObject({ url: 'https://example.com/faq', faq: 'Shipping questions' });
    expect(c.links[0].id).toMatch(UUID);
    expect(c.links[1]).toEqual({ url: 'https://example.com/returns', faq: 'Returns', id: given });
    expect(expectOk(await server.api(`/v1/contexts/${c.id}`))).toEqual(c);
  });

  it('opening_text may be left out on create (read as empty); links default to none', async () => {
    const c = expectOk(await server.api('/v1/contexts', { body: { name: 'n', prompt: 'Plain ${x}.' } }));
    expect(c).toMatchObject({ opening_text: '', links: [], required_dynamic_variables: ['x'] });
  });

  it('validation errors name every bad field', async () => {
    const e1 = expectError(
      await server.api('/v1/contexts', { body: { opening_text: 'hi' } }),
      'invalid_request',
    );
    expect(fields(e1)).toEqual(['name', 'prompt']);
    const e2 = expectError(
      await server.api('/v1/contexts', { body: { name: 'n', prompt: 'p', links: [{ url: 'https://x' }] } }),
      'invalid_request',
    );
    expect(e2.data.field).toBe('links.0.faq');
    const e3 = expectError(
      await server.api('/v1/contexts', { body: { name: 'x'.repeat(256), prompt: 7, opening_text: null } }),
      'invalid_request',
    );
    expect(fields(e3)).toEqual(['name', 'opening_text', 'prompt']);
  });

  it('GET lists {id, name, created_at, updated_at}, newest first, paginated', async () => {
    const fresh = await startTestServer();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = expectOk(
          await fresh.api('/v1/contexts', { body: { name: `c${i}`, prompt: 'p', opening_text: '' } }),
        );
        ids.push(r.id);
        await sleep(3);
      }
      const p1 = expectOk(await fresh.api('/v1/contexts?page_size=2'));
      expect(p1.count).toBe(5);
      expect(p1.previous).toBeNull();
      expect(p1.next).toMatch(/page=2/);
      expect(p1.results.map((c: { id: string }) => c.id)).toEqual([ids[4], ids[3]]);
      for (const c of p1.results)
        expect(Object.keys(c).sort()).toEqual(['created_at', 'id', 'name', 'updated_at']);
      const p3 = expectOk(await fresh.api(new URL(p1.next).pathname + '?page=3&page_size=2'));
      expect(p3.results.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
      expect(p3.next).toBeNull();
      expect(p3.previous).toMatch(/page=2/);
      expect(expectOk(await fresh.api('/v1/contexts')).results).toHaveLength(5);
      expect(expectError(await fresh.api('/v1/contexts?page=0'), 'invalid_request').data.field).toBe('page');
    } finally {
      await fresh.stop();
    }
  });

  it('PATCH requires name, prompt and opening_text (OAS) and names the missing ones', async () => {
    const c = await createContext();
    const err = expectError(
      await server.api(`/v1/contexts/${c.id}`, { method: 'PATCH', body: { name: 'only a name' } }),
      'invalid_request',
    );
    expect(fields(err)).toEqual(['opening_text', 'prompt']);
    expect(expectOk(await server.api(`/v1/contexts/${c.id}`)).name).toBe('Support');
  });

  it('PATCH replaces the texts, recomputes required_dynamic_variables, keeps links unless given', async () => {
    const c = await createContext({ links: [{ url: 'https://a.example', faq: 'A' }] });
    await sleep(3);
    const p = expectOk(
      await server.api(`/v1/contexts/${c.id}`, {
        method: 'PATCH',
        body: { name: 'Sales', prompt: 'Sell ${item} to ${buyer}.', opening_text: 'Hello ${buyer}' },
      }),
    );
    expect(p).toMatchObject({
      id: c.id,
      name: 'Sales',
      required_dynamic_variables: ['item', 'buyer'],
      links: c.links,
      created_at: c.created_at,
    });
    expect(Date.parse(p.updated_at)).toBeGreaterThan(Date.parse(c.updated_at));

    const q = expectOk(
      await server.api(`/v1/contexts/${c.id}`, {
        method: 'PATCH',
        body: { name: 'Sales', prompt: 'No vars.', opening_text: '', links: [] },
      }),
    );
    expect(q).toMatchObject({ links: [], required_dynamic_variables: [] });
    expect(expectOk(await server.api(`/v1/contexts/${c.id}`))).toEqual(q);
  });

  it('DELETE removes it; then GET/PATCH/DELETE → 404 context_not_found', async () => {
    const c = await createContext();
    expect(expectOk(await server.api(`/v1/contexts/${c.id}`, { method: 'DELETE' }))).toBeNull();
    expectError(await server.api(`/v1/contexts/${c.id}`), 'context_not_found');
    expectError(
      await server.api(`/v1/contexts/${c.id}`, {
        method: 'PATCH',
        body: { name: 'n', prompt: 'p', opening_text: '' },
      }),
      'context_not_found',
    );
    expectError(await server.api(`/v1/contexts/${c.id}`, { method: 'DELETE' }), 'context_not_found');
  });

  it('a stored context resolves at token time with dynamic_variables, naming missing ones', async () => {
    const c = await createContext();
    const stored = await getContext(server.db, c.id);
    expect(stored).not.toBeNull();
    expect(resolveContextText(stored!, { customer_name: 'Ada', product: 'Liveface', extra: 'x' })).toEqual({
      prompt: 'You support Ada with Liveface. Be brief.',
      opening_text: 'Hi Ada, how is Liveface treating you? ${ not_a_var }',
    });
    expect(() => resolveContextText(stored!, { customer_name: 'Ada' })).toThrow(/"product"/);
  });
});

describe('voices: built-in', () => {
  it('GET /v1/voices lists the offline English voices (voice_type=public is the default)', async () => {
    const page = expectOk(await server.api('/v1/voices'));
    expect(page).toMatchObject({ count: BUILTIN_VOICES.length, next: null, previous: null });
    expect(expectOk(await server.api('/v1/voices?voice_type=public'))).toEqual(page);
    expect(page.results.length).toBeGreaterThanOrEqual(3);
    for (const v of page.results) {
      const parsed = Voice.safeParse(v);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(v.id).toMatch(UUID);
      expect(v.language).toBe('en');
      expect(['male', 'female']).toContain(v.gender);
      expect(v.tags).toContain('espeak-ng');
      expect(v.provider).toBe('espeak-ng');
      expect(new Date(v.created_at).toISOString()).toBe(v.created_at);
    }
    const kinds = page.results.map(
      (v: { provider_voice_id: string; gender: string }) => `${v.provider_voice_id}/${v.gender}`,
    );
    expect(kinds).toEqual(expect.arrayContaining(['en-us+f3/female', 'en-us/male', 'en-gb/male']));
    // Ids are stable across installations (clients store them in avatar_persona.voice_id).
    expect(page.results.map((v: { id: string }) => v.id)).toContain('6c55fcd2-27b5-40e9-ab6d-d1bb3c2942e1');
    expect(page.results.map((v: { id: string }) => v.id)).toContain(DEFAULT_VOICE_ID);
  });

  it('paginates and validates voice_type', async () => {
    const p1 = expectOk(await server.api('/v1/voices?page_size=2'));
    expect(p1.results).toHaveLength(2);
    expect(p1.next).toMatch(/page=2/);
    const p2 = expectOk(await server.api('/v1/voices?page_size=2&page=2'));
    expect(p2.results[0].id).not.toBe(p1.results[0].id);
    const err = expectError(await server.api('/v1/voices?voice_type=everyone'), 'invalid_request');
    expect(err.data.field).toBe('voice_type');
  });

  it('GET one; PATCH and DELETE → 409 voice_protected, and it stays', async () => {
    const id = BUILTIN_VOICES[1]!.id;
    const v = expectOk(await server.api(`/v1/voices/${id}`));
    expect(v).toMatchObject({ id, provider: 'espeak-ng' });
    expectError(await server.api(`/v1/voices/${id}`, { method: 'DELETE' }), 'voice_protected');
    expectError(
      await server.api(`/v1/voices/${id}`, { method: 'PATCH', body: { name: 'x' } }),
      'voice_protected',
    );
    expect(expectOk(await server.api(`/v1/voices/${id}`))).toEqual(v);
  });

  it.each(['GET', 'DELETE'])('%s of an unknown voice → 404 voice_not_found', async (method) => {
    expectError(await server.api(`/v1/voices/${MISSING}`, { method }), 'voice_not_found');
  });
});

describe('voices: third-party', () => {
  const secret = async (secret_type: string, secret_value = 'k') =>
    expectOk(
      await server.api('/v1/secrets', { body: { secret_name: secret_type, secret_value, secret_type } }),
    ).id as string;

  it('binds an ElevenLabs voice: {voice_id}, listed as private, readable for the pipeline', async () => {
    const secret_id = await secret('ELEVENLABS_API_KEY');
    const before = expectOk(await server.api('/v1/voices?voice_type=private')).count;
    const bound = expectOk(
      await server.api('/v1/voices/third_party', {
        body: { provider_voice_id: '21m00Tcm4TlvDq8ikWAM', secret_id, name: 'Rachel' },
      }),
    );
    expect(Object.keys(bound)).toEqual(['voice_id']);
    expect(bound.voice_id).toMatch(UUID);
    const v = expectOk(await server.api(`/v1/voices/${bound.voice_id}`));
    expect(Voice.safeParse(v).success).toBe(true);
    expect(v).toMatchObject({
      name: 'Rachel',
      provider: 'elevenlabs',
      provider_voice_id: '21m00Tcm4TlvDq8ikWAM',
      language: 'multi',
      gender: 'unknown',
    });
    expect(v.tags).toContain('third_party');
    const priv = expectOk(await server.api('/v1/voices?voice_type=private'));
    expect(priv.count).toBe(before + 1);
    expect(priv.results[0].id).toBe(bound.voice_id);
    const pub = expectOk(await server.api('/v1/voices?page_size=100'));
    expect(pub.results.some((x: { id: string }) => x.id === bound.voice_id)).toBe(false);
    await expect(getVoice(server.db, bound.voice_id)).resolves.toMatchObject({
      provider: 'elevenlabs',
      provider_voice_id: '21m00Tcm4TlvDq8ikWAM',
      secret_id,
    });
  });

  it('accepts voice_id as an alias of provider_voice_id; the name defaults to it', async () => {
    const secret_id = await secret('ELEVENLABS_API_KEY');
    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', { body: { voice_id: 'EXAVITQu4vr4xnSDxMaL', secret_id } }),
    );
    expect(expectOk(await server.api(`/v1/voices/${voice_id}`))).toMatchObject({
      name: 'EXAVITQu4vr4xnSDxMaL',
      provider_voice_id: 'EXAVITQu4vr4xnSDxMaL',
    });
  });

  it.each([
    ['CARTESIA_API_KEY', 'cartesia'],
    ['OPENAI_API_KEY', 'openai'],
    ['DEEPGRAM_API_KEY', 'deepgram'],
    ['FISH_AUDIO_API_KEY', 'fish'],
  ])('infers the provider from a %s secret (%s)', async (type, provider) => {
    const secret_id = await secret(type);
    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', { body: { provider_voice_id: 'v1', secret_id } }),
    );
    expect(expectOk(await server.api(`/v1/voices/${voice_id}`)).provider).toBe(provider);
  });

  it('takes an explicit provider in any case when it matches the secret', async () => {
    const secret_id = await secret('ELEVENLABS_API_KEY');
    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', {
        body: { provider_voice_id: 'v', secret_id, provider: 'elevenLabs' },
      }),
    );
    expect(expectOk(await server.api(`/v1/voices/${voice_id}`)).provider).toBe('elevenlabs');
  });

  it('refuses a secret that is missing, of another provider, or no TTS key (400 on secret_id)', async () => {
    const el = await secret('ELEVENLABS_API_KEY');
    const llm = await secret('LLM_API_KEY');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ secret_id: MISSING }, new RegExp(MISSING)],
      [{ secret_id: el, provider: 'cartesia' }, /CARTESIA_API_KEY/],
      [{ secret_id: llm }, /LLM_API_KEY/],
    ];
    for (const [body, message] of cases) {
      const err = expectError(
        await server.api('/v1/voices/third_party', { body: { provider_voice_id: 'v', ...body } }),
        'invalid_secret_reference',
      );
      expect(err.data.field).toBe('secret_id');
      expect(err.message).toMatch(message);
    }
  });

  it('validation errors name the fields', async () => {
    const e1 = expectError(await server.api('/v1/voices/third_party', { body: {} }), 'invalid_request');
    expect(fields(e1)).toEqual(['provider_voice_id', 'secret_id']);
    const e2 = expectError(
      await server.api('/v1/voices/third_party', {
        body: { provider_voice_id: 'v', secret_id: 's', provider: 'acme' },
      }),
      'invalid_request',
    );
    expect(e2.data.field).toBe('provider');
    expect(e2.message).toContain('elevenlabs');
  });

  it('binds a voice at an OpenAI-compatible server: base_url and model are stored and shown, the key never', async () => {
    const secret_id = await secret('OPENAI_API_KEY', 'sk-kokoro-never-shown');
    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', {
        body: {
          provider_voice_id: 'af_heart',
          secret_id,
          name: 'Heart (Kokoro)',
          base_url: 'http://127.0.0.1:8880/v1',
          model: 'kokoro',
        },
      }),
    );
    const one = await server.api(`/v1/voices/${voice_id}`);
    const v = expectOk(one);
    expect(Voice.safeParse(v).success).toBe(true);
    expect(v).toMatchObject({
      provider: 'openai',
      provider_voice_id: 'af_heart',
      base_url: 'http://127.0.0.1:8880/v1',
      model: 'kokoro',
    });
    const list = await server.api('/v1/voices?voice_type=private&page_size=100');
    expect(expectOk(list).results.find((x: { id: string }) => x.id === voice_id)).toEqual(v);
    for (const r of [one, list]) {
      expect(JSON.stringify(r.body)).not.toContain('sk-kokoro-never-shown');
      expect(JSON.stringify(r.body)).not.toContain(secret_id);
    }
    await expect(getVoice(server.db, voice_id)).resolves.toMatchObject({
      base_url: 'http://127.0.0.1:8880/v1',
      model: 'kokoro',
      secret_id,
    });
    // Without them (and for the built-in voices) both are null: the provider's own API and model.
    const plain = expectOk(
      await server.api('/v1/voices/third_party', { body: { provider_voice_id: 'alloy', secret_id } }),
    );
    expect(expectOk(await server.api(`/v1/voices/${plain.voice_id}`))).toMatchObject({
      base_url: null,
      model: null,
    });
    expect(expectOk(await server.api(`/v1/voices/${DEFAULT_VOICE_ID}`))).toMatchObject({
      base_url: null,
      model: null,
    });
  });

  it('PATCH sets and clears base_url and model, leaving the other fields', async () => {
    const secret_id = await secret('ELEVENLABS_API_KEY');
    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', {
        body: { provider_voice_id: 'v', secret_id, name: 'Kept' },
      }),
    );
    const set = expectOk(
      await server.api(`/v1/voices/${voice_id}`, {
        method: 'PATCH',
        body: { base_url: 'https://tts-proxy.example/eleven', model: 'eleven_turbo_v2_5' },
      }),
    );
    expect(set).toMatchObject({
      name: 'Kept',
      base_url: 'https://tts-proxy.example/eleven',
      model: 'eleven_turbo_v2_5',
    });
    const cleared = expectOk(
      await server.api(`/v1/voices/${voice_id}`, { method: 'PATCH', body: { base_url: null } }),
    );
    expect(cleared).toMatchObject({ name: 'Kept', base_url: null, model: 'eleven_turbo_v2_5' });
    expect(expectOk(await server.api(`/v1/voices/${voice_id}`))).toEqual(cleared);
  });

  it('a base_url that is no http(s) URL, or an empty model → 400 naming the field; nothing is stored', async () => {
    const secret_id = await secret('OPENAI_API_KEY');
    const before = expectOk(await server.api('/v1/voices?voice_type=private')).count;
    for (const base_url of ['127.0.0.1:8880', 'ftp://tts.example/v1', 'file:///etc/passwd', '', 'http://']) {
      const e = expectError(
        await server.api('/v1/voices/third_party', { body: { provider_voice_id: 'v', secret_id, base_url } }),
        'invalid_request',
      );
      expect(e.data.field, base_url).toBe('base_url');
    }
    const e = expectError(
      await server.api('/v1/voices/third_party', { body: { provider_voice_id: 'v', secret_id, model: '' } }),
      'invalid_request',
    );
    expect(e.data.field).toBe('model');
    expect(expectOk(await server.api('/v1/voices?voice_type=private')).count).toBe(before);

    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', { body: { provider_voice_id: 'v', secret_id } }),
    );
    const p = expectError(
      await server.api(`/v1/voices/${voice_id}`, { method: 'PATCH', body: { base_url: 'ws://tts.example' } }),
      'invalid_request',
    );
    expect(p.data.field).toBe('base_url');
    expect(expectOk(await server.api(`/v1/voices/${voice_id}`)).base_url).toBeNull();
  });

  it('PATCH renames; DELETE removes; the secret is then free to delete', async () => {
    const secret_id = await secret('ELEVENLABS_API_KEY');
    const { voice_id } = expectOk(
      await server.api('/v1/voices/third_party', { body: { provider_voice_id: 'v', secret_id } }),
    );
    expectError(await server.api(`/v1/secrets/${secret_id}`, { method: 'DELETE' }), 'secret_in_use');

    const renamed = expectOk(
      await server.api(`/v1/voices/${voice_id}`, { method: 'PATCH', body: { name: 'Narrator' } }),
    );
    expect(renamed.name).toBe('Narrator');
    const bad = expectError(
      await server.api(`/v1/voices/${voice_id}`, { method: 'PATCH', body: { name: 'x'.repeat(65) } }),
      'invalid_request',
    );
    expect(bad.data.field).toBe('name');

    expect(expectOk(await server.api(`/v1/voices/${voice_id}`, { method: 'DELETE' }))).toBeNull();
    expectError(await server.api(`/v1/voices/${voice_id}`), 'voice_not_found');
    expectError(await server.api(`/v1/voices/${voice_id}`, { method: 'DELETE' }), 'voice_not_found');
    expectError(
      await server.api(`/v1/voices/${voice_id}`, { method: 'PATCH', body: { name: 'n' } }),
      'voice_not_found',
    );
    expectOk(await server.api(`/v1/secrets/${secret_id}`, { method: 'DELETE' }));
  });
});
