/**
 * The procedural avatar renderer. Per renderer it prebuilds everything that does not move: the
 * background plate with the figure's soft drop shadow, the body (neck and clothes) as sprites, and the
 * gradients and paths of the face. Per frame it blits the plate, draws the back hair, blits the body
 * (lifted by breathing), then draws the head as vectors under one transform (offset, nod, roll about
 * the neck) and reads the RGBA pixels back. The face outline and the hair are traced per frame, bent
 * by the head's turn and the hair's lag (head.ts, hair.ts); the lag comes in the pose, so a frame
 * depends on its pose alone.
 *
 * Most of a frame never changes: the plate around the figure, and the body between breath steps. For a
 * stream of frames `renderPatch` redraws only the head's box (the avatar's `headExtent` grown by the
 * pose's motion, through the head transform) and, when the breath step changed, the body's, and reads
 * back only the box in which the frame can differ from the previous one: at 480p a sixth to under a
 * third of the frame, on average over a talk.
 *
 * Every blit lands on whole pixels: a blit at a fractional offset resamples the whole image, which
 * for the body cost a quarter of a 480p frame. The breath lift is sub-pixel, so the body is pre-drawn
 * (as vectors, as sharp as ever) at LIFT_STEPS sub-pixel shifts, each made on first use.
 */
import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { restPose, type AvatarPose } from '../types.js';
import { findBuiltinAvatar } from './catalog.js';
import { hairFrame, restingHair, type HairFrame } from './hair.js';
import { BACK_HAIR_DEPTH, createFacePaint, drawHead, type FacePaint } from './head.js';
import type { AvatarLayers, BuiltinAvatar } from './look.js';
import { skia } from './skia.js';
import { frameSize, framing, type Framing, type Orientation, type RenderQuality } from './sizes.js';

/** A renderer for one avatar at one frame size. */
export interface AvatarRenderer {
  readonly width: number;
  readonly height: number;
  readonly avatar: BuiltinAvatar;
  /** Draws a pose; returns opaque RGBA bytes, `width * height * 4` of them, row-major. */
  render(pose: AvatarPose): Uint8Array;
  /**
   * Draws a pose and returns only the part of its frame that can differ from the frame of `previous`
   * (all of it when `previous` is null): pasted over the frame of `previous`, from whichever renderer,
   * it gives the frame of `pose`, pixel for pixel. The rectangle's corners are on a 16-pixel grid or on
   * the frame's edge.
   */
  renderPatch(pose: AvatarPose, previous: AvatarPose | null): FramePatch;
}

/** A rectangle of a frame, pixels. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Part of a frame: opaque RGBA bytes of `rect`, row-major, `rect.width * 4` bytes a row. */
export interface FramePatch {
  rect: PixelRect;
  pixels: Uint8Array;
}

/** What to render: an avatar and either a pixel size or a quality (plus orientation). */
export type RendererOptions =
  | { avatarId: string; width: number; height: number }
  | { avatarId: string; quality: RenderQuality; orientation?: Orientation };

/** Thrown for an unknown avatar or an unusable size. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

/** Head rotation pivot (roll, nod): the base of the skull above the neck, avatar units. */
const PIVOT_Y_UNITS = 140;
/** Shoulder lift at full breath, avatar units. */
const BREATH_LIFT_UNITS = 3;
/** The figure's shadow is blurred at 1/SHADOW_DOWNSCALE of the frame resolution. */
const SHADOW_DOWNSCALE = 4;
/** Where the body sprite starts: the neck top, hidden under the jaw. */
const BODY_TOP_UNITS = 40;
/** Sub-pixel steps of the breath lift, each with its own body sprite (a quarter pixel apart). */
const LIFT_STEPS = 4;
/**
 * How far the head's drawings can stray beyond the avatar's rest `headExtent`, avatar units: a base
 * (anti-aliasing, strokes) plus the trail of loose hair, per sin(yaw) (parallax of hair, ears and
 * outline), per degree of nod and at a fully open jaw. The render tests hold the drawings to it.
 */
const HEAD_MOTION = { base: 4, perSinYaw: 60, perPitchDeg: 1.2, jaw: 12 } as const;
const DEG = Math.PI / 180;

/**
 * Patch corners lie on this grid of pixels (or on the frame's edge): the 16 × 16 macroblocks of video
 * codecs, so a patch converts to I420 on its own, and frames bring few distinct patch sizes (converters
 * that want a buffer per size can keep them).
 */
