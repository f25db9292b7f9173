/**
 * The mouth: two lips as bezier contours whose control points are continuous functions of
 * MouthParams, so it never pops. Between the inner contours lies a dark cavity holding the upper teeth,
 * the lower teeth and the tongue. Drawn in mouth space (origin between the lip corners at rest).
 */
import type { CanvasGradient, SKRSContext2D } from '@napi-rs/canvas';
import type { MouthParams } from '../types.js';
import type { FaceLook } from './look.js';

/** Prebuilt gradients for one face's mouth. */
export interface MouthPaint {
  cavity: CanvasGradient;
  upperLip: CanvasGradient;
  lowerLip: CanvasGradient;
  teeth: CanvasGradient;
  tongue: CanvasGradient;
}

/** Builds the mouth gradients for `face` (once per renderer). */
export function createMouthPaint(ctx: SKRSContext2D, face: FaceLook): MouthPaint {
  const m = face.mouth;
  const cavity = ctx.createLinearGradient(0, -10, 0, 30);
  cavity.addColorStop(0, '#2a0f12');
  cavity.addColorStop(1, '#5b2027');
  const upperLip = ctx.createLinearGradient(0, -m.upperThickness - 4, 0, 2);
  upperLip.addColorStop(0, m.upper);
  upperLip.addColorStop(1, shade(m.upper, -0.12));
  const lowerLip = ctx.createLinearGradient(0, 0, 0, m.lowerThickness + 24);
  lowerLip.addColorStop(0, shade(m.lower, -0.06));
  lowerLip.addColorStop(0.5, m.lower);
  lowerLip.addColorStop(1, shade(m.lower, -0.1));
  const teeth = ctx.createLinearGradient(-m.halfWidth, 0, m.halfWidth, 0);
  // Teeth recede into shadow towards the corners.
  teeth.addColorStop(0, '#b9aea6');
  teeth.addColorStop(0.3, '#f6f2ec');
  teeth.addColorStop(0.7, '#f6f2ec');
  teeth.addColorStop(1, '#b9aea6');
  const tongue = ctx.createRadialGradient(0, -2, 1, 0, 2, m.halfWidth * 0.8);
  tongue.addColorStop(0, '#d8707a');
  tongue.addColorStop(1, '#9c3a46');
  return { cavity, upperLip, lowerLip, teeth, tongue };
}

/** Geometry of one mouth shape; every field is a continuous function of the params. */
interface Shape {
  /** Outer corner half width and corner height. */
  w: number;
  cy: number;
  /** Inner (opening) corner half width. */
  wi: number;
  /** Centre heights: outer upper, inner upper, inner lower, outer lower. */
  uo: number;
  ui: number;
  li: number;
  lo: number;
  /** Roundness of the opening: 0 slot-like … 1 oval. */
  round: number;
  gap: number;
}

const shapeScratch: Shape = { w: 0, cy: 0, wi: 0, uo: 0, ui: 0, li: 0, lo: 0, round: 0, gap: 0 };

/** Works out the lip contours for `p` (reuses one scratch object; no allocation). */
function shapeOf(face: FaceLook, p: MouthParams, smile: number): Shape {
  const m = face.mouth;
  const s = shapeScratch;
  const jaw = clamp01(p.jawOpen);
  const round = clamp01(p.lipRound);
  const spread = clamp01(p.lipSpread);
  const close = clamp01(p.lipClose);
  const tuck = clamp01(p.lowerLipTuck);
  s.w = m.halfWidth * (1 + 0.2 * spread + 0.1 * smile - 0.36 * round + 0.04 * jaw);
  s.cy = -3 * smile + 2 * jaw - 0.5 * spread;
  s.round = round;
  // Pressing and tucking the lips both hold the opening shut; rounding opens it a little more.
  s.gap = 30 * jaw * (1 - close) * (1 - 0.75 * tuck) * (1 + 0.15 * round) + 2.5 * round * (1 - close);
  s.wi = s.w * (0.92 - 0.34 * round);
  const ut = m.upperThickness * (1 + 0.45 * round) * (1 - 0.25 * spread) * (1 - 0.12 * close);
  let lt = m.lowerThickness * (1 + 0.35 * round) * (1 - 0.2 * spread) * (1 - 0.12 * close);
  s.ui = s.cy - s.gap * 0.2 - 2 * tuck;
  s.li = s.cy + s.gap * 0.8;
  // /f v/: the lower lip rides up under the upper teeth and rolls in (thinner).
  s.li += (s.ui + 5 - s.li) * tuck;
  lt *= 1 - 0.3 * tuck;
  s.uo = s.ui - ut;
  s.lo = s.li + lt;
  return s;
}

