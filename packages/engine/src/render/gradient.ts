/**
 * Shading filled fast. Skia fills with a two-stop gradient about three times faster than with more
 * stops (its general gradient code runs in floats): 73 against 227 µs for a 31k-pixel disc on this
 * machine, and the skin and the hair cover that much of every frame. Faster still is a pattern sampled
 * nearest: shading that never changes in its layer's space is painted once into a {@link Texture} and
 * filled from it, within 2/255 of painting it.
 *
 * - `verticalStrip`: a vertical linear gradient as a column of its colours (hair: ~half the time of the
 *   gradient, 0.1 ms less for Maya's hair per 480p frame).
 * - `texture`: anything painted over a box, e.g. the skin's key light and form shadow (one fill where
 *   there were two gradient layers, a clip and a shadow: 0.08–0.14 ms less per 480p frame).
 *
 * A texture is filled upright on the frame: through the current transform's scale and offset but not
 * its rotation, so Skia samples it along pixel rows; a turned pattern costs a gather per pixel (all
 * three avatars' textures filled under the head's roll took 0.07–0.17 ms more per 480p frame). The
 * head rolls a few degrees at most, and the shading is light from above that need not turn with it.
 */
import type { CanvasGradient, CanvasPattern, SKRSContext2D } from '@napi-rs/canvas';
import { skia } from './skia.js';

/** A box of avatar space `[x0, y0, x1, y1]`. */
export type UnitBox = readonly [x0: number, y0: number, x1: number, y1: number];

/** Colours `a` at 0, `b` at `t`, `c` at 1 (`#rrggbb` each). */
export interface ThreeStops {
  a: string;
  t: number;
  b: string;
  c: string;
}

/** Two circles, (x0, y0, r0) then (x1, y1, r1), as `createRadialGradient` takes them. */
export type RadialCircles = readonly [x0: number, y0: number, r0: number, x1: number, y1: number, r1: number];

/** A radial gradient from circle (x0, y0, r0) to circle (x1, y1, r1) through three colours. */
export function radialGradient(ctx: SKRSContext2D, circles: RadialCircles, s: ThreeStops): CanvasGradient {
  const g = ctx.createRadialGradient(...circles);
  g.addColorStop(0, s.a);
  g.addColorStop(s.t, s.b);
  g.addColorStop(1, s.c);
  return g;
}

/**
 * A linear gradient from (0, y0) to (0, y1) with `stops` ([offset, colour], as `addColorStop` takes them)
 * as a pattern of one column: STRIP_TEXELS_PER_UNIT texels per unit, over the gradient and
 * STRIP_PAD times its length beyond each end (where the gradient's end colours hold), so a shape
 * within that reach never meets the pattern's repeat.
 */
export function verticalStrip(
  ctx: SKRSContext2D,
  y0: number,
  y1: number,
  stops: ReadonlyArray<readonly [offset: number, colour: string]>,
): Texture {
  const pad = (y1 - y0) * STRIP_PAD;
  // One texel across, repeated: every x has the same column.
  return texture(ctx, [0, y0 - pad, 1, y1 + pad], [1, STRIP_TEXELS_PER_UNIT], 'repeat', (c) => {
    const g = c.createLinearGradient(0, y0, 0, y1);
    for (const [offset, colour] of stops) g.addColorStop(offset, colour);
    c.fillStyle = g;
    c.fillRect(0, y0 - pad, 1, y1 - y0 + 2 * pad);
  });
}

const STRIP_TEXELS_PER_UNIT = 2;
const STRIP_PAD = 1;

/** A pattern of texels over a box of avatar units; see {@link texture}. */
export class Texture {
  /** Pattern → avatar units: the texel size and the box's corner. */
  private readonly base: Affine;

  constructor(
    private readonly pattern: CanvasPattern,
    [kx, ky]: readonly [number, number],
    [x0, y0]: readonly [number, number],
    /** The point of the box that lands where the current transform puts it, avatar units. */
    private readonly anchor: readonly [x: number, y: number],
  ) {
    this.base = [1 / kx, 0, 0, 1 / ky, x0, y0];
  }

  /**
   * Fills the current path, sampled nearest, upright (see the module comment): avatar units → pixels by
   * the current transform's scale, the anchor where the transform puts it, without the rotation.
   */
  fill(ctx: SKRSContext2D): void {
    const { a, b, c, d, e, f } = ctx.getTransform();
    const [ax, ay] = this.anchor;
    const s = Math.hypot(a, b);
    const upright: Affine = [s, 0, 0, s, a * ax + c * ay + e - s * ax, b * ax + d * ay + f - s * ay];
    // The fill maps the pattern through the current transform: undo it after the upright one.
    const [pa, pb, pc, pd, pe, pf] = multiply(invert([a, b, c, d, e, f]), multiply(upright, this.base));
    this.pattern.setTransform({ a: pa, b: pb, c: pc, d: pd, e: pe, f: pf });
    ctx.fillStyle = this.pattern;
    ctx.imageSmoothingEnabled = false;
    ctx.fill();
    ctx.imageSmoothingEnabled = true;
  }
}

/** A 2D affine map `[a, b, c, d, e, f]` as canvas takes it: x' = a x + c y + e, y' = b x + d y + f. */
type Affine = [a: number, b: number, c: number, d: number, e: number, f: number];

/** The map undoing `m`. */
function invert([a, b, c, d, e, f]: Affine): Affine {
  const det = a * d - b * c;
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

/** `p` after `q`. */
function multiply(p: Affine, q: Affine): Affine {
  return [
    p[0] * q[0] + p[2] * q[1],
    p[1] * q[0] + p[3] * q[1],
    p[0] * q[2] + p[2] * q[3],
    p[1] * q[2] + p[3] * q[3],
    p[0] * q[4] + p[2] * q[5] + p[4],
    p[1] * q[4] + p[3] * q[5] + p[5],
  ];
}

/**
 * `paint` (drawing in avatar units) over `box`, as a texture of `texels` [across, down] per unit that
 * maps back onto the box (transparent beyond it, or the box's texels again with `repeat`), upright about
 * `anchor` (the box's centre by default). The texels are copied out of their canvas once: a pattern of a
 * canvas snapshots the canvas at every fill (0.1 ms a 480p frame for the skin's).
 */
export function texture(
  ctx: SKRSContext2D,
  [x0, y0, x1, y1]: UnitBox,
  [kx, ky]: readonly [number, number],
  repetition: 'repeat' | 'no-repeat',
  paint: (c: SKRSContext2D) => void,
  anchor: readonly [x: number, y: number] = [(x0 + x1) / 2, (y0 + y1) / 2],
): Texture {
  const canvas = skia().createCanvas(Math.ceil((x1 - x0) * kx), Math.ceil((y1 - y0) * ky));
  const c = canvas.getContext('2d');
  c.setTransform(kx, 0, 0, ky, -x0 * kx, -y0 * ky);
  paint(c);
  const pattern = ctx.createPattern(c.getImageData(0, 0, canvas.width, canvas.height), repetition);
  if (!pattern) throw new Error('no pattern of a texture');
  return new Texture(pattern, [kx, ky], [x0, y0], anchor);
}
