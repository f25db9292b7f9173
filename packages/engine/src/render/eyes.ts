/**
 * Eyes and brows. Each eye is drawn in its own local space (centre at 0,0): sclera, iris and pupil
 * clipped to the almond, then a skin-coloured upper lid whose edge slides from the open contour to a
 * closed "‿" curve, then the lash line along that edge. Gradients are built once around the origin and
 * the context is translated, so a frame allocates nothing.
 */
import type { CanvasGradient, SKRSContext2D } from '@napi-rs/canvas';
import type { AvatarPose } from '../types.js';
import type { FaceLook } from './look.js';

/** Prebuilt gradients for one face's eyes. */
export interface EyePaint {
  sclera: CanvasGradient;
  /** The lid: skin, a little darker towards its edge. */
  lid: CanvasGradient;
  iris: CanvasGradient;
}

/** Builds the eye gradients for `face` (once per renderer). */
export function createEyePaint(ctx: SKRSContext2D, face: FaceLook): EyePaint {
  const e = face.eyes;
  const sclera = ctx.createLinearGradient(0, -e.halfHeight, 0, e.halfHeight);
  // The lid shades the top of the eyeball; pure white reads as "sticker".
  sclera.addColorStop(0, '#d9cfca');
  sclera.addColorStop(0.45, '#f7f3f0');
  sclera.addColorStop(1, '#fbf9f7');
  const r = e.irisRadius;
  const iris = ctx.createRadialGradient(0, r * 0.15, r * 0.15, 0, 0, r);
  iris.addColorStop(0, e.iris);
  iris.addColorStop(0.7, e.iris);
  iris.addColorStop(1, e.irisDark);
  const lid = ctx.createLinearGradient(0, -e.halfHeight * 1.2, 0, e.halfHeight * 0.7);
  lid.addColorStop(0, face.skin.base);
  lid.addColorStop(1, face.skin.shadow);
  return { sclera, iris, lid };
}

/** Upper lid contour control points (y) for open and closed, as fractions of the half height. */
const LID_OPEN_Y = [-1.1, -1.12] as const;
const LID_CLOSED_Y = [0.62, 0.58] as const;

/**
 * Draws one eye centred at the current origin. `side` is -1 for the eye on the image's left, +1 for
 * the right; the inner corner faces the nose. `narrow` (0..1) squeezes it when the head turns away.
 */