/** Draws the mouth for `p` at the current origin. */
export function drawMouth(
  ctx: SKRSContext2D,
  face: FaceLook,
  paint: MouthPaint,
  p: MouthParams,
  smile: number,
): void {
  const s = shapeOf(face, p, smile);
  const teethShow = clamp01(p.teethShow);
  const open = s.li - s.ui;

  // Soft shadow under the lower lip (the mentolabial fold) moves with the lip.
  ctx.globalAlpha = 0.1;
  ctx.fillStyle = face.skin.deep;
  ctx.beginPath();
  ctx.ellipse(0, s.lo + 4.5, s.w * 0.5, 3.2, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.globalAlpha = 1;

  if (open > 0.6) {
    ctx.save();
    ctx.beginPath();
    innerUpper(ctx, s, true);
    innerLowerBack(ctx, s);
    ctx.closePath();
    ctx.fillStyle = paint.cavity;
    ctx.fill();
    ctx.clip();
    // Tongue: resting low behind the lower teeth, or raised to the ridge for /t d n l/.
    const up = clamp01(p.tongueUp);
    const tongueY = s.li - 3 + (s.ui + 8 - (s.li - 3)) * up * 0.8;
    ctx.fillStyle = paint.tongue;
    ctx.beginPath();
    ctx.ellipse(0, tongueY + 2, s.wi * (0.7 - 0.2 * up), 8 + 3 * up, 0, 0, Math.PI * 2);
    ctx.fill();
    // Upper teeth hang from the upper lip; more of them show with teethShow.
    const upperH = 3 + 6 * teethShow + 2 * clamp01(p.lowerLipTuck);
    ctx.fillStyle = paint.teeth;
    ctx.beginPath();
    ctx.roundRect(-s.wi * 0.95, s.ui - 4, s.wi * 1.9, upperH + 4, 2.5);
    ctx.fill();
    // Lower teeth only peek out when the jaw is well open.
    const lowerH = Math.min(open * 0.12, 1 + 2.5 * teethShow) * clamp01((open - 10) / 10);
    if (lowerH > 0.3) {
      ctx.beginPath();
      ctx.roundRect(-s.wi * 0.7, s.li - lowerH, s.wi * 1.4, lowerH + 4, 2);
      ctx.fill();
    }
    ctx.restore();
  }

  // Upper lip: outer contour (cupid's bow) out, inner contour back.
  ctx.fillStyle = paint.upperLip;
  ctx.beginPath();
  ctx.moveTo(-s.w, s.cy);
  const bowX = s.w * 0.3;
  const bowY = s.uo - 1.2;
  ctx.bezierCurveTo(-s.w * 0.82, s.cy - (s.cy - s.uo) * 0.4, -bowX - s.w * 0.22, bowY, -bowX, bowY);
  ctx.bezierCurveTo(-bowX * 0.6, bowY, -bowX * 0.25, s.uo + 1.6, 0, s.uo + 1.6);
  ctx.bezierCurveTo(bowX * 0.25, s.uo + 1.6, bowX * 0.6, bowY, bowX, bowY);
  ctx.bezierCurveTo(bowX + s.w * 0.22, bowY, s.w * 0.82, s.cy - (s.cy - s.uo) * 0.4, s.w, s.cy);
  ctx.lineTo(s.wi, s.cy);
  innerUpper(ctx, s, false);
  ctx.closePath();
  ctx.fill();

  // Lower lip.
  ctx.fillStyle = paint.lowerLip;
  ctx.beginPath();
  ctx.moveTo(-s.w, s.cy);
  ctx.lineTo(-s.wi, s.cy);
  innerLowerForward(ctx, s);
  ctx.lineTo(s.w, s.cy);
  ctx.bezierCurveTo(s.w * 0.8, s.cy + (s.lo - s.cy) * 0.55, s.w * 0.5, s.lo, 0, s.lo);
  ctx.bezierCurveTo(-s.w * 0.5, s.lo, -s.w * 0.8, s.cy + (s.lo - s.cy) * 0.55, -s.w, s.cy);
  ctx.closePath();
  ctx.fill();
  // Highlight on the lower lip sells the volume.
  ctx.globalAlpha = 0.16;
  ctx.fillStyle = '#ffffff';
  ctx.beginPath();
  ctx.ellipse(-s.w * 0.1, s.li + (s.lo - s.li) * 0.42, s.w * 0.22, (s.lo - s.li) * 0.16, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.globalAlpha = 1;

  // The seam (closed) or the inner edge of the upper lip (open), and the corners.
  ctx.strokeStyle = face.mouth.line;
  ctx.lineCap = 'round';
  ctx.lineWidth = open > 0.6 ? 1.2 : 2;
  ctx.beginPath();
  ctx.moveTo(-s.w - 0.5, s.cy);
  ctx.lineTo(-s.wi, s.cy);
  innerUpper(ctx, s, false, true);
  ctx.lineTo(s.w + 0.5, s.cy);
  ctx.stroke();
  // Corner dimples: short soft ticks, stronger with a smile.
  ctx.globalAlpha = 0.25 + 0.25 * smile;
  ctx.lineWidth = 1.4;
  ctx.beginPath();
  ctx.moveTo(-s.w - 1, s.cy - 2);
  ctx.quadraticCurveTo(-s.w - 2.8, s.cy, -s.w - 1.5, s.cy + 2);
  ctx.moveTo(s.w + 1, s.cy - 2);
  ctx.quadraticCurveTo(s.w + 2.8, s.cy, s.w + 1.5, s.cy + 2);
  ctx.stroke();
  ctx.globalAlpha = 1;
}

/**
 * The inner edge of the upper lip. Left→right when `fromLeft` (moveTo included), else right→left
 * continuing the current path; `reverse` draws it left→right as a continuation.
 */
function innerUpper(ctx: SKRSContext2D, s: Shape, fromLeft: boolean, reverse = false): void {
  const lift = s.cy - s.ui;
  const a = 0.85 - 0.3 * s.round;
  const b = 0.12 + 0.5 * s.round;
  if (fromLeft || reverse) {
    if (fromLeft) ctx.moveTo(-s.wi, s.cy);
    ctx.bezierCurveTo(-s.wi, s.cy - lift * b, -s.wi * a, s.ui, 0, s.ui);
    ctx.bezierCurveTo(s.wi * a, s.ui, s.wi, s.cy - lift * b, s.wi, s.cy);
  } else {
    ctx.bezierCurveTo(s.wi, s.cy - lift * b, s.wi * a, s.ui, 0, s.ui);
    ctx.bezierCurveTo(-s.wi * a, s.ui, -s.wi, s.cy - lift * b, -s.wi, s.cy);
  }
}

/** The inner edge of the lower lip, right→left (closing the cavity). */
function innerLowerBack(ctx: SKRSContext2D, s: Shape): void {
  const drop = s.li - s.cy;
  const a = 0.8 - 0.3 * s.round;
  const b = 0.2 + 0.5 * s.round;
  ctx.bezierCurveTo(s.wi, s.cy + drop * b, s.wi * a, s.li, 0, s.li);
  ctx.bezierCurveTo(-s.wi * a, s.li, -s.wi, s.cy + drop * b, -s.wi, s.cy);
}

/** The inner edge of the lower lip, left→right. */
function innerLowerForward(ctx: SKRSContext2D, s: Shape): void {
  const drop = s.li - s.cy;
  const a = 0.8 - 0.3 * s.round;
  const b = 0.2 + 0.5 * s.round;
  ctx.bezierCurveTo(-s.wi, s.cy + drop * b, -s.wi * a, s.li, 0, s.li);
  ctx.bezierCurveTo(s.wi * a, s.li, s.wi, s.cy + drop * b, s.wi, s.cy);
}

/** Lightens (amount > 0) or darkens a #rrggbb colour; used once per renderer, never per frame. */
export function shade(hex: string, amount: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = (v: number) => Math.round(amount >= 0 ? v + (255 - v) * amount : v * (1 + amount));
  const r = ch((n >> 16) & 255);
  const g = ch((n >> 8) & 255);
  const b = ch(n & 255);
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
