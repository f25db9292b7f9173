// @ts-check
/**
 * Trains the lip-sync MLP on the espeak-ng corpus and writes packages/engine/src/lipsync/model.json.
 * Deterministic (seeded init, shuffles and noise; espeak pinned), so the committed file is exactly
 * reproducible:
 *
 *   npm run lipsync:train             # rebuild the engine, regenerate the corpus, train, write model.json
 *   npm run lipsync:train -- --check  # retrain and compare byte for byte with the committed model.json
 *
 * Steps: features of the train voices → MLP (softmax output, class-balanced cross-entropy, Adam) →
 * post-processing (closure threshold, jaw gain) tuned on validation voices through the real streaming
 * API → JSON. Test voices are never touched here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusItems, synthesize, SAMPLE_RATE_HZ } from './corpus.mjs';
import { evaluate } from './evaluate.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENGINE = join(ROOT, 'packages/engine/dist');
const MODEL_PATH = join(ROOT, 'packages/engine/src/lipsync/model.json');
/** @type {typeof import('../../packages/engine/src/lipsync/features.js')} */
const { FeatureExtractor, FEATURE_DIM, HOP_MS } = await import(join(ENGINE, 'lipsync/features.js'));
/** @type {typeof import('../../packages/engine/src/lipsync/ground-truth.js')} */
const { classAt, buildGroundTruth } = await import(join(ENGINE, 'lipsync/ground-truth.js'));
/** @type {typeof import('../../packages/engine/src/lipsync/phone-classes.js')} */
const { CLASS_INDEX } = await import(join(ENGINE, 'lipsync/phone-classes.js'));
/** @type {typeof import('../../packages/engine/src/types.js')} */
const { VISEME_CLASSES } = await import(join(ENGINE, 'types.js'));

/** Hyper-parameters (documented in the model's meta). */
const CONFIG = {
  seed: 20250601,
  // Past context reaches 150 ms back (sparser far away); the classifier looks 2 hops ahead, then no
  // posterior smoothing: 2 × 10 ms + 16 ms half window = 36 ms lookahead.
  contextOffsets: [-15, -12, -9, -7, -5, -4, -3, -2, -1, 0, 1, 2],
  smoothHops: 0,
  targetShiftMs: 0,
  hidden: [40],
  epochs: 10,
  batch: 256,
  lr: 3e-3,
  lrFinal: 2e-4,
  l2: 1e-5,
  /** Class weight ∝ frequency^−balance: a partial balance, so rare /p b m/ and /f v/ are not drowned. */
  balance: 0.35,
  /** Share of training utterances with added noise, and its level range (dB re full scale). */
  noiseShare: 0.5,
  noiseDb: [-70, -50],
};

