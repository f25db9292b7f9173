/**
 * Render workers: avatar drawing runs on worker threads, one per core by default, so the main thread
 * (HTTP, WebSockets, signalling, the playout clocks) never waits on a frame and every core draws.
 *
 * A session opens a {@link RenderSlot} on the least-loaded worker and sends it one pose per tick; the
 * worker answers with the RGBA pixels, converted here to an I420 frame. Frames of one slot come back
 * in order. When a worker dies, its pending frames fail, the crash is logged and counted, a fresh
 * worker takes its place and its slots re-open there: the sessions lose a frame or two, the process
 * loses nothing.
 *
 * Offline rendering, which wants throughput rather than one answer per tick, sends poses in batches
 * with `drawInto` and reads the frames from a shared ring (frame-ring.ts). A worker drawing into a
 * ring waits for free ring slots, so such a pool serves that render alone, and it is a core smaller
 * ({@link offlineRenderWorkers}).
 *
 * RGBA buffers cycle: the main thread hands each one back to its worker with a later render request,
 * so the per-frame path allocates nothing on either side (fresh memory is what made frames slow; see
 * render-worker.ts). A caller that recycles its I420 buffers too passes one to `render(pose, into)`.
 *
 * The worker runs the built and bundled JavaScript (`dist/media/render-worker.bundle.js`, made by
 * packages/server/build.mjs), also when the caller runs from TypeScript sources (tests), so build first
 * (`npm run build`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AvatarPose } from '@liveface/engine/render';
// The sizes alone, not the renderer: the CLI spawns its render workers right after importing this
// module, and the renderer's ~15 modules took the main thread ~20 ms (the workers draw, not it).
import { frameSize, type Orientation, type RenderQuality } from '@liveface/engine/sizes';
import type { Logger } from 'pino';
import type { FrameRing, FrameRingSpec } from './frame-ring.js';
import { toI420 } from './i420.js';

/** What a slot draws. */
export interface RenderTarget {
  avatarId: string;
  quality: RenderQuality;
  orientation?: Orientation;
}

/** One I420 frame (Y plane, then U and V at half resolution). */
export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Main → worker messages. */
export type ToWorker =
  | { type: 'open'; slot: number; target: RenderTarget }
  /** `spare`: an RGBA buffer coming back for reuse (transferred). */
  | { type: 'render'; slot: number; seq: number; pose: AvatarPose; spare?: ArrayBuffer }
  /** Offline: draw these frames into the slot's frame ring (`ring` comes with the first batch). */
  | { type: 'draw'; slot: number; frames: RingFrame[]; ring?: FrameRingSpec }
  | { type: 'close'; slot: number };

/** A frame to draw into a ring, as the patch over the frame of `previous` (null: the whole frame). */
export interface RingFrame {
  seq: number;
  pose: AvatarPose;
  previous: AvatarPose | null;
}

/** Worker → main messages. */
export type ToMain =
  /** RGBA pixels. */
  | { type: 'frame'; slot: number; seq: number; data: Uint8Array; renderMs: number }
  | { type: 'failed'; slot: number; seq: number; message: string };

/** A frame could not be drawn (worker crashed or the renderer failed). */
export class RenderFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderFailed';
  }
}

/** Hooks for metrics. */
export interface RenderPoolObserver {
  frameRendered?(renderMs: number): void;
  workerCrashed?(index: number): void;
}

interface Pending {
  resolve: (f: I420Frame) => void;
  reject: (e: Error) => void;
  into: Uint8Array | undefined;
}

interface WorkerHandle {
  index: number;
  worker: Worker;
  slots: Set<RenderSlot>;
  /** RGBA buffers converted and waiting to go back to this worker. */
  spare: ArrayBuffer[];
}

/** RGBA buffers held per worker: enough for the frames in flight, not a leak when sizes mix. */
const MAX_SPARE_PER_WORKER = 16;

const WORKER_URL = new URL('../../dist/media/render-worker.bundle.js', import.meta.url);

/**
 * Render workers for an offline render: one per core but one, which the main thread (lip-sync, frames
 * into the encoder) and ffmpeg share. On 2 cores one worker renders 30 s at 480p 2–7 % faster than two
 * (and with less CPU: four busy threads on two cores slow each other down), docs/benchmarks.md.
 */
export function offlineRenderWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** See the module comment. */
export class RenderPool {
  private readonly workers: WorkerHandle[] = [];
  private readonly slots = new Map<number, RenderSlot>();
  private nextSlot = 1;
  private closed = false;

  constructor(private readonly opts: { size?: number; log?: Logger; observer?: RenderPoolObserver } = {}) {
    const size = Math.max(1, opts.size ?? availableParallelism());
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(i));
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Open slots per worker (for metrics and tests). */
  load(): number[] {
    return this.workers.map((w) => w.slots.size);
  }

  /** Opens a slot on the least-loaded worker. Throws for an unknown avatar only when rendering. */
  open(target: RenderTarget): RenderSlot {
    if (this.closed) throw new Error('render pool is closed');
    const handle = this.workers.reduce((a, b) => (b.slots.size < a.slots.size ? b : a));
    const size = frameSize(target.quality, target.orientation);
    const slot = new RenderSlot(this.nextSlot++, target, size.width, size.height, handle, {
      closed: (s) => this.release(s),
      rendered: (ms) => this.opts.observer?.frameRendered?.(ms),
    });
    this.slots.set(slot.id, slot);
    handle.slots.add(slot);
    handle.worker.postMessage({ type: 'open', slot: slot.id, target } satisfies ToWorker);
    return slot;
  }

