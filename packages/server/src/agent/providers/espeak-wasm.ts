/**
 * espeak-ng with word timings, from the optional `@echogarden/espeak-ng-emscripten` build (GPL-3.0,
 * not a dependency: installed by whoever wants timings). It runs in a child Node process that this file
 * starts with an inline script, so GPL code never loads into the server process; the two talk over
 * pipes. The child stays up between sentences (loading the 24 MB engine takes ~0.2–1 s) and is killed
 * when a sentence is aborted (then restarted for the next one).
 *
 * Wire: requests are JSON lines on the child's stdin; answers are frames on its stdout, each
 * `[type u8][length u32 LE][payload]`: 0 ready, 1 audio (PCM16 LE), 2 done (JSON events), 3 error.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ProviderError, timeoutError } from './errors.js';
import { abortReason } from './http.js';
import type { WordTiming } from './types.js';

/** The optional package's name. */
const PACKAGE = '@echogarden/espeak-ng-emscripten';

/** Where the optional WASM build is installed, or null. */
export function espeakWasmPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve(PACKAGE);
  } catch {
    return null;
  }
}

/** The child's program (plain JS, run with `node --input-type=module -e`). */
const CHILD = String.raw`
const factory = (await import(process.argv[1])).default;
const mod = await factory();
const worker = new mod.eSpeakNGWorker();
const frame = (type, payload) => {
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32LE(payload.length, 1);
  process.stdout.write(Buffer.concat([head, payload]));
};
let voice = '';
const handle = (req) => {
  try {
    if (req.voice !== voice) { worker.set_voice(req.voice); voice = req.voice; }
    worker.set_rate(req.rateWpm);
    worker.set_pitch(req.pitch);
    const events = [];
    worker.synthesize(req.text, (samples, evs) => {
      if (samples && samples.length) frame(1, Buffer.from(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)));
      for (const e of evs) {
        if (e.type === 'word') events.push({ type: 'word', pos: e.text_position, len: e.word_length, ms: e.audio_position });
        else if (e.type === 'phoneme') events.push({ type: 'phoneme', id: String(e.id ?? ''), ms: e.audio_position });
      }
    });
    frame(2, Buffer.from(JSON.stringify({ events })));
  } catch (err) {
    frame(3, Buffer.from(String((err && err.message) || err)));
  }
};
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  pending += d;
  for (let nl; (nl = pending.indexOf('\n')) >= 0; ) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line) handle(JSON.parse(line));
  }
});
frame(0, Buffer.from(JSON.stringify({ sampleRateHz: worker.samplerate })));
`;

/** A word or phoneme event of espeak-ng (`pos` is 1-based, in code points of the text). */
export type EspeakEvent =
  { type: 'word'; pos: number; len: number; ms: number } | { type: 'phoneme'; id: string; ms: number };

/** One synthesis request. */
export interface EspeakRequest {
  text: string;
  voice: string;
  rateWpm: number;
  pitch: number;
}

/** Raw output: PCM16 at the engine's rate, and its events. */
export interface EspeakOutput {
  pcm: Int16Array;
  sampleRateHz: number;
  events: EspeakEvent[];
}

interface Job {
  resolve(out: EspeakOutput): void;
  reject(err: unknown): void;
  audio: Buffer[];
}

