/**
 * A ring of frames in shared memory between render workers and the main thread, for offline rendering:
 * no message and no buffer transfer per frame. Frame `seq` lives in slot `seq % slots`, as an I420
 * patch: the rectangle in which it differs from frame `seq - 1` (renderer.ts, `renderPatch`; i420.ts,
 * `I420Patch`). A worker waits (blocking: it has nothing else to do) until the main thread has released
 * the slot's previous frame, copies its patch in and publishes; the main thread awaits frames in order
 * and releases each slot as soon as it has copied the patch out.
 *
 * Against one message per frame each way (a structured-clone pose, a transferred 1.6 MB buffer that
 * V8 counts as fresh external memory, a promise), a 30 s 480p render takes 4–10 % less wall time and
 * CPU, depending on the avatar (docs/benchmarks.md, offline render).
 *
 * Several workers may be offered the same frames: each draws only the frames it `claim`s, and a frame
 * goes to the first worker that claims it. Workers that take frames in order then share the work as
 * a queue would: whichever is free draws the next frame, so a worker that starts late or stalls (a
 * GC, a busy core) holds up nobody but itself.
 */
import type { I420Patch } from './i420.js';

/** What crosses to a worker (SharedArrayBuffers are shared by postMessage, not copied). */
export interface FrameRingSpec {
  slots: number;
  frameBytes: number;
  pixels: SharedArrayBuffer;
  state: SharedArrayBuffer;
}

/** A `next` value that ends every wait: the ring failed. */
const FAILED = -1;
/** Int32s of state per slot: see {@link FrameRing.state}. */
const STATE_PER_SLOT = 7;
/** How long a worker sleeps between looks at a full ring, ms: it also wakes on every release. */
const WAIT_MS = 200;

/** See the module comment. */
export class FrameRing {
  /**
   * Four regions, each indexed by slot (the methods below give their offsets): the seq + 1 of the
   * frame published in the slot (0: none yet); the next seq allowed into it (FAILED: the ring failed);
   * its patch's x, y, width and height; the seq + 1 of the last frame claimed for it.
   */
  private readonly state: Int32Array;
  private error: Error | null = null;

  private constructor(private readonly spec: FrameRingSpec) {
    this.state = new Int32Array(spec.state);
  }

  private published(slot: number): number {
    return slot;
  }

  private next(slot: number): number {
    return this.spec.slots + slot;
  }

  /** The first of the slot's four patch Int32s (x, y, width, height). */
  private rect(slot: number): number {
    return 2 * this.spec.slots + 4 * slot;
  }

  private claimed(slot: number): number {
    return 6 * this.spec.slots + slot;
  }

  /** A new ring of `slots` patches of up to `frameBytes` each (main thread): w × h × 3 / 2 for I420. */
  static create(slots: number, frameBytes: number): FrameRing {
    const ring = new FrameRing({
      slots,
      frameBytes,
      pixels: new SharedArrayBuffer(slots * frameBytes),
      state: new SharedArrayBuffer(4 * STATE_PER_SLOT * slots),
    });
    for (let s = 0; s < slots; s++) ring.state[ring.next(s)] = s;
    return ring;
  }

  /** The same ring on the other side of a postMessage (worker). */
  static attach(spec: FrameRingSpec): FrameRing {
    return new FrameRing(spec);
  }

  /** What to send to a worker. */
  toSpec(): FrameRingSpec {
    return this.spec;
  }

  get slots(): number {
    return this.spec.slots;
  }

  /**
   * Worker: takes frame `seq` to draw; false if another worker has taken it (or a later frame of its
   * slot). Only the taker may `put` it.
   */
  claim(seq: number): boolean {
    const at = this.claimed(seq % this.spec.slots);
    for (let v = Atomics.load(this.state, at); v <= seq; v = Atomics.load(this.state, at)) {
      if (Atomics.compareExchange(this.state, at, v, seq + 1) === v) return true;
    }
    return false;
  }

  /** Worker: stores frame `seq`'s patch, waiting until its slot is free. */
  put(seq: number, { rect, data }: I420Patch): void {
    const { slots, frameBytes } = this.spec;
    if (data.byteLength > frameBytes || data.byteLength !== (rect.width * rect.height * 3) / 2)
      throw new RangeError(
        `an I420 patch is width × height × 3 / 2 bytes, at most ${frameBytes}; got ${data.byteLength}`,
      );
    const slot = seq % slots;
    for (let next; (next = Atomics.load(this.state, this.next(slot))) !== seq;) {
      if (next === FAILED) return;
      Atomics.wait(this.state, this.next(slot), next, WAIT_MS);
    }
    new Uint8Array(this.spec.pixels, slot * frameBytes, data.byteLength).set(data);
    this.state.set([rect.x, rect.y, rect.width, rect.height], this.rect(slot));
    // The store publishes the pixels and the rectangle with it (Atomics order the plain writes before).
    Atomics.store(this.state, this.published(slot), seq + 1);
    Atomics.notify(this.state, this.published(slot));
  }

  /**
   * Main thread: resolves with frame `seq`'s patch (its data a view into the ring, valid until
   * `release(seq)`), in order of `seq`; rejects once the ring failed.
   */
  async get(seq: number): Promise<I420Patch> {
    const { slots, frameBytes } = this.spec;
    const slot = seq % slots;
    for (;;) {
      if (this.error) throw this.error;
      const v = Atomics.load(this.state, this.published(slot));
      if (v === seq + 1) {
        const at = this.rect(slot);
        const s = this.state;
        const rect = { x: s[at]!, y: s[at + 1]!, width: s[at + 2]!, height: s[at + 3]! };
        return {
          rect,
          data: new Uint8Array(this.spec.pixels, slot * frameBytes, (rect.width * rect.height * 3) / 2),
        };
      }
      const wait = Atomics.waitAsync(this.state, this.published(slot), v);
      if (wait.async) await wait.value;
    }
  }

  /** Main thread: whether frame `seq`'s patch is in (`get` would resolve at once). */
  ready(seq: number): boolean {
    return Atomics.load(this.state, this.published(seq % this.spec.slots)) === seq + 1;
  }

  /** Main thread: frame `seq` has been read; its slot takes frame `seq + slots`. */
  release(seq: number): void {
    const { slots } = this.spec;
    const i = this.next(seq % slots);
    Atomics.store(this.state, i, seq + slots);
    Atomics.notify(this.state, i);
  }

  /** Ends every wait on both sides: `get` rejects with `error`, workers stop storing. */
  fail(error: Error): void {
    this.error ??= error;
    for (let s = 0; s < this.spec.slots; s++) {
      Atomics.store(this.state, this.next(s), FAILED);
      Atomics.notify(this.state, this.next(s));
      Atomics.notify(this.state, this.published(s));
    }
  }
}
