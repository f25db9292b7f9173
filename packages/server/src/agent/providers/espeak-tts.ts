/**
 * Offline TTS with espeak-ng: no network, no key, robotic but instant (~100× real time). By default the
 * Debian `espeak-ng` program is run per sentence (`--stdout` WAV, text on stdin) and its 22 050 Hz
 * output is resampled to 24 kHz. espeak-ng is GPL-3.0: it runs as a separate program and is never
 * loaded into the server process.
 *
 * The CLI cannot report word timings (`--pho` needs MBROLA voices). With `wordTimings: true`, speech
 * comes instead from the optional `@echogarden/espeak-ng-emscripten` build (same engine, with word and
 * phoneme events), also in a child process (espeak-wasm.ts); it must be installed separately.
 */
import { spawn } from 'node:child_process';
import { decodeWavPcm16, floatToPcm16, resample } from '@liveface/engine';
import { misconfigured, ProviderError, timeoutError } from './errors.js';
import { abortReason } from './http.js';
import { EspeakWasm, espeakWasmPath, espeakWordTimings } from './espeak-wasm.js';
import {
  TTS_SAMPLE_RATE_HZ,
  type AudioChunk,
  type CallOptions,
  type CheckOptions,
  type TtsProvider,
} from './types.js';

/** Settings of the espeak-ng TTS. */
export interface EspeakTtsOptions {
  /** The program; default `espeak-ng` (from PATH). */
  binary?: string;
  /** espeak voice (`espeak-ng --voices`): `en-us`, `en-gb`, `de`, `fr` … Default `en-us`. */
  voice?: string;
  /** Words per minute, 80–450. Default 175. */
  rateWpm?: number;
  /** 0–99. Default 50. */
  pitch?: number;
  /**
   * Word timings for the text-aware lip-sync, from the optional GPL espeak-ng WASM build run in a
   * child process. Default false (plain CLI, no timings).
   */
  wordTimings?: boolean;
  /** Name in errors; default `espeak`. */
  name?: string;
  /** For one sentence, ms. Default 10 000. */
  timeoutMs?: number;
}

/** Longest stderr kept for an error message, characters. */
const MAX_STDERR = 2000;

/** espeak-ng TTS. */
export class EspeakTts implements TtsProvider {
  readonly name: string;
  readonly wordTimings: boolean;
  private readonly o: EspeakTtsOptions;
  private wasm: EspeakWasm | null = null;

  constructor(options: EspeakTtsOptions = {}) {
    this.o = options;
    this.name = options.name ?? 'espeak';
    this.wordTimings = options.wordTimings ?? false;
  }

  private get voice(): string {
    return this.o.voice ?? 'en-us';
  }

  private args(): string[] {
    const rate = Math.round(Math.min(450, Math.max(80, this.o.rateWpm ?? 175)));
    const pitch = Math.round(Math.min(99, Math.max(0, this.o.pitch ?? 50)));
    // -b 1: the text is UTF-8; --stdin: read it all from stdin (never from argv, so no option injection).
    return ['-v', this.voice, '-s', String(rate), '-p', String(pitch), '-b', '1', '--stdin'];
  }

  /**
   * Runs the program once (`-q`, no audio) with the configured voice: a missing program or an unknown
   * voice is reported here. With word timings, also checks that the WASM build is installed.
   */
  async check(opts: CheckOptions = {}): Promise<void> {
    if (this.wordTimings) {
      if (!espeakWasmPath()) {
        throw misconfigured(
          this.name,
          'word timings need the optional package @echogarden/espeak-ng-emscripten (GPL-3.0): `npm install @echogarden/espeak-ng-emscripten`, or turn word timings off',
        );
      }
      return;
    }
    const signal = opts.signal ?? new AbortController().signal;
    await this.run(['-q', ...this.args()], 'a', signal);
  }

  /** Stops the WASM child process, if one runs. */
  close(): Promise<void> {
    this.wasm?.close();
    this.wasm = null;
    return Promise.resolve();
  }

  /** Speaks `text`: one chunk of 24 kHz PCM16 (with word timings when configured). */
  async *synthesize(text: string, opts: CallOptions): AsyncGenerator<AudioChunk, void, undefined> {
    if (!text.trim()) return;
    try {
      if (this.wordTimings) {
        yield await this.synthesizeTimed(text, opts.signal);
        return;
      }
      const wav = await this.run(['--stdout', ...this.args()], text, opts.signal);
      yield { pcm: decodeWavPcm16(wav, TTS_SAMPLE_RATE_HZ) };
    } catch (err) {
      if (opts.signal.aborted) return;
      throw err;
    }
  }

  private async synthesizeTimed(text: string, signal: AbortSignal): Promise<AudioChunk> {
    const path = espeakWasmPath();
    if (!path) await this.check();
    this.wasm ??= new EspeakWasm(this.name, path!);
    const out = await this.wasm.synthesize(
      { text, voice: this.voice, rateWpm: this.o.rateWpm ?? 175, pitch: this.o.pitch ?? 50 },
      signal,
      this.o.timeoutMs ?? 10_000,
    );
    const pcm = floatToPcm16(resample(int16ToFloat(out.pcm), out.sampleRateHz, TTS_SAMPLE_RATE_HZ));
    const durationMs = (pcm.length * 1000) / TTS_SAMPLE_RATE_HZ;
    return { pcm, words: espeakWordTimings(text, out.events, durationMs) };
  }

  /** Runs espeak-ng with `input` on stdin; resolves with its stdout. */
  private run(args: string[], input: string, signal: AbortSignal): Promise<Uint8Array> {
    const binary = this.o.binary ?? 'espeak-ng';
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(abortReason(signal));
        return;
      }
      const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      let failure: Error | null = null;
      const stop = (why: Error) => {
        failure ??= why;
        child.kill('SIGKILL');
      };
      const onAbort = () => stop(abortReason(signal));
      const timer = setTimeout(() => stop(timeoutError(this.name, 'no speech', timeoutMs)), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => {
        if (err.length < MAX_STDERR) err += s;
      });
      // EPIPE when espeak exits before reading everything (bad voice): the exit code tells why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
      child.on('error', (e: NodeJS.ErrnoException) => {
        failure ??=
          e.code === 'ENOENT'
            ? misconfigured(
                this.name,
                `the program "${binary}" was not found; install it (Debian/Ubuntu: apt-get install espeak-ng) or set its path`,
              )
            : new ProviderError({
                provider: this.name,
                code: 'provider_unavailable',
                message: `${this.name}: cannot run "${binary}": ${e.message}`,
                cause: e,
              });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (failure) reject(failure);
        else if (code === 0) resolve(Buffer.concat(out));
        else reject(this.exitError(code, err));
      });
    });
  }

  private exitError(code: number | null, stderr: string): ProviderError {
    const said = stderr.replace(/\s+/g, ' ').trim() || `exit code ${code}`;
    if (/voice does not exist/i.test(stderr)) {
      return misconfigured(
        this.name,
        `unknown voice "${this.voice}"; list them with \`espeak-ng --voices\` (${said})`,
      );
    }
    return new ProviderError({
      provider: this.name,
      code: 'provider_unavailable',
      message: `${this.name}: espeak-ng failed (${said})`,
    });
  }
}

function int16ToFloat(x: Int16Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! / 32768;
  return out;
}
