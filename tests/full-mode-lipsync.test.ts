/**
 * FULL mode's lip-sync path: a voice whose TTS gives word timings (an ElevenLabs voice bound with
 * `base_url` to a local server speaking ElevenLabs' `stream/with-timestamps`, or a Cartesia voice on a
 * local server speaking its TTS WebSocket, whose word timestamps come after the audio in their own
 * messages) makes the answer's utterance text-aware. Its two sentences are two TTS requests, each timed from its own audio, and
 * every word lands at its time in the utterance: the lips close for the /b/s inside each word (the
 * audio, a plain vowel, has none) and the jaw opens on its vowel. A voice without timings (espeak-ng)
 * keeps the audio-only path. The metric tells which path ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isClosedMouth, type MouthParams } from '@liveface/engine';
import { cartesiaChunk, cartesiaDone, cartesiaTimestamps } from './helpers/fake-cartesia.js';
import { elevenLabsLines } from './helpers/fake-elevenlabs.js';
import { chatSse, sseHead } from './helpers/fake-openai.js';
import { startFakeServer, until, type FakeServer } from './helpers/fake-server.js';
import { fullPersona, fullToken } from './helpers/full.js';
import { syllables } from './helpers/media.js';
import { expectOk } from './helpers/rest.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** The answer: two sentences, so two TTS requests in one utterance. */
const ANSWER = ['Bob bob bob. ', 'Bob bob bob bob.'];
/**
 * The TTS speaks each word ("bob" and its space or period, 4 characters of 80 ms) as one syllable of
 * a vowel: 240 ms of sound, then 80 ms of pause.
 */
const CHAR_MS = 80;
const WORD_MS = 4 * CHAR_MS;

let server: TestServer;
let vendor: FakeServer;
let persona: Awaited<ReturnType<typeof fullPersona>>;

beforeAll(async () => {
  vendor = await startFakeServer();
  vendor.onHttp((req, res) => {
    if (req.url.endsWith('/chat/completions')) {
      sseHead(res);
      res.end(chatSse(ANSWER));
      return;
    }
    if (!req.url.includes('/stream/with-timestamps')) return void res.writeHead(404).end();
    const text = (JSON.parse(req.body.toString('utf8')) as { text: string }).text.trim();
    const words = text.split(' ').length;
    const pcm = syllables(words * WORD_MS, WORD_MS - CHAR_MS, CHAR_MS);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`${elevenLabsLines(text, pcm, 3, { charMs: CHAR_MS, leadMs: 0 }).join('\n')}\n`);
  });
  // Cartesia: each context's audio in three chunks, then all its word timestamps (seconds), then done.
  vendor.onSocket((socket) => {
    socket.ws.on('message', (data) => {
      const req = JSON.parse((data as Buffer).toString('utf8')) as {
        context_id: string;
        transcript?: string;
      };
      if (!req.transcript) return;
      const words = req.transcript.trim().split(' ');
      const pcm = syllables(words.length * WORD_MS, WORD_MS - CHAR_MS, CHAR_MS);
      for (let p = 0; p < 3; p++) {
        const part = pcm.subarray(Math.floor((p * pcm.length) / 3), Math.floor(((p + 1) * pcm.length) / 3));
        socket.ws.send(cartesiaChunk(req.context_id, part));
      }
      const at = words.map((_, i) => (i * WORD_MS) / 1000);
      const end = at.map((t) => t + (WORD_MS - CHAR_MS) / 1000);
      socket.ws.send(cartesiaTimestamps(req.context_id, words, at, end));
      socket.ws.send(cartesiaDone(req.context_id));
    });
  });
  server = await startTestServer();
  persona = await fullPersona(server, `${vendor.url}/v1`, { name: 'bob', prompt: 'Say bob.' });
});
afterAll(async () => {
  await server.stop();
  await vendor.stop();
});

