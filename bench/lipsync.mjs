// @ts-check
/**
 * Lip-sync benchmark (issue 3, research notes §3.3 / §6d): held-out espeak-ng voices never trained on
 * (f3, f5, m7, klatt3, klatt4) × rates 150/175/200 × the 40 held-out sentences, fed in ~1 s chunks
 * through the production streaming API (`LipSync`). Prints acc9, acc5, /p b m/ recall, openness r, lag,
 * CPU ms per second of audio and lookahead, plus the energy "jaw flap" baseline. Then the text-aware
 * path (`TextLipSync`) on the same utterances: with word timings from espeak-ng's WORD events (as a TTS
 * provider gives them) and with the text only (aligned over the whole utterance at flush).
 *
 *   npm run bench:lipsync [-- --json out.json] [-- --quick]
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusItems, synthesize, SAMPLE_RATE_HZ, TEST_VOICES } from '../scripts/lipsync/corpus.mjs';
import { evaluate, evaluateText } from '../scripts/lipsync/evaluate.mjs';

const ENGINE = fileURLToPath(new URL('../packages/engine/dist/', import.meta.url));
/** @type {typeof import('../packages/engine/src/lipsync/metrics.js')} */
const { LipSyncScorer } = await import(join(ENGINE, 'lipsync/metrics.js'));
/** @type {typeof import('../packages/engine/src/lipsync/ground-truth.js')} */
const { buildGroundTruth } = await import(join(ENGINE, 'lipsync/ground-truth.js'));

const quick = process.argv.includes('--quick');
const jsonIdx = process.argv.indexOf('--json');

/**
 * The energy "jaw flap": 20 ms RMS every 10 ms, dB re a decaying peak mapped to 0..1, then an EMA
 * (like a WebAudio analyser's smoothing). What an avatar does with no lip-sync model at all.
 * @param {Int16Array} s
 */
function jawFlap(s) {
  const hop = SAMPLE_RATE_HZ / 100;
  const out = new Float32Array(Math.ceil(s.length / hop));
  let peak = -45;
  let ema = 0;
  for (let i = 0; i < out.length; i++) {
    let e = 0;
    const end = Math.min(s.length, (i + 1) * hop);
    const start = Math.max(0, end - 2 * hop);
    for (let k = start; k < end; k++) e += ((s[k] ?? 0) / 32768) ** 2;
    const db = 10 * Math.log10(e / Math.max(1, end - start) + 1e-10);
    peak = Math.max(db, peak - 0.06);
    ema += 0.35 * (Math.min(1, Math.max(0, (db - peak + 40) / 40)) - ema);
    out[i] = ema;
  }
  return out;
}

const items = corpusItems('test').filter((_, i) => !quick || i % 6 === 0);
/** @type {import('../scripts/lipsync/corpus.mjs').Utterance[]} */
const utts = [];
for await (const u of synthesize(items, buildGroundTruth)) utts.push(u);

const all = evaluate(utts, { chunkMs: 1000 });
const perVoice = TEST_VOICES.map((v) => ({
  voice: v,
  ...evaluate(
    utts.filter((u) => u.item.voice === v),
    { chunkMs: 1000 },
  ),
}));
const flap = new LipSyncScorer();
for (const u of utts) flap.addOpenness(u.gt, jawFlap(u.samples));
const flapScores = flap.result();

const f3 = (/** @type {number} */ x) => x.toFixed(3);
const row = (/** @type {string} */ name, /** @type {any} */ s) =>
  `| ${name} | ${s.frames} | ${f3(s.acc9)} | ${f3(s.acc5)} | ${f3(s.ppRecall)} | ${f3(s.falseClosure)} | ${f3(s.openR)} | ${s.lagMs.toFixed(1)} | ${s.cpuMsPerAudioS.toFixed(1)} | ${s.lookaheadMs} |`;
console.log(
  `lip-sync benchmark: ${utts.length} utterances, ${all.audioS.toFixed(0)} s of audio, held-out voices ${TEST_VOICES.join(', ')}`,
);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}\n`);
console.log(
  '| set | frames | acc9 | acc5 | ppRecall | falseClosure | openR | lag ms | CPU ms/s | lookahead ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
console.log(row('**all held-out**', all));
for (const v of perVoice) console.log(row(v.voice, v));
console.log(
  `| energy jaw flap (baseline) | – | – | – | – | – | ${f3(flapScores.openR)} | ${flapScores.lagMs.toFixed(1)} | – | 0 |`,
);
console.log('\nconfusion (rows truth, cols predicted; SIL PP FF CH TT AA E I OU):');
for (const r of all.confusion) console.log(r.map((n) => String(n).padStart(6)).join(''));

const textTimed = evaluateText(utts, { timed: true, chunkMs: 1000 });
const textStreamed = evaluateText(utts, { timed: true, streamed: true, chunkMs: 1000 });
const textOnly = evaluateText(utts, { timed: false, chunkMs: 1000 });
const textPerVoice = TEST_VOICES.map((v) => ({
  voice: v,
  ...evaluateText(
    utts.filter((u) => u.item.voice === v),
    { timed: true, chunkMs: 1000 },
  ),
}));
const trow = (/** @type {string} */ name, /** @type {any} */ s, /** @type {string} */ latency) =>
  `| ${name} | ${s.frames} | ${f3(s.acc9)} | ${f3(s.acc5)} | ${f3(s.ppRecall)} | ${f3(s.falseClosure)} | ${f3(s.openR)} | ${s.lagMs.toFixed(1)} | ${s.cpuMsPerAudioS.toFixed(1)} | ${latency} |`;
console.log('\ntext-aware path (TextLipSync), same utterances:\n');
console.log('| set | frames | acc9 | acc5 | ppRecall | falseClosure | openR | lag ms | CPU ms/s | latency |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
console.log(trow('**text + word timings**', textTimed, 'word + 50 ms'));
console.log(trow('text + streamed word timings (FULL mode)', textStreamed, 'word + 50 ms'));
for (const v of textPerVoice) console.log(trow(`${v.voice} (timings)`, v, 'word + 50 ms'));
console.log(trow('**text only, no timings**', textOnly, 'utterance (at flush)'));
console.log(
  `\nwords spread proportionally (low alignment confidence): ${(100 * textTimed.lowConfidenceShare).toFixed(1)} %`,
);
console.log('\nconfusion, text + word timings (rows truth, cols predicted):');
for (const r of textTimed.confusion) console.log(r.map((n) => String(n).padStart(6)).join(''));
if (jsonIdx > 0) {
  const text = { timed: textTimed, streamed: textStreamed, textOnly, perVoice: textPerVoice };
  writeFileSync(
    process.argv[jsonIdx + 1] ?? 'lipsync-bench.json',
    JSON.stringify({ all, perVoice, flap: flapScores, text }, null, 1),
  );
}
