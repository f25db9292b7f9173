/**
 * The lip-sync classifier: a tiny MLP over stacked feature frames, stored as JSON (model.json, written by
 * scripts/lipsync/train.mjs). Shared by the runtime and the trainer so both stack context the same way.
 */
import { VISEME_CLASSES } from '../types.js';
import { FEATURE_DIM } from './features.js';

/** One dense layer; `weights` is row-major [outputs][inputs]. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  activation: 'relu' | 'softmax';
  weights: number[];
  bias: number[];
}

/** The JSON model file. */
export interface LipSyncModel {
  format: 'liveface-lipsync-mlp';
  version: 1;
  classes: string[];
  featureDim: number;
  /** Hop offsets stacked as input for the hop being labelled; the largest is the classifier's lookahead. */
  contextOffsets: number[];
  /** Half-width (hops) of the triangular posterior smoothing. */
  smoothHops: number;
  /** Classifier target is the class this many ms after the hop (anticipation against spring lag). */
  targetShiftMs: number;
  /** Starting mean of MFCC 1..12 for the causal CMN. */
  cmnInit: number[];
  /** Per-dimension standardisation applied to every stacked frame. */
  inputMean: number[];
  inputStd: number[];
  layers: DenseLayer[];
  /** Tuned post-processing: closure-rule threshold on P(PP), jaw gain from loudness. */
  post: { closureThreshold: number; jawGainFloor: number };
  /** How it was trained (for humans; not read at run time). */
  meta: Record<string, unknown>;
}

/** Checks that a parsed JSON model fits this code. */
export function validateModel(m: LipSyncModel): LipSyncModel {
  const ok =
    m.format === 'liveface-lipsync-mlp' &&
    m.version === 1 &&
    m.featureDim === FEATURE_DIM &&
    m.classes.join() === VISEME_CLASSES.join() &&
    m.layers.length > 0 &&
    m.layers[0]!.inputs === m.contextOffsets.length * FEATURE_DIM &&
    m.layers[m.layers.length - 1]!.outputs === VISEME_CLASSES.length;
  if (!ok) throw new Error('lip-sync model does not match this engine (format, classes or feature size)');
  return m;
}

/**
 * Writes the classifier input for hop `hop` into `out`: frames hop+offset, standardised; hops before 0
 * repeat frame 0 (the start of the stream). `frameAt` must return every hop up to hop + max offset.
 */
export function stackContext(
  model: LipSyncModel,
  frameAt: (hop: number) => Float32Array,
  hop: number,
  out: Float32Array,
): void {
  const { contextOffsets, inputMean, inputStd } = model;
  let o = 0;
  for (const off of contextOffsets) {
    const f = frameAt(Math.max(0, hop + off));
    for (let d = 0; d < FEATURE_DIM; d++) out[o++] = (f[d]! - inputMean[d]!) / inputStd[d]!;
  }
}

const PACKED = new WeakMap<LipSyncModel, { weights: Float32Array[]; biases: Float32Array[] }>();

/** Runs the MLP on a stacked input; returns the posterior over VISEME_CLASSES. */
export class Classifier {
  private readonly weights: Float32Array[];
  private readonly biases: Float32Array[];
  private readonly acts: Float32Array[];

  constructor(private readonly model: LipSyncModel) {
    // Every utterance builds an estimator: the weights are packed once per model, not per estimator.
    let p = PACKED.get(model);
    if (!p) {
      p = {
        weights: model.layers.map((l) => Float32Array.from(l.weights)),
        biases: model.layers.map((l) => Float32Array.from(l.bias)),
      };
      PACKED.set(model, p);
    }
    this.weights = p.weights;
    this.biases = p.biases;
    this.acts = model.layers.map((l) => new Float32Array(l.outputs));
  }

  /** Forward pass; the returned array is reused by the next call. */
  run(input: Float32Array): Float32Array {
    let x = input;
    this.model.layers.forEach((layer, li) => {
      const w = this.weights[li]!;
      const b = this.biases[li]!;
      const y = this.acts[li]!;
      for (let j = 0; j < layer.outputs; j++) {
        let acc = b[j]!;
        const row = j * layer.inputs;
        for (let i = 0; i < layer.inputs; i++) acc += w[row + i]! * x[i]!;
        y[j] = layer.activation === 'relu' && acc < 0 ? 0 : acc;
      }
      if (layer.activation === 'softmax') softmaxInPlace(y);
      x = y;
    });
    return x;
  }
}

/** Numerically safe softmax. */
export function softmaxInPlace(y: Float32Array): void {
  let max = -Infinity;
  for (let i = 0; i < y.length; i++) max = Math.max(max, y[i]!);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    y[i] = Math.exp(y[i]! - max);
    sum += y[i]!;
  }
  for (let i = 0; i < y.length; i++) y[i] = y[i]! / sum;
}
