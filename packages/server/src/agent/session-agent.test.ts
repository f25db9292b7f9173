import { describe, expect, it } from 'vitest';
import type { Db } from '../store/db.js';
import type { VoiceRecord } from '../store/voices.js';
import { ttsForVoice } from './session-agent.js';

/** A bound voice without a secret (so the store is never read). */
const voice = (over: Partial<VoiceRecord>): VoiceRecord => ({
  id: 'v',
  name: 'v',
  description: null,
  language: 'multi',
  gender: 'unknown',
  tags: [],
  provider: 'openai',
  provider_voice_id: 'alloy',
  secret_id: null,
  base_url: null,
  model: null,
  builtin: false,
  created_at: 0,
  updated_at: 0,
  ...over,
});
const noDb = undefined as unknown as Db;
const key = Buffer.alloc(32);

describe('ttsForVoice', () => {
  it("an openai voice without base_url or model gets OpenAI's API and a model (so only its key is checked)", async () => {
    const tts = await ttsForVoice(noDb, key, voice({}));
    await expect(tts.check()).rejects.toMatchObject({
      code: 'provider_misconfigured',
      message: expect.stringContaining('no API key for api.openai.com'),
    });
  });

  it('an openai voice with base_url and model: a local http server, which needs no key', async () => {
    const tts = await ttsForVoice(noDb, key, voice({ base_url: 'http://127.0.0.1:8880', model: 'kokoro' }));
    await expect(tts.check()).resolves.toBeUndefined();
  });

  it('a cartesia voice with an http(s) base_url reaches its WebSocket at the same place', async () => {
    const ok = await ttsForVoice(
      noDb,
      key,
      voice({ provider: 'cartesia', base_url: 'https://tts-proxy.example' }),
    );
    // Only the missing key is wrong: the base URL became a wss:// one the client accepts.
    await expect(ok.check()).rejects.toMatchObject({ message: expect.stringContaining('API key') });
    await ok.close?.();
  });
});
