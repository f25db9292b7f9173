/**
 * Runs the sessions' VADs on one worker thread (vad-worker.ts) and gives each microphone a
 * {@link RemoteVad} with the surface of SileroVad the listener uses. Pushes are posted without
 * waiting, the worker runs them in order, and each answer carries the events, the speech state and,
 * with a `speech_start`, the pre-roll. So the main thread only handles one message per 32 ms of audio,
 * and its load never delays the VAD's own chain of model runs.
 */
import { Worker } from 'node:worker_threads';
import { ProviderError } from './providers/errors.js';
import type { SileroVadOptions, VadEvent } from './vad.js';

/** Messages to the VAD thread. */
export type ToVadThread =
  | { type: 'open'; id: number; options: SileroVadOptions }
  | { type: 'push'; id: number; seq: number; pcm: Int16Array }
  | { type: 'reset'; id: number }
  | { type: 'close'; id: number };

/** Messages from the VAD thread. */
export type FromVadThread =
  | { type: 'opened'; id: number }
  | { type: 'failed'; id: number; message: string }
  | {
      type: 'result';
      id: number;
      seq: number;
      events?: VadEvent[];
      probability?: number;
      speaking?: boolean;
      preRoll?: Int16Array | null;
      error?: string;
    };

// The built worker, as for the render workers (tests run `tsc -b` first).
const WORKER_URL = new URL('../../dist/agent/vad-worker.js', import.meta.url);

/** The process's VAD thread; started by the first `open()`. */
export class VadThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly vads = new Map<number, RemoteVad>();
  private readonly opening = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  /** A VAD for one microphone; rejects with a ProviderError when the model cannot load. */
  async open(options: SileroVadOptions = {}): Promise<RemoteVad> {
    const worker = this.start();
    const id = this.nextId++;
    const vad = new RemoteVad(
      id,
      (m, t) => worker.postMessage(m, t ?? []),
      () => this.vads.delete(id),
    );
    this.vads.set(id, vad);
    await new Promise<void>((resolve, reject) => {
      this.opening.set(id, { resolve, reject });
      worker.postMessage({ type: 'open', id, options } satisfies ToVadThread);
    }).catch((e: unknown) => {
      this.vads.delete(id);
      throw e;
    });
    return vad;
  }

  /** Stops the thread (server shutdown). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (m: FromVadThread) => {
      if (m.type === 'result') return this.vads.get(m.id)?.receive(m);
      const waiting = this.opening.get(m.id);
      this.opening.delete(m.id);
      if (m.type === 'opened') waiting?.resolve();
      else
        waiting?.reject(
          new ProviderError({ provider: 'silero-vad', code: 'provider_misconfigured', message: m.message }),
        );
    });
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const [id, w] of this.opening) w.reject(new Error(`VAD thread exited (vad ${id})`));
      this.opening.clear();
    });
    this.worker = worker;
    return worker;
  }
}

/** One microphone's VAD on the VAD thread. */
export class RemoteVad {
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve: (e: VadEvent[]) => void; reject: (e: Error) => void }
  >();
  private lastPreRoll: Int16Array = new Int16Array(0);
  private prob = 0;
  private isSpeaking = false;

  constructor(
    private readonly id: number,
    private readonly post: (m: ToVadThread, transfer?: ArrayBuffer[]) => void,
    private readonly onClose: () => void,
  ) {}

  /** Speech probability of the last frame answered, 0..1. */
  get probability(): number {
    return this.prob;
  }

  /** Whether the user is speaking (between speech_start and speech_end), as of the last answer. */
  get speaking(): boolean {
    return this.isSpeaking;
  }

  /** Feeds 16 kHz PCM16 (a copy goes to the thread); resolves with its events, in order. */
  push(pcm: Int16Array): Promise<VadEvent[]> {
    const seq = ++this.seq;
    const chunk = pcm.slice();
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.post({ type: 'push', id: this.id, seq, pcm: chunk }, [chunk.buffer]);
    });
  }

  /** The pre-roll of the speech started in the last answered push (see SileroVad.preRoll). */
  preRoll(): Int16Array {
    return this.lastPreRoll;
  }

  /** Forgets the audio so far; pushes in flight resolve with no events. */
  reset(): void {
    this.post({ type: 'reset', id: this.id });
    this.isSpeaking = false;
  }

  /** Releases the VAD. */
  close(): void {
    this.post({ type: 'close', id: this.id });
    for (const p of this.pending.values()) p.resolve([]);
    this.pending.clear();
    this.onClose();
  }

  /** An answer from the thread. */
  receive(m: Extract<FromVadThread, { type: 'result' }>): void {
    const p = this.pending.get(m.seq);
    if (!p) return;
    this.pending.delete(m.seq);
    if (m.error !== undefined) return p.reject(new Error(m.error));
    this.prob = m.probability ?? 0;
    this.isSpeaking = m.speaking ?? false;
    if (m.preRoll) this.lastPreRoll = m.preRoll;
    p.resolve(m.events ?? []);
  }
}