const PATCH_GRID = 16;

/** A box of pixels `[x0, y0, x1, y1)`, corners on the PATCH_GRID or the frame's edge. */
type Box = [x0: number, y0: number, x1: number, y1: number];

/** Where a pose draws what moves: the head's box and the body's breath lift, in LIFT_STEPS. */
interface Layout {
  head: Box;
  lift: number;
}

/** Creates a renderer for a built-in avatar. */
export function createRenderer(options: RendererOptions): AvatarRenderer {
  const avatar = findBuiltinAvatar(options.avatarId);
  if (!avatar) throw new RenderError(`unknown avatar "${options.avatarId}"`);
  const { width, height } = 'quality' in options ? frameSize(options.quality, options.orientation) : options;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 16 ||
    height < 16 ||
    width > 4096 ||
    height > 4096
  ) {
    throw new RenderError(`unusable frame size ${width}×${height} (integers 16..4096)`);
  }
  return new VectorRenderer(avatar, width, height);
}

class VectorRenderer implements AvatarRenderer {
  private readonly canvas: Canvas;
  private readonly ctx: SKRSContext2D;
  private readonly frame: Framing;
  private readonly layers: AvatarLayers;
  private readonly paint: FacePaint;
  /** This frame's head turn and hair lag, rewritten per frame. */
  private readonly hair: HairFrame = restingHair();
  private readonly plate: Canvas;
  /** Body sprites by sub-pixel shift (see bodySprite). */
  private readonly bodies: Array<Canvas | undefined> = [];
  private readonly bodyTopPx: number;
  private readonly bodyHeightPx: number;
  /** Every pixel the body sprite can cover, at any lift (see bodyBox). */
  private measuredBody: Box | null = null;
  /** The layout of the pose on the canvas now (null: unknown, draw everything). */
  private drawn: Layout | null = null;
  private readonly whole: Box;

  constructor(
    readonly avatar: BuiltinAvatar,
    readonly width: number,
    readonly height: number,
  ) {
    this.canvas = skia().createCanvas(width, height);
    // Opaque surfaces (the plate covers every pixel): the plate's blit becomes a copy instead of a
    // blend, ~0.13 ms less per 480p frame, same pixels.
    this.ctx = this.canvas.getContext('2d', { alpha: false });
    this.frame = framing(width, height);
    this.whole = [0, 0, width, height];
    this.layers = avatar.createLayers(this.ctx, this.frame.scale);
    this.paint = createFacePaint(this.ctx, avatar.face);
    const { scale, originY } = this.frame;

    // Body sprites: from the neck top to the bottom of the frame, plus room for the breath lift and
    // the sub-pixel shift.
    this.bodyTopPx = Math.max(0, Math.floor(originY + BODY_TOP_UNITS * scale));
    this.bodyHeightPx = Math.max(1, height - this.bodyTopPx + Math.ceil(BREATH_LIFT_UNITS * scale) + 3);

    this.plate = skia().createCanvas(width, height);
    this.drawPlate();
  }

  render(pose: AvatarPose): Uint8Array {
    this.draw(pose, this.layout(pose), this.whole);
    return this.canvas.data();
  }

