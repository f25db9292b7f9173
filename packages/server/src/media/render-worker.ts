/**
 * A render worker thread: holds one avatar renderer per slot, draws poses and answers with RGBA frames.
 * Everything here runs off the main thread; see render-pool.ts. (The I420 conversion happens on the
 * main thread: the native WebRTC binding that does it may be loaded by one thread only.)
 */
import { parentPort } from 'node:worker_threads';
import { createRenderer, type AvatarPose, type AvatarRenderer } from '@liveface/engine';
import type { ToMain, ToWorker } from './render-pool.js';

const port = parentPort;
if (!port) throw new Error('render-worker.js runs as a worker thread');
const slots = new Map<number, AvatarRenderer>();
const send = (m: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

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
      return;
    case 'render':
      return render(m.slot, m.seq, m.pose);
  }
});

function render(slot: number, seq: number, pose: AvatarPose): void {
  const renderer = slots.get(slot);
  if (!renderer) return send({ type: 'failed', slot, seq, message: 'no renderer for this slot' });
  const t0 = performance.now();
  // The renderer owns its pixels until the next frame: hand over a copy.
  const rgba = renderer.render(pose).slice();
  send({ type: 'frame', slot, seq, data: rgba, renderMs: performance.now() - t0 }, [rgba.buffer]);
}