/** mulberry32: a small seeded PRNG. */
function rng(/** @type {number} */ seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rounds for the JSON file: 5 significant digits keep it small and change nothing measurable. */
const r5 = (/** @type {number} */ x) => Number(x.toPrecision(5));

/** Appends 100 ms of silence so the last hops have their future context, as LipSync.flush() does. */
function padded(/** @type {Int16Array} */ s) {
  const out = new Int16Array(s.length + SAMPLE_RATE_HZ / 10);
  out.set(s);
  return out;
}

/** Mean of raw MFCC 1..12 over voiced frames of a few utterances per voice: the CMN's start. */
async function cmnInit() {
  const items = corpusItems('train').filter((_, i) => i % 8 === 0);
  const sum = new Float64Array(12);
  let n = 0;
  for await (const u of synthesize(items, buildGroundTruth)) {
    const fx = new FeatureExtractor(new Float64Array(12));
    fx.push(padded(u.samples), (f) => {
      if (!f.voiced) return;
      for (let c = 0; c < 12; c++) sum[c] = (sum[c] ?? 0) + (f.mfcc[c] ?? 0);
      n++;
    });
  }
  return Array.from(sum, (s) => r5(s / n));
}

/**
 * Features and labels of a split. Features are standardised later; labels are the class at each hop's
 * centre + targetShiftMs.
 * @param {'train'|'val'} split
 * @param {number[]} cmn
 */
async function dataset(split, cmn) {
  const rand = rng(CONFIG.seed + 1);
  /** @type {Float32Array[]} */
  const feats = [];
  /** @type {Uint8Array[]} */
  const labels = [];
  for await (const u of synthesize(corpusItems(split), buildGroundTruth)) {
    const s = padded(u.samples);
    // Noise for robustness: real TTS is rarely digitally silent in its closures.
    if (split === 'train' && rand() < CONFIG.noiseShare) {
      const [lo, hi] = CONFIG.noiseDb;
      const amp = 32768 * 10 ** (((lo ?? -70) + rand() * ((hi ?? -50) - (lo ?? -70))) / 20) * Math.sqrt(3);
      for (let i = 0; i < s.length; i++)
        s[i] = Math.max(-32768, Math.min(32767, Math.round((s[i] ?? 0) + amp * (2 * rand() - 1))));
    }
    const fx = new FeatureExtractor(cmn);
    /** @type {Float32Array[]} */
    const rows = [];
    fx.push(s, (f) => rows.push(f.feat));
    const f = new Float32Array(rows.length * FEATURE_DIM);
    rows.forEach((row, j) => f.set(row, j * FEATURE_DIM));
    const l = new Uint8Array(rows.length);
    for (let j = 0; j < rows.length; j++)
      l[j] = CLASS_INDEX[classAt(u.gt, j * HOP_MS + CONFIG.targetShiftMs)];
    feats.push(f);
    labels.push(l);
  }
  return { feats, labels };
}

/** A fully connected MLP with ReLU hidden layers and a softmax output, trained with Adam. */
class Mlp {
  /** @param {number[]} sizes @param {() => number} rand */
  constructor(sizes, rand) {
    this.sizes = sizes;
    /** @type {Float64Array[]} */ this.w = [];
    /** @type {Float64Array[]} */ this.b = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nin = sizes[l] ?? 0;
      const nout = sizes[l + 1] ?? 0;
      const scale = Math.sqrt(2 / nin);
      // Box-Muller normal init, He scaling.
      this.w.push(
        Float64Array.from(
          { length: nin * nout },
          () => scale * Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand()),
        ),
      );
      this.b.push(new Float64Array(nout));
    }
    this.mw = this.w.map((a) => new Float64Array(a.length));
    this.vw = this.w.map((a) => new Float64Array(a.length));
    this.mb = this.b.map((a) => new Float64Array(a.length));
    this.vb = this.b.map((a) => new Float64Array(a.length));
    this.gw = this.w.map((a) => new Float64Array(a.length));
    this.gb = this.b.map((a) => new Float64Array(a.length));
    this.acts = sizes.map((n) => new Float64Array(n));
    this.deltas = sizes.map((n) => new Float64Array(n));
    this.t = 0;
  }

  /** Forward; returns the softmax output (reused). */
  forward(/** @type {Float32Array | Float64Array} */ x) {
    const acts = this.acts;
    /** @type {Float64Array} */ (acts[0]).set(x);
    const L = this.w.length;
    for (let l = 0; l < L; l++) {
      const nin = this.sizes[l] ?? 0;
      const nout = this.sizes[l + 1] ?? 0;
      const w = /** @type {Float64Array} */ (this.w[l]);
      const b = /** @type {Float64Array} */ (this.b[l]);
      const a = /** @type {Float64Array} */ (acts[l]);
      const y = /** @type {Float64Array} */ (acts[l + 1]);
      for (let j = 0; j < nout; j++) {
        let acc = b[j] ?? 0;
        const row = j * nin;
        for (let i = 0; i < nin; i++) acc += (w[row + i] ?? 0) * (a[i] ?? 0);
        y[j] = l < L - 1 && acc < 0 ? 0 : acc;
      }
    }
    const out = /** @type {Float64Array} */ (acts[L]);
    let max = -Infinity;
    for (const v of out) max = Math.max(max, v);
    let sum = 0;
    for (let j = 0; j < out.length; j++) sum += out[j] = Math.exp((out[j] ?? 0) - max);
    for (let j = 0; j < out.length; j++) out[j] = (out[j] ?? 0) / sum;
    return out;
  }

  /** Accumulates the gradient of weight × cross-entropy for one example (after forward). */
  backward(/** @type {number} */ label, /** @type {number} */ weight) {
    const L = this.w.length;
    const acts = this.acts;
    const dOut = /** @type {Float64Array} */ (this.deltas[L]);
    const out = /** @type {Float64Array} */ (acts[L]);
    for (let j = 0; j < dOut.length; j++) dOut[j] = weight * ((out[j] ?? 0) - (j === label ? 1 : 0));
    for (let l = L - 1; l >= 0; l--) {
      const nin = this.sizes[l] ?? 0;
      const nout = this.sizes[l + 1] ?? 0;
      const w = /** @type {Float64Array} */ (this.w[l]);
      const gw = /** @type {Float64Array} */ (this.gw[l]);
      const gb = /** @type {Float64Array} */ (this.gb[l]);
      const a = /** @type {Float64Array} */ (acts[l]);
      const d = /** @type {Float64Array} */ (this.deltas[l + 1]);
      const dIn = /** @type {Float64Array} */ (this.deltas[l]);
      if (l > 0) dIn.fill(0);
      for (let j = 0; j < nout; j++) {
        const dj = d[j] ?? 0;
        if (dj === 0) continue;
        gb[j] = (gb[j] ?? 0) + dj;
        const row = j * nin;
        for (let i = 0; i < nin; i++) {
          gw[row + i] = (gw[row + i] ?? 0) + dj * (a[i] ?? 0);
          if (l > 0) dIn[i] = (dIn[i] ?? 0) + dj * (w[row + i] ?? 0);
        }
      }
      // ReLU derivative of the layer below.
      if (l > 0) for (let i = 0; i < nin; i++) if ((a[i] ?? 0) <= 0) dIn[i] = 0;
    }
  }

  /** Adam step over the accumulated gradient of `n` examples; clears it. */
  step(/** @type {number} */ lr, /** @type {number} */ n) {
    this.t++;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    /** @param {Float64Array} p @param {Float64Array} g @param {Float64Array} m @param {Float64Array} v @param {number} decay */
    const upd = (p, g, m, v, decay) => {
      for (let i = 0; i < p.length; i++) {
        const gi = (g[i] ?? 0) / n + decay * (p[i] ?? 0);
        m[i] = b1 * (m[i] ?? 0) + (1 - b1) * gi;
        v[i] = b2 * (v[i] ?? 0) + (1 - b2) * gi * gi;
        p[i] = (p[i] ?? 0) - (lr * ((m[i] ?? 0) / c1)) / (Math.sqrt((v[i] ?? 0) / c2) + eps);
        g[i] = 0;
      }
    };
    for (let l = 0; l < this.w.length; l++) {
      upd(
        /** @type {any} */ (this.w[l]),
        /** @type {any} */ (this.gw[l]),
        /** @type {any} */ (this.mw[l]),
        /** @type {any} */ (this.vw[l]),
        CONFIG.l2,
      );
      upd(
        /** @type {any} */ (this.b[l]),
        /** @type {any} */ (this.gb[l]),
        /** @type {any} */ (this.mb[l]),
        /** @type {any} */ (this.vb[l]),
        0,
      );
    }
  }
}