  renderPatch(pose: AvatarPose, previous: AvatarPose | null): FramePatch {
    const now = this.layout(pose);
    this.draw(pose, now, this.drawn ? this.changed(this.drawn, now) : this.whole);
    const [x0, y0, x1, y1] = previous ? this.changed(this.layout(previous), now) : this.whole;
    const rect = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    if (rect.width === this.width && rect.height === this.height) return { rect, pixels: this.canvas.data() };
    const { data } = this.ctx.getImageData(x0, y0, rect.width, rect.height);
    return { rect, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }

  /** Redraws `box` of the canvas (plate, then the figure clipped to it) as the frame of `pose`. */
  private draw(pose: AvatarPose, layout: Layout, [x0, y0, x1, y1]: Box): void {
    const ctx = this.ctx;
    this.drawn = null;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.beginPath();
    ctx.rect(x0, y0, x1 - x0, y1 - y0);
    ctx.clip();
    ctx.drawImage(this.plate, x0, y0, x1 - x0, y1 - y0, x0, y0, x1 - x0, y1 - y0);
    this.drawFigure(ctx, pose);
    ctx.restore();
    this.drawn = layout;
  }

  /** The pixels in which the frames of two layouts can differ. */
  private changed(a: Layout, b: Layout): Box {
    const heads = union(a.head, b.head);
    return a.lift === b.lift ? heads : union(heads, this.bodyBox);
  }

  /** Where `pose` draws what moves; see {@link Layout}. */
  private layout(pose: AvatarPose): Layout {
    return { head: this.headBox(pose), lift: this.liftSteps(pose) };
  }

  /** The breath lift in LIFT_STEPS. */
  private liftSteps(pose: AvatarPose): number {
    return Math.round(clamp01(pose.breath) * BREATH_LIFT_UNITS * this.frame.scale * LIFT_STEPS);
  }

  /** Every pixel the head (with its back hair) can touch in `pose`; see HEAD_MOTION. */
  private headBox(pose: AvatarPose): Box {
    const e = this.avatar.headExtent;
    // A turn and the hair's sideways lag move drawings sideways, a nod and its vertical lag up and down,
    // an open jaw the chin down.
    const mx =
      HEAD_MOTION.base +
      Math.abs(pose.hair.x) +
      HEAD_MOTION.perSinYaw * Math.abs(Math.sin(pose.head.yaw * DEG));
    const my = HEAD_MOTION.base + Math.abs(pose.hair.y) + HEAD_MOTION.perPitchDeg * Math.abs(pose.head.pitch);
    const down = HEAD_MOTION.jaw * clamp01(pose.mouth.jawOpen);
    // The corners through headTransform: about the pivot by the roll, then lowered by the nod, scaled, moved.
    const { scale } = this.frame;
    const [tx, ty] = this.headOrigin(pose);
    const cos = Math.cos(pose.head.roll * DEG);
    const sin = Math.sin(pose.head.roll * DEG);
    const drop = PIVOT_Y_UNITS + pose.head.pitch * 0.35;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const u of [e.left - mx, e.right + mx]) {
      for (const v of [e.top - my - PIVOT_Y_UNITS, e.bottom + my + down - PIVOT_Y_UNITS]) {
        const x = tx + scale * (cos * u - sin * v);
        const y = ty + scale * (sin * u + cos * v + drop);
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
    return this.pixelBox(x0, y0, x1, y1);
  }

  /** Rounds a box outwards to the PATCH_GRID, clipped to the frame. */
  private pixelBox(x0: number, y0: number, x1: number, y1: number): Box {
    const grid = (v: number, round: (v: number) => number, max: number) =>
      Math.min(max, Math.max(0, round(v / PATCH_GRID) * PATCH_GRID));
    return [
      grid(x0 - 1, Math.floor, this.width),
      grid(y0 - 1, Math.floor, this.height),
      grid(x1 + 1, Math.ceil, this.width),
      grid(y1 + 1, Math.ceil, this.height),
    ];
  }

  /**
   * The box of the body sprite's pixels at every lift, measured on first need (clothes differ per
   * avatar) from the first sprite's clear columns: the other sprites only sit lower by a fraction.
   */
  private get bodyBox(): Box {
    if (this.measuredBody) return this.measuredBody;
    const sprite = this.bodySprite(0);
    const data = sprite.data();
    const px = new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
    const w = sprite.width;
    let left = w;
    let right = 0;
    for (let row = 0; row < px.length; row += w) {
      let x = 0;
      while (x < left && px[row + x] === 0) x++;
      left = Math.min(left, x);
      let r = w;
      while (r > right && px[row + r - 1] === 0) r--;
      right = Math.max(right, r);
    }
    const maxLift = Math.ceil(BREATH_LIFT_UNITS * this.frame.scale);
    return (this.measuredBody = this.pixelBox(left, this.bodyTopPx - maxLift, right, this.height));
  }

  /** Back hair, body, head: everything but the plate. */
  private drawFigure(ctx: SKRSContext2D, pose: AvatarPose): void {
    const hair = hairFrame(pose, this.hair);
    // Stroke state is sticky across frames; pin it so a frame never depends on the one before.
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.globalAlpha = 1;
    this.headTransform(ctx, pose);
    ctx.translate(hair.yaw * BACK_HAIR_DEPTH, 0);
    this.layers.backHair(ctx, hair);

    ctx.setTransform(1, 0, 0, 1, 0, 0);
    // Lifted by `whole` pixels less `down` steps: the sprite drawn that much lower, blitted on whole pixels.
    const steps = this.liftSteps(pose);
    const whole = Math.ceil(steps / LIFT_STEPS);
    ctx.drawImage(this.bodySprite(whole * LIFT_STEPS - steps), 0, this.bodyTopPx - whole);

    this.headTransform(ctx, pose);
    drawHead(ctx, this.avatar.face, this.paint, this.layers, pose, hair);
  }

  /** The body sprite drawn `down / LIFT_STEPS` px lower than the neck top; made on first use. */
  private bodySprite(down: number): Canvas {
    let sprite = this.bodies[down];
    if (!sprite) {
      const { scale, originX, originY } = this.frame;
      sprite = skia().createCanvas(this.width, this.bodyHeightPx);
      const b = sprite.getContext('2d');
      b.setTransform(scale, 0, 0, scale, originX, originY - this.bodyTopPx + down / LIFT_STEPS);
      this.layers.body(b);
      this.bodies[down] = sprite;
    }
    return sprite;
  }

  /** Head space → pixels: framing, head offset, a little breath, nod and roll about the neck. */
  private headTransform(ctx: SKRSContext2D, pose: AvatarPose): void {
    const { scale } = this.frame;
    const [x, y] = this.headOrigin(pose);
    ctx.setTransform(scale, 0, 0, scale, x, y);
    // Nodding down moves the whole head down a touch as well as shifting the features (head.ts).
    ctx.translate(0, PIVOT_Y_UNITS + pose.head.pitch * 0.35);
    ctx.rotate((pose.head.roll * Math.PI) / 180);
    ctx.translate(0, -PIVOT_Y_UNITS);
  }

  /** Where the head's origin lands in pixels: framing, head offset, a little breath. */
  private headOrigin(pose: AvatarPose): [x: number, y: number] {
    const { scale, originX, originY } = this.frame;
    return [
      originX + pose.headOffset.x * this.height,
      originY + pose.headOffset.y * this.height - clamp01(pose.breath) * BREATH_LIFT_UNITS * 0.5 * scale,
    ];
  }

  /** Background gradient, a soft light plate behind the head, and the figure's shadow on it. */
  private drawPlate(): void {
    const { width: w, height: h } = this;
    const { scale, originX, originY } = this.frame;
    const bg = this.avatar.face.background;
    const p = this.plate.getContext('2d', { alpha: false });
    const g = p.createLinearGradient(0, 0, 0, h);
    g.addColorStop(0, bg.top);
    g.addColorStop(1, bg.bottom);
    p.fillStyle = g;
    p.fillRect(0, 0, w, h);
    const glow = p.createRadialGradient(
      originX,
      originY - 20 * scale,
      0,
      originX,
      originY - 20 * scale,
      420 * scale,
    );
    glow.addColorStop(0, bg.glow);
    glow.addColorStop(1, 'rgba(255,255,255,0)');
    p.fillStyle = glow;
    p.fillRect(0, 0, w, h);
    // Two large soft discs in the accent colour: depth without a busy scene.
    p.globalAlpha = 0.22;
    p.fillStyle = bg.accent;
    p.beginPath();
    p.arc(originX - 330 * scale, originY - 170 * scale, 120 * scale, 0, Math.PI * 2);
    p.fill();
    p.globalAlpha = 0.14;
    p.beginPath();
    p.arc(originX + 360 * scale, originY + 40 * scale, 190 * scale, 0, Math.PI * 2);
    p.fill();
    p.globalAlpha = 1;

    // The figure at rest casts a soft shadow. The blur runs at a quarter of the resolution (it is
    // soft anyway) so a 1080p renderer starts in milliseconds; the figure itself is drawn off to the
    // left so only its shadow lands on the small canvas.
    const figure = skia().createCanvas(w, h);
    const f = figure.getContext('2d');
    this.drawFigure(f, restPose());
    const k = SHADOW_DOWNSCALE;
    const small = skia().createCanvas(Math.ceil(w / k), Math.ceil(h / k));
    const sm = small.getContext('2d');
    const away = small.width + 50;
    sm.shadowColor = 'rgba(20,24,40,0.28)';
    sm.shadowBlur = (28 * scale) / k;
    sm.shadowOffsetX = away + (14 * scale) / k;
    sm.shadowOffsetY = (8 * scale) / k;
    sm.drawImage(figure, -away, 0, w / k, h / k);
    p.drawImage(small, 0, 0, small.width * k, small.height * k);
  }
}

/** The smallest box holding both. */
function union(a: Box, b: Box): Box {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
