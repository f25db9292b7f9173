// @ts-check
/**
 * Lip-sync corpus: espeak-ng (WASM, GPL — a dev tool only, never imported by packages/engine/src) reads
 * scripts/lipsync/sentences.txt with many voices and rates; phoneme events give the ground truth.
 * Deterministic: the same split always yields the same audio and labels.
 *
 *   node scripts/lipsync/corpus.mjs [train|val|test] [--out data/lipsync]   (after `tsc -b`)
 *
 * Without --out it prints a summary; with it, it writes one WAV + JSON per utterance (for listening
 * and inspection; training and the benchmark regenerate in memory, so nothing here must be kept).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** espeak-ng's output rate. */
export const ESPEAK_RATE_HZ = 22_050;
/** Our input rate (the engine's). */
export const SAMPLE_RATE_HZ = 24_000;

// 22 050 → 24 000 Hz is 160/147: a polyphase windowed-sinc table (160 phases × 32 taps), cutoff at
// 0.95 × 11 025 Hz. Precomputed because the generic resampler evaluates sin() per tap (10× slower).
const UP = 160;
const DOWN = 147;
const HALF = 16;
const PHASES = Array.from({ length: UP }, (_, p) => {
  const frac = p / UP;
  const taps = new Float64Array(2 * HALF);
  let sum = 0;
  for (let k = 0; k < 2 * HALF; k++) {
    const x = (k - HALF + 1 - frac) * 0.95;
    const w = (k - HALF + 1 - frac) / HALF;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    taps[k] =
      Math.abs(w) >= 1 ? 0 : sinc * (0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w));
    sum += taps[k] ?? 0;
  }
  return taps.map((t) => t / sum);
});