/** Builds the stacked, standardised input of hop j of an utterance (hops clamp to the utterance). */
function stack(
  /** @type {Float32Array} */ f,
  /** @type {number} */ hops,
  /** @type {number} */ j,
  /** @type {Float64Array} */ mean,
  /** @type {Float64Array} */ std,
  /** @type {Float64Array} */ out,
) {
  let o = 0;
  for (const off of CONFIG.contextOffsets) {
    const h = Math.min(hops - 1, Math.max(0, j + off));
    for (let d = 0; d < FEATURE_DIM; d++)
      out[o++] = ((f[h * FEATURE_DIM + d] ?? 0) - (mean[d] ?? 0)) / (std[d] ?? 1);
  }
}

/** The model file from a trained MLP. */
function modelJson(
  /** @type {Mlp} */ mlp,
  /** @type {number[]} */ cmn,
  /** @type {Float64Array} */ mean,
  /** @type {Float64Array} */ std,
  /** @type {{ closureThreshold: number, jawGainFloor: number }} */ post,
  /** @type {Record<string, unknown>} */ meta,
) {
  return {
    format: 'liveface-lipsync-mlp',
    version: 1,
    classes: [...VISEME_CLASSES],
    featureDim: FEATURE_DIM,
    contextOffsets: CONFIG.contextOffsets,
    smoothHops: CONFIG.smoothHops,
    targetShiftMs: CONFIG.targetShiftMs,
    cmnInit: cmn,
    inputMean: Array.from(mean, r5),
    inputStd: Array.from(std, r5),
    layers: mlp.w.map((w, l) => ({
      inputs: mlp.sizes[l],
      outputs: mlp.sizes[l + 1],
      activation: l === mlp.w.length - 1 ? 'softmax' : 'relu',
      weights: Array.from(w, r5),
      bias: Array.from(/** @type {Float64Array} */ (mlp.b[l]), r5),
    })),
    post,
    meta,
  };
}