/** The child process running the WASM engine, one sentence at a time. */
export class EspeakWasm {
  private child: ChildProcessWithoutNullStreams | null = null;
  private ready: Promise<number> | null = null;
  private job: Job | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly provider: string,
    private readonly modulePath: string,
  ) {}

  /** Synthesizes `req` (queued behind any running sentence). Rejects with the signal's reason on abort. */
  synthesize(req: EspeakRequest, signal: AbortSignal, timeoutMs: number): Promise<EspeakOutput> {
    const run = this.queue.then(() => this.run(req, signal, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Kills the child. */
  close(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    this.ready = null;
  }

  private async run(req: EspeakRequest, signal: AbortSignal, timeoutMs: number): Promise<EspeakOutput> {
    if (signal.aborted) throw abortReason(signal);
    let fail: (err: unknown) => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => (fail = reject));
    // Abort and timeout kill the child: the synthesis is synchronous in there, nothing else stops it.
    const onAbort = () => {
      this.close();
      fail(abortReason(signal));
    };
    const timer = setTimeout(() => {
      this.close();
      fail(timeoutError(this.provider, 'no speech', timeoutMs));
    }, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const sampleRateHz = await Promise.race([this.start(), stopped]);
      const done = new Promise<EspeakOutput>((resolve, reject) => {
        this.job = { resolve, reject, audio: [] };
      });
      this.child!.stdin.write(`${JSON.stringify(req)}\n`);
      const out = await Promise.race([done, stopped]);
      return { ...out, sampleRateHz };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      this.job = null;
    }
  }

  /** Starts the child if needed; resolves with the engine's sample rate. */
  private start(): Promise<number> {
    if (this.ready) return this.ready;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', CHILD, pathToFileURL(this.modulePath).href],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < 2000) stderr += s;
    });
    child.stdin.on('error', () => undefined);
    this.ready = new Promise<number>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      child.stdout.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 5) {
          const len = buf.readUInt32LE(1);
          if (buf.length < 5 + len) break;
          const type = buf[0];
          const payload = buf.subarray(5, 5 + len);
          buf = buf.subarray(5 + len);
          if (type === 0)
            resolve((JSON.parse(payload.toString('utf8')) as { sampleRateHz: number }).sampleRateHz);
          else this.onFrame(type, Buffer.from(payload));
        }
      });
      const died = (why: string) => {
        const err = new ProviderError({
          provider: this.provider,
          code: 'provider_unavailable',
          message: `${this.provider}: the espeak-ng WASM process ${why}${stderr ? `: ${stderr.trim()}` : ''}`,
        });
        reject(err);
        this.job?.reject(err);
        if (this.child === child) {
          this.child = null;
          this.ready = null;
        }
      };
      child.on('error', (e) => died(`could not start (${e.message})`));
      child.on('exit', (code, sig) => died(`exited (${sig ?? `code ${code}`})`));
    });
    // A start that fails is reported to the caller that awaits it; nobody else must see it unhandled.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  private onFrame(type: number | undefined, payload: Buffer): void {
    const job = this.job;
    if (!job) return;
    if (type === 1) {
      job.audio.push(payload);
    } else if (type === 2) {
      const { events } = JSON.parse(payload.toString('utf8')) as { events: EspeakEvent[] };
      const bytes = Buffer.concat(job.audio);
      const pcm = new Int16Array(bytes.byteLength >> 1);
      new Uint8Array(pcm.buffer).set(bytes.subarray(0, pcm.length * 2));
      job.resolve({ pcm, sampleRateHz: 0, events });
    } else if (type === 3) {
      job.reject(
        new ProviderError({
          provider: this.provider,
          code: 'provider_bad_request',
          message: `${this.provider}: espeak-ng failed: ${payload.toString('utf8')}`,
        }),
      );
    }
  }
}

/**
 * Word timings from espeak-ng events, as a TTS vendor gives them: the written word (whitespace-
 * delimited, punctuation kept), start = its first event, end = the first pause after it started or the
 * next word's start. espeak splits some tokens into several words (`3.5` → three point five): events
 * inside one written token are merged.
 */
export function espeakWordTimings(
  text: string,
  events: readonly EspeakEvent[],
  durationMs: number,
): WordTiming[] {
  const chars = Array.from(text); // espeak counts code points
  const isSpace = (i: number) => /\s/u.test(chars[i] ?? ' ');
  const merged: { from: number; to: number; ms: number }[] = [];
  for (const e of events) {
    if (e.type !== 'word') continue;
    let from = Math.max(0, e.pos - 1);
    let to = Math.min(chars.length, from + e.len);
    // espeak's spans of split tokens (`3.5` → three words) can run into the next space: trim, then
    // widen to the whole written token.
    while (to > from && isSpace(to - 1)) to--;
    while (from < to && isSpace(from)) from++;
    if (from >= to) continue;
    while (from > 0 && !isSpace(from - 1)) from--;
    while (to < chars.length && !isSpace(to)) to++;
    const last = merged[merged.length - 1];
    if (last && from < last.to) last.to = Math.max(last.to, to);
    else merged.push({ from, to, ms: e.ms });
  }
  const phones = events.filter((e) => e.type === 'phoneme');
  return merged.map((w, i) => {
    const next = merged[i + 1]?.ms ?? durationMs;
    // A pause (empty phoneme) after at least one sounding phoneme of this word ends it.
    let spoke = false;
    let end = next;
    for (const p of phones) {
      if (p.ms < w.ms || p.ms >= next) continue;
      if (p.id !== '') spoke = true;
      else if (spoke && p.ms > w.ms) {
        end = p.ms;
        break;
      }
    }
    return {
      word: chars.slice(w.from, w.to).join('').trim(),
      startMs: w.ms,
      endMs: Math.min(end, durationMs),
    };
  });
}
