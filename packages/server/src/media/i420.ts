/**
 * RGBA → I420 (planar YUV 4:2:0, BT.601 limited range) with libyuv from the WebRTC binding: ~0.1 ms at
 * 480p. Main thread only: the binding may be loaded by one thread, and it takes no shared memory.
 */
import { createRequire } from 'node:module';

const { rgbaToI420 } = (
  createRequire(import.meta.url)('@roamhq/wrtc') as {
    nonstandard: {
      rgbaToI420(
        this: void,
        src: { width: number; height: number; data: Uint8Array },
        dst: { width: number; height: number; data: Uint8Array },
      ): void;
    };
  }
).nonstandard;

/** Converts `rgba` (width × height × 4 bytes) into `into` (width × height × 3 / 2 bytes). */
export function toI420(width: number, height: number, rgba: Uint8Array, into: Uint8Array): void {
  rgbaToI420({ width, height, data: rgba }, { width, height, data: into });
}
