/**
 * A render worker thread: holds one avatar renderer per slot, draws poses and answers with RGBA frames
 * (live: the main thread converts them for its encoders), or converts each frame's patch to I420 and
 * stores it in the slot's frame ring (offline rendering; frame-ring.ts, i420.ts).
 * Everything here runs off the main thread; see render-pool.ts.
 *
 * The per-frame path touches no fresh memory, because fresh memory is what made drawing slow
 * (docs/benchmarks.md, "the slow mode": first touch of a page costs a kernel page clear, and on this
 * kind of VM sometimes far more):
 * - Each frame is copied into an RGBA buffer the main thread handed back (`spare` on a render
 *   message) and transferred, so frames cycle through a few buffers instead of new ones.
 * - The canvas readback itself is a new native buffer (1.6 MB at 480p) every frame, freed only by a
 *   finalizer that runs on the event loop after V8 collected it. Left alone, V8 collects every ~40
 *   frames (external-memory pressure, a full mark-compact) and the allocator has returned most freed
 *   pages to the OS by the time they are reused. So a young-generation GC (0.1–0.3 ms on this small
 *   heap) after each frame, or every other frame in a burst, collects the readbacks, their finalizers
 *   run on the next event-loop turn, and the next readbacks reuse the same, still-mapped memory.
 *   Frames drawn into a ring (offline) read back only their patch (a sixth to a third of the frame),
 *   and there V8's own schedule does better: ~90 scavenges and no mark-compact in a 30 s render at
 *   480p, 110–145 ms of pauses in two workers, against 470–640 ms for a collection every other frame.
 * - Frames are drawn one per event-loop turn, never in a burst inside one message callback, so those
 *   finalizers get to run.
 * - The worker imports only the renderer (`@liveface/engine/render`), so its heap stays small and
 *   its GCs cheap.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { createRenderer, type AvatarPose, type AvatarRenderer } from '@liveface/engine/render';
import { FrameRing } from './frame-ring.js';
import { PatchConverter } from './i420.js';
import type { ToMain, ToWorker } from './render-pool.js';

/** A frame to draw: answered with a message, or stored in the slot's frame ring (offline). */
interface RenderRequest {
  slot: number;
  seq: number;
  pose: AvatarPose;
  /** Offline: the ring to store the frame's patch in, and the pose of the frame before (null: none). */
  ring?: FrameRing;
  previous?: AvatarPose | null;
}

/** Spare buffers kept per byte length; more than the frames in flight never come back. */
const MAX_SPARE_PER_SIZE = 8;
/** While whole frames queue up, collect after every this many (each GC ~0.1–0.3 ms). */
const GC_EVERY_FRAMES = 2;

const port = parentPort;
if (!port) throw new Error('render-worker.js runs as a worker thread');
// The avatars draw no text, so @napi-rs/canvas skips scanning the system fonts, which it otherwise
// does in every isolate on load (15–45 ms here with 38 fonts when first measured, ~5 ms of a worker's
// start in the later timeline; more on a desktop with hundreds). Set in this thread's own copy of the
// environment, before the renderer loads the module.
process.env.DISABLE_SYSTEM_FONTS_LOAD = '1';
const slots = new Map<number, AvatarRenderer>();
const rings = new Map<number, FrameRing>();
/** Offline patches to I420; loads the converter with the first (live-only workers never do). */
const converter = new PatchConverter();
const spare = new Map<number, ArrayBuffer[]>();
const queue: RenderRequest[] = [];
let draining = false;
let framesSinceGc = 0;
const send = (m: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

// V8's `gc()` for a young-generation collection. Node offers it only behind --expose-gc, which a worker
// cannot be started with; the flag applies to contexts created after it is set (here: one empty vm
// context), so nothing else in the process changes.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as ((o: { type: 'minor'; execution: 'sync' }) => void) | undefined;

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'open':
      try {
        slots.set(m.slot, createRenderer(m.target));
      } catch (e) {
        send({ type: 'failed', slot: m.slot, seq: -1, message: (e as Error).message });
      }
      return;
    case 'close':
      slots.delete(m.slot);
      rings.delete(m.slot);
      return;
    case 'render':
      if (m.spare) keepSpare(m.spare);
      queue.push(m);
      break;
    case 'draw': {
      if (m.ring) rings.set(m.slot, FrameRing.attach(m.ring));
      const ring = rings.get(m.slot);
      for (const f of m.frames)
        queue.push({ slot: m.slot, seq: f.seq, pose: f.pose, ring, previous: f.previous });
      break;
    }
  }
  if (queue.length > 0 && !draining) {
    draining = true;
    setImmediate(drain);
  }
});

/** Draws the oldest queued frame, then yields to the event loop (see the module comment). */
function drain(): void {
  let m = queue.shift();
  // Ring frames another worker has claimed (a ring shared by several workers) are dropped here.
  while (m?.ring && !m.ring.claim(m.seq)) m = queue.shift();
  if (m) render(m);
  // Collect when about to idle (live sessions: the pause hides it) or every few whole frames in a burst
  // (patches for a ring are left to V8: see the module comment); after render() returned, so this
  // frame's readback is garbage already.
  if (queue.length === 0 || (!m?.ring && ++framesSinceGc >= GC_EVERY_FRAMES)) {
    framesSinceGc = 0;
    gc?.({ type: 'minor', execution: 'sync' });
  }
  if (queue.length > 0) setImmediate(drain);
  else draining = false;
}

function render({ slot, seq, pose, ring, previous }: RenderRequest): void {
  const renderer = slots.get(slot);
  if (!renderer) return send({ type: 'failed', slot, seq, message: 'no renderer for this slot' });
  if (ring) return ring.put(seq, converter.convert(renderer.renderPatch(pose, previous ?? null)));
  const t0 = performance.now();
  const pixels = renderer.render(pose);
  const out = new Uint8Array(takeSpare(pixels.byteLength) ?? new ArrayBuffer(pixels.byteLength));
  out.set(pixels);
  send({ type: 'frame', slot, seq, data: out, renderMs: performance.now() - t0 }, [out.buffer]);
}

function keepSpare(buffer: ArrayBuffer): void {
  let list = spare.get(buffer.byteLength);
  if (!list) spare.set(buffer.byteLength, (list = []));
  if (list.length < MAX_SPARE_PER_SIZE) list.push(buffer);
}

function takeSpare(byteLength: number): ArrayBuffer | undefined {
  return spare.get(byteLength)?.pop();
}