  /** Kills worker `index` as a crash would (operations and tests); a fresh one replaces it. */
  async killWorker(index: number): Promise<void> {
    const h = this.workers[index];
    if (h) await h.worker.terminate();
  }

  /** Stops every worker; pending frames fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots.values()) s.fail(new RenderFailed('render pool closed'));
    this.slots.clear();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private spawn(index: number, slots = new Set<RenderSlot>()): WorkerHandle {
    const worker = new Worker(WORKER_URL);
    const handle: WorkerHandle = { index, worker, slots, spare: [] };
    worker.on('message', (m: ToMain) => this.slots.get(m.slot)?.receive(m));
    worker.on('error', (err) => this.opts.log?.error({ err, worker: index }, 'render worker failed'));
    worker.on('exit', (code) => {
      if (this.closed) return;
      this.opts.log?.error(
        { worker: index, code, sessions: slots.size },
        'render worker exited; starting a new one (its sessions skip the frames in flight)',
      );
      this.opts.observer?.workerCrashed?.(index);
      const fresh = this.spawn(index, slots);
      this.workers[index] = fresh;
      for (const s of slots) {
        s.fail(new RenderFailed('render worker crashed'));
        s.moveTo(fresh);
      }
    });
    return handle;
  }

  private release(slot: RenderSlot): void {
    this.slots.delete(slot.id);
    slot.handle.slots.delete(slot);
    if (!this.closed) slot.handle.worker.postMessage({ type: 'close', slot: slot.id } satisfies ToWorker);
  }
}

/** One session's renderer on a worker; see {@link RenderPool}. */
export class RenderSlot {
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;
  /** The frame ring of `drawInto`, once given. */
  private ring: FrameRing | null = null;

  /** @internal */
  constructor(
    readonly id: number,
    readonly target: RenderTarget,
    readonly width: number,
    readonly height: number,
    /** @internal */ public handle: WorkerHandle,
    private readonly hooks: { closed: (s: RenderSlot) => void; rendered: (ms: number) => void },
  ) {}

  /** Frames asked for and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Draws a pose; resolves with its I420 frame. With `into` (`width * height * 3 / 2` bytes) the frame
   * is written there instead of a new buffer; the caller must leave it alone until the promise settles.
   */
  render(pose: AvatarPose, into?: Uint8Array): Promise<I420Frame> {
    if (this.closed) return Promise.reject(new RenderFailed('render slot closed'));
    if (into && into.length !== (this.width * this.height * 3) / 2) {
      return Promise.reject(new RangeError(`into must hold ${(this.width * this.height * 3) / 2} bytes`));
    }
    const seq = this.seq++;
    return new Promise<I420Frame>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, into });
      const spare = this.handle.spare.pop();
      const m: ToWorker = { type: 'render', slot: this.id, seq, pose, ...(spare ? { spare } : {}) };
      this.handle.worker.postMessage(m, spare ? [spare] : []);
    });
  }

  /**
   * Offline rendering: draws `frames` into `ring` (frame `seq`'s patch into its slot) with no answer per
   * frame; the caller reads them with `ring.get(seq)`. A failure fails the ring. One ring per slot.
   */
  drawInto(ring: FrameRing, frames: RingFrame[]): void {
    if (this.closed) return ring.fail(new RenderFailed('render slot closed'));
    if (this.ring && this.ring !== ring) throw new Error('a render slot draws into one frame ring');
    const m: ToWorker = {
      type: 'draw',
      slot: this.id,
      frames,
      ...(this.ring ? {} : { ring: ring.toSpec() }),
    };
    this.ring = ring;
    this.handle.worker.postMessage(m);
  }

  /** Releases the renderer; pending frames fail. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new RenderFailed('render slot closed'));
    this.hooks.closed(this);
  }

  /** @internal */
  receive(m: ToMain): void {
    if (m.type === 'failed' && m.seq < 0) {
      // The renderer could not be created: every frame of this slot would fail.
      this.fail(new RenderFailed(m.message));
      return;
    }
    const p = this.pending.get(m.seq);
    if (!p) {
      if (m.type === 'failed') this.ring?.fail(new RenderFailed(m.message));
      return;
    }
    this.pending.delete(m.seq);
    if (m.type === 'failed') return p.reject(new RenderFailed(m.message));
    this.hooks.rendered(m.renderMs);
    const { width, height } = this;
    const i420 = p.into ?? new Uint8Array((width * height * 3) / 2);
    toI420(width, height, m.data, i420);
    if (this.handle.spare.length < MAX_SPARE_PER_WORKER) this.handle.spare.push(m.data.buffer as ArrayBuffer);
    p.resolve({ width, height, data: i420 });
  }

  /** @internal */
  fail(e: Error): void {
    this.ring?.fail(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** @internal */
  moveTo(handle: WorkerHandle): void {
    this.handle = handle;
    if (!this.closed) handle.worker.postMessage({ type: 'open', slot: this.id, target: this.target });
  }
}