async function main() {
  const check = process.argv.includes('--check');
  const t0 = performance.now();
  const log = (/** @type {string} */ m) =>
    console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${m}`);
  const cmn = await cmnInit();
  const train = await dataset('train', cmn);
  const totalHops = train.labels.reduce((a, l) => a + l.length, 0);
  log(`train: ${train.feats.length} utterances, ${totalHops} hops`);

  const mean = new Float64Array(FEATURE_DIM);
  const sq = new Float64Array(FEATURE_DIM);
  for (const f of train.feats)
    for (let i = 0; i < f.length; i++) mean[i % FEATURE_DIM] = (mean[i % FEATURE_DIM] ?? 0) + (f[i] ?? 0);
  for (let d = 0; d < FEATURE_DIM; d++) mean[d] = (mean[d] ?? 0) / totalHops;
  for (const f of train.feats)
    for (let i = 0; i < f.length; i++)
      sq[i % FEATURE_DIM] = (sq[i % FEATURE_DIM] ?? 0) + ((f[i] ?? 0) - (mean[i % FEATURE_DIM] ?? 0)) ** 2;
  const std = Float64Array.from(sq, (s) => r5(Math.sqrt(s / totalHops) + 1e-6));
  for (let d = 0; d < FEATURE_DIM; d++) mean[d] = r5(mean[d] ?? 0);

  const counts = new Float64Array(VISEME_CLASSES.length);
  for (const l of train.labels) for (const c of l) counts[c] = (counts[c] ?? 0) + 1;
  const rawW = Array.from(counts, (c) => (c / totalHops) ** -CONFIG.balance);
  const meanW = rawW.reduce((a, w, i) => a + w * (counts[i] ?? 0), 0) / totalHops;
  const classWeight = rawW.map((w) => w / meanW);
  log(
    `class shares ${Array.from(counts, (c, i) => `${VISEME_CLASSES[i]}:${((100 * c) / totalHops).toFixed(1)}%`).join(' ')}`,
  );

  // Example index: (utterance, hop) pairs, shuffled each epoch with the seeded PRNG.
  const index = new Uint32Array(totalHops * 2);
  {
    let o = 0;
    train.labels.forEach((l, u) => {
      for (let j = 0; j < l.length; j++) {
        index[o++] = u;
        index[o++] = j;
      }
    });
  }
  const rand = rng(CONFIG.seed);
  const inputDim = CONFIG.contextOffsets.length * FEATURE_DIM;
  const mlp = new Mlp([inputDim, ...CONFIG.hidden, VISEME_CLASSES.length], rand);
  const x = new Float64Array(inputDim);
  const order = new Uint32Array(totalHops);
  for (let i = 0; i < totalHops; i++) order[i] = i;
  const steps = CONFIG.epochs * Math.ceil(totalHops / CONFIG.batch);
  let step = 0;
  for (let epoch = 0; epoch < CONFIG.epochs; epoch++) {
    for (let i = totalHops - 1; i > 0; i--) {
      const k = Math.floor(rand() * (i + 1));
      const t = order[i] ?? 0;
      order[i] = order[k] ?? 0;
      order[k] = t;
    }
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < totalHops; b += CONFIG.batch) {
      const end = Math.min(totalHops, b + CONFIG.batch);
      for (let i = b; i < end; i++) {
        const e = order[i] ?? 0;
        const u = index[2 * e] ?? 0;
        const j = index[2 * e + 1] ?? 0;
        const f = /** @type {Float32Array} */ (train.feats[u]);
        const label = /** @type {Uint8Array} */ (train.labels[u])[j] ?? 0;
        stack(f, f.length / FEATURE_DIM, j, mean, std, x);
        const p = mlp.forward(x);
        loss -= Math.log((p[label] ?? 0) + 1e-12);
        let best = 0;
        for (let c = 1; c < p.length; c++) if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
        if (best === label) correct++;
        mlp.backward(label, classWeight[label] ?? 1);
      }
      // Cosine decay from lr to lrFinal.
      const lr =
        CONFIG.lrFinal + 0.5 * (CONFIG.lr - CONFIG.lrFinal) * (1 + Math.cos((Math.PI * step++) / steps));
      mlp.step(lr, end - b);
    }
    log(
      `epoch ${epoch + 1}/${CONFIG.epochs}: loss ${(loss / totalHops).toFixed(4)}, train acc ${(correct / totalHops).toFixed(4)}`,
    );
  }

  // Post-processing tuned on validation voices through the streaming API (default springs): the jaw
  // gain floor maximises openR; the closure threshold is the highest that still gives ppRecall ≥ 0.95
  // there, i.e. the fewest false closures.
  /** @type {import('./corpus.mjs').Utterance[]} */
  const val = [];
  for await (const u of synthesize(
    corpusItems('val').filter((_, i) => i % 2 === 0),
    buildGroundTruth,
  ))
    val.push(u);
  const meta = { config: CONFIG, trainUtterances: train.feats.length, trainHops: totalHops };
  let post = { closureThreshold: 0.5, jawGainFloor: 0.5 };
  const tryPost = (/** @type {typeof post} */ p) =>
    evaluate(val, { model: modelJson(mlp, cmn, mean, std, p, meta) });
  let bestFloor = { floor: 0.5, r: -1 };
  for (const floor of [0.3, 0.5, 0.7, 1]) {
    const s = tryPost({ ...post, jawGainFloor: floor });
    log(`val jawGainFloor ${floor}: openR ${s.openR.toFixed(3)} lag ${s.lagMs.toFixed(1)}`);
    if (s.openR > bestFloor.r) bestFloor = { floor, r: s.openR };
  }
  post = { ...post, jawGainFloor: bestFloor.floor };
  let bestThr = 0.3;
  for (const thr of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
    const s = tryPost({ ...post, closureThreshold: thr });
    log(
      `val closure ${thr}: ppRecall ${s.ppRecall.toFixed(3)} falseClosure ${s.falseClosure.toFixed(3)} acc9 ${s.acc9.toFixed(3)} openR ${s.openR.toFixed(3)}`,
    );
    if (s.ppRecall >= 0.95) bestThr = thr;
  }
  post = { ...post, closureThreshold: bestThr };
  const final = tryPost(post);
  log(`val final: ${JSON.stringify({ ...final, confusion: undefined })}`);

  const text = `${JSON.stringify(modelJson(mlp, cmn, mean, std, post, meta))}\n`;
  if (check) {
    const committed = readFileSync(MODEL_PATH, 'utf8');
    if (committed !== text) {
      console.error('lipsync:train --check: the retrained model differs from the committed model.json');
      process.exit(1);
    }
    log('model.json is exactly reproducible');
  } else {
    writeFileSync(MODEL_PATH, text);
    log(`wrote ${MODEL_PATH} (${text.length} bytes)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