/** espeak PCM16 at 22 050 Hz → PCM16 at 24 kHz. */
export function to24k(/** @type {Int16Array} */ input) {
  const out = new Int16Array(Math.floor((input.length * UP) / DOWN));
  for (let i = 0; i < out.length; i++) {
    const pos = i * DOWN;
    const base = Math.floor(pos / UP);
    const taps = PHASES[pos % UP] ?? PHASES[0];
    let acc = 0;
    for (let k = 0; k < 2 * HALF; k++) {
      const j = base + k - HALF + 1;
      if (j >= 0 && j < input.length) acc += (input[j] ?? 0) * (taps?.[k] ?? 0);
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}

/**
 * Voices. Test voices are never trained on; variants that copy them (Mario/Michael ≈ m7; UniRobot,
 * announcer, robosoft2/3 use klatt 4) are left out of training too. Validation voices tune the
 * post-processing and are not trained on either.
 */
export const TRAIN_VOICES = [
  'en-us',
  'en-us+m1',
  'en-us+m2',
  'en-us+m3',
  'en-us+m4',
  'en-us+m5',
  'en-us+m6',
  'en-us+m8',
  'en-us+f1',
  'en-us+f2',
  'en-us+f4',
  'en-us+klatt',
  'en-us+klatt2',
  'en-us+klatt5',
  'en-us+klatt6',
  'en-us+Alicia',
  'en-us+Andrea',
  'en-us+belinda',
  'en-us+linda',
  'en-us+steph',
  'en-us+aunty',
  'en-us+grandma',
  'en-us+Gene',
  'en-us+Lee',
  'en-us+rob',
  'en-us+robert',
  'en-us+marcelo',
  'en-us+travis',
  'en-us+victor',
  'en-us+shelby',
  'en-us+zac',
  'en-us+edward',
  'en-us+david',
  'en-us+Alex',
];
export const VAL_VOICES = ['en-us+Annie', 'en-us+Jacky', 'en-us+iven'];
export const TEST_VOICES = ['en-us+f3', 'en-us+f5', 'en-us+m7', 'en-us+klatt3', 'en-us+klatt4'];
export const TEST_RATES = [150, 175, 200];
const TRAIN_RATES = [130, 150, 165, 180, 195, 210, 230];
/** Sentences each training voice reads (a rotating window, so all train sentences are covered). */
const TRAIN_SENTENCES_PER_VOICE = 80;

/** @returns {string[]} the corpus sentences, in file order. */
export function loadSentences() {
  return readFileSync(join(ROOT, 'scripts/lipsync/sentences.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Every fifth sentence is held out for validation and test; the rest are for training. */
export function isTestSentence(/** @type {number} */ index) {
  return index % 5 === 4;
}

/**
 * @typedef {{ voice: string, rateWpm: number, sentence: number, text: string }} CorpusItem
 * @typedef {import('../../packages/engine/src/lipsync/ground-truth.js').GroundTruth} GroundTruth
 * @typedef {typeof import('../../packages/engine/src/lipsync/ground-truth.js').buildGroundTruth} BuildGroundTruth
 * @typedef {{ text: string, startMs: number, endMs: number }} CorpusWord
 * @typedef {{ item: CorpusItem, samples: Int16Array, gt: GroundTruth, words: CorpusWord[] }} Utterance
 */

/**
 * The utterances of a split, grouped by voice (synthesis order matters for determinism).
 * @param {'train' | 'val' | 'test'} split
 * @returns {CorpusItem[]}
 */
export function corpusItems(split) {
  const sentences = loadSentences();
  const train = sentences.map((_, i) => i).filter((i) => !isTestSentence(i));
  const test = sentences.map((_, i) => i).filter(isTestSentence);
  /** @type {CorpusItem[]} */
  const items = [];
  if (split === 'train') {
    TRAIN_VOICES.forEach((voice, v) => {
      for (let k = 0; k < TRAIN_SENTENCES_PER_VOICE; k++) {
        const sentence = train[(v * 37 + k) % train.length] ?? 0;
        const rateWpm = TRAIN_RATES[(v + k) % TRAIN_RATES.length] ?? 175;
        items.push({ voice, rateWpm, sentence, text: sentences[sentence] ?? '' });
      }
    });
  } else {
    const voices = split === 'val' ? VAL_VOICES : TEST_VOICES;
    for (const voice of voices) {
      for (const rateWpm of TEST_RATES) {
        for (const sentence of test)
          items.push({ voice, rateWpm, sentence, text: sentences[sentence] ?? '' });
      }
    }
  }
  return items;
}

/**
 * Synthesises items in order and yields audio (PCM16 24 kHz) with ground truth. A fresh espeak-ng
 * instance per voice, with Date.now pinned: espeak seeds its noise generator from the clock, which would
 * otherwise make every run differ. `buildGroundTruth` comes from the engine (its dist build for
 * scripts, its source for tests), so this file needs no build.
 * @param {CorpusItem[]} items
 * @param {BuildGroundTruth} buildGroundTruth
 * @returns {AsyncGenerator<Utterance>}
 */
export async function* synthesize(items, buildGroundTruth) {
  // A variable specifier: the package has no types, and `any` is what it is.
  const espeak = '@echogarden/espeak-ng-emscripten';
  /** @type {() => Promise<any>} */
  const factory = (await import(espeak)).default;
  const realNow = Date.now;
  /** @type {any} */
  let worker = null;
  let voice = '';
  try {
    Date.now = () => 1_700_000_000_000;
    for (const item of items) {
      if (item.voice !== voice) {
        const mod = await factory();
        worker = new mod.eSpeakNGWorker();
        voice = item.voice;
        worker.set_voice(voice);
      }
      worker.set_rate(item.rateWpm);
      /** @type {Int16Array[]} */
      const chunks = [];
      /** @type {{ ipa: string, ms: number }[]} */
      const events = [];
      /** @type {{ pos: number, len: number, ms: number }[]} */
      const wordEvents = [];
      worker.synthesize(item.text, (/** @type {Int16Array} */ s, /** @type {any[]} */ evs) => {
        chunks.push(s.slice());
        for (const e of evs) {
          if (e.type === 'phoneme') events.push({ ipa: String(e.id ?? ''), ms: e.audio_position });
          else if (e.type === 'word')
            wordEvents.push({ pos: e.text_position, len: e.word_length, ms: e.audio_position });
        }
      });
      const pcm = new Int16Array(chunks.reduce((a, c) => a + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        pcm.set(c, o);
        o += c.length;
      }
      const samples = to24k(pcm);
      const durationMs = (samples.length * 1000) / SAMPLE_RATE_HZ;
      const words = wordTimings(item.text, wordEvents, events, durationMs);
      yield { item, samples, gt: buildGroundTruth(events, durationMs, samples, SAMPLE_RATE_HZ), words };
    }
  } finally {
    Date.now = realNow;
  }
}

/**
 * Word timings as a TTS provider would give them, from espeak-ng WORD events: the written word (its
 * text range, trailing punctuation kept), start = the event's audio position, end = the next word's
 * start or the first pause before it. Events over one written token (espeak splits "42" into "forty
 * two") are merged into one word.
 * @param {string} text
 * @param {{ pos: number, len: number, ms: number }[]} wordEvents text_position is 1-based
 * @param {{ ipa: string, ms: number }[]} phones
 * @param {number} durationMs
 * @returns {CorpusWord[]}
 */
export function wordTimings(text, wordEvents, phones, durationMs) {
  /** @type {{ from: number, to: number, ms: number }[]} */
  const merged = [];
  for (const w of wordEvents) {
    let from = w.pos - 1;
    let to = from + w.len;
    // Extend to the whole whitespace-delimited token.
    while (from > 0 && !/\s/u.test(text[from - 1] ?? ' ')) from--;
    while (to < text.length && !/\s/u.test(text[to] ?? ' ')) to++;
    const last = merged[merged.length - 1];
    if (last && from < last.to) last.to = Math.max(last.to, to);
    else merged.push({ from, to, ms: w.ms });
  }
  return merged.map((w, i) => {
    const next = merged[i + 1]?.ms ?? durationMs;
    // The first pause after the word's first phone ends it.
    const pause = phones.find(
      (p) =>
        p.ipa === '' &&
        p.ms > w.ms &&
        p.ms < next &&
        phones.some((q) => q.ipa !== '' && q.ms >= w.ms && q.ms < p.ms),
    );
    return { text: text.slice(w.from, w.to), startMs: w.ms, endMs: pause ? pause.ms : next };
  });
}

/** PCM16 mono WAV bytes. */
function wav(/** @type {Int16Array} */ s, /** @type {number} */ rate) {
  const b = Buffer.alloc(44 + s.length * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + s.length * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(s.length * 2, 40);
  Buffer.from(s.buffer, s.byteOffset, s.byteLength).copy(b, 44);
  return b;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const split = /** @type {'train'|'val'|'test'} */ (process.argv[2] ?? 'test');
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx > 0 ? join(process.argv[outIdx + 1] ?? 'data/lipsync', split) : '';
  if (out) mkdirSync(out, { recursive: true });
  const counts = new Map();
  let seconds = 0;
  let n = 0;
  const t0 = performance.now();
  /** @type {typeof import('../../packages/engine/src/lipsync/ground-truth.js')} */
  const gtModule = await import(join(ROOT, 'packages/engine/dist/lipsync/ground-truth.js'));
  for await (const u of synthesize(corpusItems(split), gtModule.buildGroundTruth)) {
    seconds += u.samples.length / SAMPLE_RATE_HZ;
    for (const s of u.gt.spans) counts.set(s.cls, (counts.get(s.cls) ?? 0) + (s.endMs - s.startMs) / 1000);
    if (out) {
      const name = `${String(n).padStart(4, '0')}-${u.item.voice.replace(/[^a-z0-9]+/gi, '_')}-${u.item.rateWpm}`;
      writeFileSync(join(out, `${name}.wav`), wav(u.samples, SAMPLE_RATE_HZ));
      writeFileSync(join(out, `${name}.json`), JSON.stringify({ ...u.item, gt: u.gt }, null, 1));
    }
    n++;
  }
  console.log(
    `${split}: ${n} utterances, ${seconds.toFixed(0)} s of audio in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  console.log('seconds per class:', Object.fromEntries([...counts].map(([k, v]) => [k, Math.round(v)])));
}
