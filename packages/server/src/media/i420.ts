/**
 * RGBA → I420 (planar YUV 4:2:0, BT.601 limited range) with libyuv from the WebRTC binding: ~0.1 ms at
 * 480p. Main thread only: the binding may be loaded by one thread, and it takes no shared memory. It
 * is loaded by `loadI420` or on the first conversion (~5 ms), not on import, so the render pool starts
 * its workers before it.
 */
import { createRequire } from 'node:module';
import type { FramePatch } from '@liveface/engine/render';

type RgbaToI420 = (
  src: { width: number; height: number; data: Uint8Array },
  dst: { width: number; height: number; data: Uint8Array },
) => void;

let rgbaToI420: RgbaToI420 | undefined;

/** Loads the converter now (~5 ms), e.g. while waiting for the first frame, rather than on first use. */
export function loadI420(): RgbaToI420 {
  // The binding alone: the package's entry also loads its WebRTC classes' JavaScript (8–25 ms more).
  return (rgbaToI420 ??= (
    createRequire(import.meta.url)('@roamhq/wrtc/lib/binding') as { rgbaToI420: RgbaToI420 }
  ).rgbaToI420);
}

/** Converts `rgba` (width × height × 4 bytes) into `into` (width × height × 3 / 2 bytes). */
export function toI420(width: number, height: number, rgba: Uint8Array, into: Uint8Array): void {
  loadI420()({ width, height, data: rgba }, { width, height, data: into });
}

/**
 * An I420 frame kept up to date by patches (offline rendering: each frame arrives as the rectangle in
 * which it differs from the one before; renderer.ts, `renderPatch`). A patch's corners are on even
 * pixels, so converting it alone gives the same bytes as converting the whole frame.
 */
export class PatchedI420 {
  /** The frame: Y plane, then U and V at half resolution. */
  readonly data: Uint8Array;
  /**
   * Scratch per patch size: the patch copied out of shared memory, and converted. The converter wants
   * buffers of exactly the patch's size; patches lie on a 16-pixel grid, so a render brings a few sizes.
   */
  private readonly scratch = new Map<number, Scratch>();

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array((width * height * 3) / 2);
  }

  /** Converts `patch` into its place. */
  paste({ rect, pixels }: FramePatch): void {
    const { x, y, width: w, height: h } = rect;
    const { width: W, height: H, data } = this;
    if (x < 0 || y < 0 || x + w > W || y + h > H || x % 2 || y % 2 || w % 2 || h % 2)
      throw new RangeError(`patch ${w}×${h} at ${x},${y} is not on even pixels inside ${W}×${H}`);
    if (w === 0 || h === 0) return;
    const { rgba, yuv, rows } = this.buffers(w, h);
    rgba.set(pixels);
    if (w === W && h === H) return toI420(W, H, rgba, data);
    toI420(w, h, rgba, yuv);
    // Row by row into place: Y, then U and V at half resolution, through views made once per size (a
    // view per row per frame was ~45 % of what this thread allocates).
    for (let r = 0; r < h; r++) data.set(rows[r]!, (y + r) * W + x);
    const uv = W / 2;
    for (let r = 0; r < h / 2; r++) {
      const at = (y / 2 + r) * uv + x / 2;
      data.set(rows[h + r]!, W * H + at);
      data.set(rows[h + h / 2 + r]!, W * H + (H / 2) * uv + at);
    }
  }

  private buffers(w: number, h: number): Scratch {
    const key = w * 65536 + h;
    let b = this.scratch.get(key);
    if (!b) {
      // Bounded, should patches ever come in many sizes.
      if (this.scratch.size >= MAX_PATCH_SIZES) this.scratch.clear();
      const yuv = new Uint8Array((w * h * 3) / 2);
      const row = (from: number, length: number) => yuv.subarray(from, from + length);
      const rows = [
        ...Array.from({ length: h }, (_, r) => row(r * w, w)),
        ...Array.from({ length: h }, (_, r) => row(w * h + (r * w) / 2, w / 2)),
      ];
      b = { rgba: new Uint8Array(w * h * 4), yuv, rows };
      this.scratch.set(key, b);
    }
    return b;
  }
}

/** A patch size's buffers: RGBA in, I420 out, and a view of each I420 row (Y rows, then U, then V). */
interface Scratch {
  rgba: Uint8Array;
  yuv: Uint8Array;
  rows: Uint8Array[];
}

/** Patch sizes kept scratch buffers for (a 30 s render brings about ten). */
const MAX_PATCH_SIZES = 64;
