/**
 * A render worker thread: holds one avatar renderer per slot, draws poses and answers with I420 frames
 * (the layout video encoders take). Everything here runs off the main thread; see render-pool.ts.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { createRenderer, type AvatarPose, type AvatarRenderer } from '@liveface/engine';
import type { ToMain, ToWorker } from './render-pool.js';

interface Wrtc {
  nonstandard: {
    rgbaToI420(
      this: void,
      src: { width: number; height: number; data: Uint8Array },
      dst: { width: number; height: number; data: Uint8Array },
    ): void;
  };
}
const { rgbaToI420 } = (createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc).nonstandard;

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
  const { width, height } = renderer;
  const rgba = renderer.render(pose);
  const i420 = new Uint8Array((width * height * 3) / 2);
  rgbaToI420({ width, height, data: rgba }, { width, height, data: i420 });
  send({ type: 'frame', slot, seq, data: i420, renderMs: performance.now() - t0 }, [i420.buffer]);
}
