/**
 * RGBA → I420 (planar YUV 4:2:0, BT.601 limited range) with libyuv from the WebRTC binding: ~0.1 ms at
 * 480p. The binding takes no shared memory. It loads with the first conversion (~5 ms), not on import,
 * so the render pool starts its workers before it.
 *
 * Live frames are converted on the main thread (render-pool.ts). Offline, each render worker converts
 * the patches it draws ({@link PatchConverter}) and the main thread only copies them into place
 * ({@link PatchedI420}): an I420 patch is 3/8 of the RGBA bytes, so the frame ring carries less and
 * the main thread neither copies RGBA out of shared memory nor converts.
 */
import { createRequire } from 'node:module';
import type { FramePatch, PixelRect } from '@liveface/engine/render';

type RgbaToI420 = (
  src: { width: number; height: number; data: Uint8Array },
  dst: { width: number; height: number; data: Uint8Array },
) => void;

let rgbaToI420: RgbaToI420 | undefined;

/** Converts `rgba` (width × height × 4 bytes) into `into` (width × height × 3 / 2 bytes). */
export function toI420(width: number, height: number, rgba: Uint8Array, into: Uint8Array): void {
  // The binding alone: the package's entry also loads its WebRTC classes' JavaScript (8–25 ms more).
  rgbaToI420 ??= (createRequire(import.meta.url)('@roamhq/wrtc/lib/binding') as { rgbaToI420: RgbaToI420 })
    .rgbaToI420;
  rgbaToI420({ width, height, data: rgba }, { width, height, data: into });
}

/**
 * Part of an I420 frame: the Y rows of `rect` (`rect.width` bytes each), then its U rows and its V rows
 * (`rect.width / 2` bytes each, `rect.height / 2` of them). The rectangle's corners are on even pixels.
 */
export interface I420Patch {
  rect: PixelRect;
  data: Uint8Array;
}

/**
 * Converts RGBA patches (renderer.ts, `renderPatch`) to I420 patches. The converter wants a buffer of
 * exactly the patch's size, so one is kept per size (patches lie on a 16-pixel grid: a render brings a
 * few sizes); a patch returned is valid until the next of its size.
 */
export class PatchConverter {
  private readonly out = new Map<number, Uint8Array>();

  convert({ rect, pixels }: FramePatch): I420Patch {
    const { width: w, height: h } = rect;
    if (w % 2 || h % 2) throw new RangeError(`patch ${w}×${h} is not on even pixels`);
    const key = w * 65536 + h;
    let data = this.out.get(key);
    if (!data) {
      // Bounded, should patches ever come in many sizes.
      if (this.out.size >= MAX_PATCH_SIZES) this.out.clear();
      this.out.set(key, (data = new Uint8Array((w * h * 3) / 2)));
    }
    if (w > 0 && h > 0) toI420(w, h, pixels, data);
    return { rect, data };
  }
}

/**
 * An I420 frame kept up to date by patches (offline rendering: each frame arrives as the rectangle in
 * which it differs from the one before; renderer.ts, `renderPatch`). A patch's corners are on even
 * pixels, so converting it alone gives the same bytes as converting the whole frame.
 */
export class PatchedI420 {
  /** The frame: Y plane, then U and V at half resolution. */
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array((width * height * 3) / 2);
  }

  /** Copies `patch` into its place. */
  paste({ rect, data: from }: I420Patch): void {
    const { x, y, width: w, height: h } = rect;
    const { width: W, height: H, data } = this;
    if (x < 0 || y < 0 || x + w > W || y + h > H || x % 2 || y % 2 || w % 2 || h % 2)
      throw new RangeError(`patch ${w}×${h} at ${x},${y} is not on even pixels inside ${W}×${H}`);
    if (from.length !== (w * h * 3) / 2)
      throw new RangeError(`patch ${w}×${h} needs ${(w * h * 3) / 2} bytes`);
    if (w === W) return this.pasteRows(from, w, h, y);
    // Row by row: Y, then U and V at half resolution. (A view per row: ~27 µs for a quarter of a 480p
    // frame, against ~37 µs for a copy loop without them.)
    for (let r = 0; r < h; r++) data.set(from.subarray(r * w, (r + 1) * w), (y + r) * W + x);
    const uv = W / 2;
    const u = w * h;
    const v = u + u / 4;
    for (let r = 0; r < h / 2; r++) {
      const at = (y / 2 + r) * uv + x / 2;
      data.set(from.subarray(u + (r * w) / 2, u + ((r + 1) * w) / 2), W * H + at);
      data.set(from.subarray(v + (r * w) / 2, v + ((r + 1) * w) / 2), W * H + (H / 2) * uv + at);
    }
  }

  /** A patch as wide as the frame: three blocks of whole rows. */
  private pasteRows(from: Uint8Array, w: number, h: number, y: number): void {
    const { width: W, height: H, data } = this;
    const u = w * h;
    data.set(from.subarray(0, u), y * W);
    data.set(from.subarray(u, u + u / 4), W * H + (y / 2) * (W / 2));
    data.set(from.subarray(u + u / 4), W * H + (H / 2) * (W / 2) + (y / 2) * (W / 2));
  }
}

/** Patch sizes kept buffers for (a 30 s render brings about ten). */
const MAX_PATCH_SIZES = 64;
