/**
 * The offline espeak-ng TTS with the real Debian program (CI installs `espeak-ng`), and the optional
 * word-timed path through the GPL WASM build in a child process (a devDependency here).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rms } from '@liveface/engine';
import {
  EspeakTts,
  TTS_SAMPLE_RATE_HZ,
  type AudioChunk,
} from '../packages/server/src/agent/providers/index.js';
import {
  espeakWasmPath,
  espeakWordTimings,
  type EspeakEvent,
} from '../packages/server/src/agent/providers/espeak-wasm.js';
import { collect, providerFailure } from './helpers/fake-server.js';

const dir = mkdtempSync(join(tmpdir(), 'liveface-espeak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = providerFailure;

const durationMs = (chunks: AudioChunk[]) =>
  (chunks.reduce((a, c) => a + c.pcm.length, 0) * 1000) / TTS_SAMPLE_RATE_HZ;

describe('espeak-ng CLI', () => {
  it('speaks a sentence as 24 kHz PCM16, with no word timings', async () => {
    const tts = new EspeakTts();
    await tts.check();
    expect(tts.wordTimings).toBe(false);
    const chunks = await collect(
      tts.synthesize('Hello world. This is Liveface speaking.', { signal: new AbortController().signal }),
    );
    expect(chunks).toHaveLength(1);
    const ms = durationMs(chunks);
    expect(ms).toBeGreaterThan(1500);
    expect(ms).toBeLessThan(6000);
    expect(rms(chunks[0]!.pcm)).toBeGreaterThan(0.02);
    expect(chunks[0]!.words).toBeUndefined();
  });

  it('speaks faster at a higher rate, and reads text that looks like options as text', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const slow = durationMs(
      await collect(
        new EspeakTts({ rateWpm: 120 }).synthesize(text, { signal: new AbortController().signal }),
      ),
    );
    const fast = durationMs(
      await collect(
        new EspeakTts({ rateWpm: 300 }).synthesize(text, { signal: new AbortController().signal }),
      ),
    );
    expect(fast).toBeLessThan(slow * 0.7);
    const dashed = await collect(
      new EspeakTts().synthesize('--help -v xx', { signal: new AbortController().signal }),
    );
    expect(rms(dashed[0]!.pcm)).toBeGreaterThan(0.02);
  });

  it('reports an unknown voice and a missing program at check()', async () => {
    const voice = await failure(new EspeakTts({ voice: 'xx-nope' }).check());
    expect(voice.code).toBe('provider_misconfigured');
    expect(voice.message).toMatch(/unknown voice "xx-nope"; list them with `espeak-ng --voices`/);
    const missing = await failure(new EspeakTts({ binary: join(dir, 'no-such-espeak') }).check());
    expect(missing.code).toBe('provider_misconfigured');
    expect(missing.message).toMatch(/apt-get install espeak-ng/);
  });

  it('times out a hung program, and ends quietly when the turn is aborted', async () => {
    const hang = join(dir, 'hang.sh');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hang, 0o755);
    const t0 = Date.now();
    const err = await failure(
      collect(
        new EspeakTts({ binary: hang, timeoutMs: 150 }).synthesize('Hi.', {
          signal: new AbortController().signal,
        }),
      ),
    );
    expect(err.code).toBe('provider_timeout');
    expect(Date.now() - t0).toBeLessThan(2000);

    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const t1 = Date.now();
    expect(await collect(new EspeakTts({ binary: hang }).synthesize('Hi.', { signal: ctl.signal }))).toEqual(
      [],
    );
    expect(Date.now() - t1).toBeLessThan(2000);
  });
});

describe('espeak-ng word timings (optional WASM build, child process)', () => {
  it('derives written words from espeak word events (merged tokens, code points, pauses)', () => {
    const text = 'Hi 😀 it costs 3.5 now.';
    // espeak positions are 1-based code points; "3.5" is read as three words.
    const events: EspeakEvent[] = [
      { type: 'word', pos: 1, len: 2, ms: 0 },
      { type: 'phoneme', id: 'h', ms: 10 },
      { type: 'phoneme', id: '', ms: 150 },
      { type: 'word', pos: 4, len: 1, ms: 200 },
      { type: 'word', pos: 6, len: 2, ms: 900 },
      { type: 'word', pos: 9, len: 5, ms: 1000 },
      { type: 'word', pos: 15, len: 1, ms: 1300 },
      { type: 'word', pos: 16, len: 3, ms: 1500 }, // runs into the space after "3.5", as espeak does
      { type: 'word', pos: 17, len: 1, ms: 1700 },
      { type: 'word', pos: 19, len: 3, ms: 2000 },
    ];
    expect(espeakWordTimings(text, events, 2400)).toEqual([
      { word: 'Hi', startMs: 0, endMs: 150 },
      { word: '😀', startMs: 200, endMs: 900 },
      { word: 'it', startMs: 900, endMs: 1000 },
      { word: 'costs', startMs: 1000, endMs: 1300 },
      { word: '3.5', startMs: 1300, endMs: 2000 },
      { word: 'now.', startMs: 2000, endMs: 2400 },
    ]);
  });

  it.skipIf(!espeakWasmPath())(
    'speaks with word timings that cover the text in order',
    { timeout: 60_000 },
    async () => {
      const tts = new EspeakTts({ wordTimings: true });
      try {
        await tts.check();
        expect(tts.wordTimings).toBe(true);
        const text = 'Hello there, my friend. It costs 3.5 dollars!';
        const chunks = await collect(tts.synthesize(text, { signal: new AbortController().signal }));
        expect(chunks).toHaveLength(1);
        const { pcm, words = [] } = chunks[0]!;
        expect(rms(pcm)).toBeGreaterThan(0.02);
        expect(words.map((w) => w.word)).toEqual(text.split(' '));
        const total = durationMs(chunks);
        for (let i = 0; i < words.length; i++) {
          const w = words[i]!;
          expect(w.endMs).toBeGreaterThan(w.startMs);
          expect(w.endMs).toBeLessThanOrEqual(total);
          if (i > 0) expect(w.startMs).toBeGreaterThanOrEqual(words[i - 1]!.endMs);
        }
        // The comma and the full stop are pauses: the next word starts well after the previous ended.
        expect(words[2]!.startMs - words[1]!.endMs).toBeGreaterThan(50);

        // An aborted sentence kills the child; the next sentence starts a new one and works.
        const ctl = new AbortController();
        const long = 'This sentence is long enough to be interrupted. '.repeat(30);
        setTimeout(() => ctl.abort(), 30);
        expect(await collect(tts.synthesize(long, { signal: ctl.signal }))).toEqual([]);
        const next = await collect(tts.synthesize('Still here.', { signal: new AbortController().signal }));
        expect(next[0]!.words!.map((w) => w.word)).toEqual(['Still', 'here.']);
      } finally {
        await tts.close();
      }
    },
  );
});