/** Utterances counted by lip-sync path so far. */
async function utterancesByPath(): Promise<{ audio: number; text: number }> {
  const text = (await server.api('/metrics')).body as string;
  const value = (path: string) =>
    Number(
      new RegExp(`^liveface_lipsync_utterances_total\\{path="${path}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  return { audio: value('audio'), text: value('text') };
}

/** Starts a FULL session with `voiceId` (or the default voice), has it answer, records each tick's audio and mouth. */
async function answer(voiceId?: string): Promise<Array<{ speech: boolean; mouth: MouthParams }>> {
  const t = await fullToken(server, voiceId ? { ...persona, voiceId } : persona);
  expectOk(await server.api('/v1/sessions/start', { method: 'POST', token: t.session_token, key: null }));
  const runtime = server.sessions.runtime(t.session_id)!;
  const ticks: Array<{ speech: boolean; mouth: MouthParams }> = [];
  let ended = false;
  runtime.addListener((e) => void (e.kind === 'speak_ended' && (ended = true)));
  // The pose is the tick's own when its audio goes out.
  runtime.addMediaSink({
    audio: (_pts, samples) =>
      void ticks.push({ speech: samples.some((s) => s !== 0), mouth: runtime.pose!.mouth }),
    video: () => undefined,
  });
  server.sessions.agent(t.session_id)!.respond('Say it.', null);
  await until(() => ended, 20_000, 'answer spoken');
  expectOk(await server.api('/v1/sessions/stop', { body: { session_id: t.session_id } }));
  return ticks;
}

/** Binds a voice of `provider` (ElevenLabs or Cartesia) at the local vendor. */
async function voiceAt(secretType: 'ELEVENLABS_API_KEY' | 'CARTESIA_API_KEY'): Promise<string> {
  const secret = expectOk(
    await server.api('/v1/secrets', {
      body: { secret_name: 'tts', secret_value: 'tts-key', secret_type: secretType },
    }),
  );
  const voice = expectOk(
    await server.api('/v1/voices/third_party', {
      body: { provider_voice_id: 'bob-voice', secret_id: secret.id, base_url: vendor.url },
    }),
  );
  return voice.voice_id as string;
}

describe('FULL mode: lip-sync path by voice', () => {
  it.each([
    ['ElevenLabs (character alignment with each chunk)', 'ELEVENLABS_API_KEY'],
    ['Cartesia (word timestamps after the audio)', 'CARTESIA_API_KEY'],
  ] as const)(
    'a voice with word timings makes the answer text-aware, every word at its time: %s',
    async (_, secretType) => {
      const voice_id = await voiceAt(secretType);
      const before = await utterancesByPath();
      const ticks = await answer(voice_id);
      expect(await utterancesByPath()).toEqual({ audio: before.audio, text: before.text + 1 });

      // Tick k after the first sound depicts utterance time 40k ms. Words are "bob"s every 320 ms, the
      // second sentence's right after the first's 960 ms.
      const start = ticks.findIndex((t) => t.speech);
      const mouths = ticks.slice(start).map((t) => t.mouth);
      const words = [0, 1, 2, 3, 4, 5, 6].map((i) => i * WORD_MS);
      for (const [i, at] of words.entries()) {
        const inWord = mouths.slice(at / 40, (at + WORD_MS - CHAR_MS) / 40);
        expect(inWord.length, `word ${i}`).toBe(6);
        expect(Math.max(...inWord.map((m) => m.jawOpen)), `jaw opens in word ${i}`).toBeGreaterThan(0.4);
        expect(inWord.filter(isClosedMouth).length, `lips close in word ${i}`).toBeGreaterThanOrEqual(2);
      }
    },
  );

  it('a voice without word timings (espeak-ng) keeps the audio-only path', async () => {
    const before = await utterancesByPath();
    const ticks = await answer();
    expect(await utterancesByPath()).toEqual({ audio: before.audio + 1, text: before.text });
    expect(Math.max(...ticks.map((t) => t.mouth.jawOpen))).toBeGreaterThan(0.3);
  });
});