export function drawEye(
  ctx: SKRSContext2D,
  face: FaceLook,
  paint: EyePaint,
  side: -1 | 1,
  close: number,
  pose: AvatarPose,
  narrow: number,
): void {
  const e = face.eyes;
  const w = e.halfWidth * (1 - 0.25 * narrow);
  const h = e.halfHeight;
  const ix = -side * w;
  const ox = side * w;
  // Looking down drops the lid a little, looking up lifts it: the lid rides on the eyeball.
  const c = clamp01(close + 0.18 * Math.max(0, pose.gaze.y) - 0.08 * Math.max(0, -pose.gaze.y) + 0.04);
  const lid1 = h * (LID_OPEN_Y[0] + (LID_CLOSED_Y[0] - LID_OPEN_Y[0]) * c);
  const lid2 = h * (LID_OPEN_Y[1] + (LID_CLOSED_Y[1] - LID_OPEN_Y[1]) * c);

  ctx.save();
  almond(ctx, ix, ox, side, w, h);
  ctx.clip();
  ctx.fillStyle = paint.sclera;
  ctx.fillRect(-w - 2, -h - 2, 2 * w + 4, 2 * h + 4);

  // Iris and pupil follow the gaze within the almond.
  const gx = pose.gaze.x * w * 0.42;
  const gy = pose.gaze.y * h * 0.32 + h * 0.08;
  const r = e.irisRadius;
  ctx.translate(gx, gy);
  ctx.fillStyle = paint.iris;
  circle(ctx, 0, 0, r);
  ctx.fill();
  ctx.lineWidth = r * 0.12;
  ctx.strokeStyle = e.irisDark;
  ctx.stroke();
  ctx.fillStyle = '#17120f';
  circle(ctx, 0, 0, r * 0.46);
  ctx.fill();
  ctx.fillStyle = 'rgba(255,255,255,0.92)';
  circle(ctx, -r * 0.34, -r * 0.36, r * 0.24);
  ctx.fill();
  ctx.fillStyle = 'rgba(255,255,255,0.55)';
  circle(ctx, r * 0.36, r * 0.3, r * 0.11);
  ctx.fill();
  ctx.translate(-gx, -gy);

  // Upper lid: skin over everything above the lid edge.
  ctx.fillStyle = paint.lid;
  ctx.beginPath();
  ctx.moveTo(ix, 1.5);
  ctx.bezierCurveTo(-side * w * 0.55, lid1, side * w * 0.45, lid2, ox, -1);
  ctx.lineTo(ox, -h * 3);
  ctx.lineTo(ix, -h * 3);
  ctx.closePath();
  ctx.fill();
  ctx.restore();

  // Lash line along the lid edge, heavier towards the outer corner.
  ctx.strokeStyle = e.lash;
  ctx.fillStyle = e.lash;
  ctx.lineCap = 'round';
  ctx.lineWidth = h * 0.26;
  ctx.beginPath();
  ctx.moveTo(ix + side * w * 0.08, 1.2);
  ctx.bezierCurveTo(-side * w * 0.55, lid1, side * w * 0.45, lid2, ox, -1);
  ctx.stroke();
  if (e.lashFlick > 0) {
    // A winged flick: a small tapered triangle off the outer corner.
    const f = e.lashFlick;
    ctx.beginPath();
    ctx.moveTo(ox - side * w * 0.25, -h * 0.55 * (1 - c));
    ctx.quadraticCurveTo(
      ox + side * w * 0.18 * f,
      -h * 0.4,
      ox + side * w * 0.3 * f,
      -h * (0.75 * f) * (1 - 0.5 * c),
    );
    ctx.quadraticCurveTo(ox + side * w * 0.05, h * 0.05, ox - side * w * 0.05, h * 0.1);
    ctx.closePath();
    ctx.fill();
  }
  // Lower lid: a soft line, faded so it reads as a shadow, not an outline.
  ctx.globalAlpha = 0.35;
  ctx.lineWidth = h * 0.12;
  ctx.beginPath();
  ctx.moveTo(ox, -1);
  ctx.bezierCurveTo(side * w * 0.5, h * 0.75, -side * w * 0.5, h * 0.8, ix, 1.5);
  ctx.stroke();
  // Lid crease above the eye; it sinks as the lid closes.
  ctx.globalAlpha = 0.55;
  ctx.strokeStyle = face.skin.shadow;
  ctx.lineWidth = h * 0.16;
  const crease = -h * (1.55 - 0.5 * c);
  ctx.beginPath();
  ctx.moveTo(-side * w * 0.7, -h * 0.95);
  ctx.bezierCurveTo(-side * w * 0.35, crease, side * w * 0.45, crease, side * w * 1.02, -h * 0.65);
  ctx.stroke();
  ctx.globalAlpha = 1;
}

/** Draws one brow centred over its eye (current origin = eye centre). */
export function drawBrow(
  ctx: SKRSContext2D,
  face: FaceLook,
  side: -1 | 1,
  raise: number,
  narrow: number,
): void {
  const b = face.brows;
  const k = 1 - 0.2 * narrow;
  const lift = raise * 7;
  // A frown pulls the inner ends down and together; a raise arches them up.
  const innerDrop = raise < 0 ? -raise * 4 : -raise * 2;
  const iX = -side * b.inner * k + (raise < 0 ? side * raise * 2.5 : 0);
  const iY = b.y - lift + innerDrop;
  const oX = side * b.outer * k;
  const oY = b.y - lift * 0.7 + 4;
  const pX = side * b.outer * 0.3 * k;
  const pY = b.y - lift - b.arch;
  const t = b.thickness;
  ctx.fillStyle = b.color;
  ctx.beginPath();
  ctx.moveTo(iX, iY + t * 0.5);
  ctx.quadraticCurveTo(iX - side * t * 0.35, iY, iX + side * t * 0.1, iY - t * 0.55);
  ctx.bezierCurveTo(iX + (pX - iX) * 0.6, pY - t * 0.55, pX, pY - t * 0.55, pX + side * 4, pY - t * 0.5);
  ctx.quadraticCurveTo(oX - side * 8, pY - t * 0.1, oX, oY);
  ctx.quadraticCurveTo(oX - side * 10, pY + t * 0.5, pX, pY + t * 0.45);
  ctx.bezierCurveTo(pX - side * 8, pY + t * 0.45, iX + side * 8, iY + t * 0.4, iX, iY + t * 0.5);
  ctx.closePath();
  ctx.fill();
}

function almond(ctx: SKRSContext2D, ix: number, ox: number, side: number, w: number, h: number): void {
  ctx.beginPath();
  ctx.moveTo(ix, 1.5);
  ctx.bezierCurveTo(-side * w * 0.55, h * LID_OPEN_Y[0], side * w * 0.45, h * LID_OPEN_Y[1], ox, -1);
  ctx.bezierCurveTo(side * w * 0.5, h * 0.75, -side * w * 0.5, h * 0.8, ix, 1.5);
  ctx.closePath();
}

function circle(ctx: SKRSContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
