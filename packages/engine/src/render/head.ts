/**
 * The head: ears, skin with a soft key light from the upper left, cheeks, nose, and the placement of
 * eyes, brows and mouth. Yaw and pitch are faked with parallax: parts nearer the viewer (nose tip,
 * mouth) slide further than the eyes, the ears slide the other way, and the far eye narrows.
 */
import type { CanvasGradient, SKRSContext2D } from '@napi-rs/canvas';
import type { AvatarPose } from '../types.js';
import type { AvatarLayers, FaceLook } from './look.js';
import { createEyePaint, drawBrow, drawEye, type EyePaint } from './eyes.js';
import { createMouthPaint, drawMouth, type MouthPaint } from './mouth.js';

/** Depth of each part in front of the neck axis, avatar units: how far it slides per unit of sin(yaw). */
const DEPTH = {
  ears: -55,
  outline: 6,
  eyes: 38,
  brows: 40,
  noseBridge: 52,
  noseTip: 68,
  mouth: 52,
  hair: 14,
} as const;
/** The cheek blush is a circle squashed into a wide oval. */
const BLUSH_SCALE_X = 1.15;
const BLUSH_SCALE_Y = 0.75;
/** How far the chin drops at jawOpen = 1. */
const CHIN_DROP_UNITS = 9;

/** Everything prebuilt for drawing one face. */
export interface FacePaint {
  skin: CanvasGradient;
  ear: CanvasGradient;
  blush: CanvasGradient;
  eyes: EyePaint;
  mouth: MouthPaint;
}

/** Builds the face's gradients once per renderer. */
export function createFacePaint(ctx: SKRSContext2D, face: FaceLook): FacePaint {
  const h = face.head;
  const skin = ctx.createRadialGradient(
    -h.halfWidth * 0.3,
    -40,
    10,
    -h.halfWidth * 0.1,
    -10,
    h.halfWidth * 1.55,
  );
  skin.addColorStop(0, face.skin.light);
  skin.addColorStop(0.55, face.skin.base);
  skin.addColorStop(1, face.skin.shadow);
  const ear = ctx.createLinearGradient(0, -face.ears.radiusY, 0, face.ears.radiusY);
  ear.addColorStop(0, face.skin.base);
  ear.addColorStop(1, face.skin.shadow);
  const blush = ctx.createRadialGradient(0, 0, 0, 0, 0, 22);
  blush.addColorStop(0, face.skin.blush);
  blush.addColorStop(1, 'rgba(0,0,0,0)');
  return { skin, ear, blush, eyes: createEyePaint(ctx, face), mouth: createMouthPaint(ctx, face) };
}

/**
 * Draws the head in head space (origin at the head centre), in layer order: back hair is drawn by the
 * caller before the body; this draws ears, skin, features and front hair.
 */
export function drawHead(
  ctx: SKRSContext2D,
  face: FaceLook,
  paint: FacePaint,
  layers: AvatarLayers,
  pose: AvatarPose,
): void {
  const yaw = Math.sin((pose.head.yaw * Math.PI) / 180);
  const pitch = Math.sin((pose.head.pitch * Math.PI) / 180);
  const chinDrop = CHIN_DROP_UNITS * clamp01(pose.mouth.jawOpen);

  // Ears sit behind the face plane, so they slide against the turn.
  const e = face.ears;
  ctx.translate(yaw * DEPTH.ears, pitch * DEPTH.ears * 0.5);
  for (const side of SIDES) {
    ctx.save();
    ctx.translate(side * e.x, e.y);
    ctx.fillStyle = paint.ear;
    ctx.beginPath();
    ctx.ellipse(0, 0, e.radiusX, e.radiusY, side * 0.12, 0, Math.PI * 2);
    ctx.fill();
    ctx.strokeStyle = face.skin.shadow;
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.ellipse(side * 2, 1, e.radiusX * 0.5, e.radiusY * 0.6, side * 0.12, -Math.PI * 0.6, Math.PI * 0.55);
    ctx.stroke();
    ctx.restore();
  }
  layers.ears?.(ctx);
  ctx.translate(-yaw * DEPTH.ears + yaw * DEPTH.outline, -pitch * DEPTH.ears * 0.5);

  skinShape(ctx, face, chinDrop);
  ctx.fillStyle = paint.skin;
  ctx.fill();
  // Form shadow down the far (right) side of the face and under the jaw.
  ctx.save();
  ctx.clip();
  ctx.globalAlpha = 0.22;
  ctx.fillStyle = face.skin.shadow;
  ctx.beginPath();
  const h = face.head;
  ctx.moveTo(h.halfWidth * 0.55, -h.halfWidth * 1.6);
  ctx.bezierCurveTo(h.halfWidth * 0.95, -30, h.halfWidth * 0.75, h.jawY, 0, h.chinY + chinDrop + 2);
  ctx.lineTo(h.halfWidth * 1.5, h.chinY + 40);
  ctx.lineTo(h.halfWidth * 1.5, -h.halfWidth * 1.6);
  ctx.closePath();
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.restore();
  ctx.translate(-yaw * DEPTH.outline, 0);

  // Cheeks.
  for (const side of SIDES) {
    const x = side * face.eyes.spacing * 1.18 + yaw * DEPTH.eyes;
    const y = face.eyes.y + 36 + pitch * DEPTH.eyes;
    ctx.translate(x, y);
    ctx.scale(BLUSH_SCALE_X, BLUSH_SCALE_Y);
    ctx.fillStyle = paint.blush;
    ctx.fillRect(-23, -23, 46, 46);
    ctx.scale(1 / BLUSH_SCALE_X, 1 / BLUSH_SCALE_Y);
    ctx.translate(-x, -y);
  }

  drawNose(ctx, face, yaw, pitch);

  for (const side of SIDES) {
    // Subject's left eye is on the image's right (+1).
    const close = side > 0 ? pose.eyeClose.left : pose.eyeClose.right;
    const narrow = Math.max(0, -side * yaw) * 2.2;
    const x = side * face.eyes.spacing * (1 - 0.12 * Math.abs(yaw)) + yaw * DEPTH.eyes;
    const y = face.eyes.y + pitch * DEPTH.eyes;
    ctx.translate(x, y);
    drawEye(ctx, face, paint.eyes, side, close, pose, narrow);
    ctx.translate(yaw * (DEPTH.brows - DEPTH.eyes), 0);
    drawBrow(ctx, face, side, pose.browRaise, narrow);
    ctx.translate(-x - yaw * (DEPTH.brows - DEPTH.eyes), -y);
  }

  const mx = yaw * DEPTH.mouth;
  const my = face.mouth.y + pitch * DEPTH.mouth + chinDrop * 0.25;
  ctx.translate(mx, my);
  drawMouth(ctx, face, paint.mouth, pose.mouth, pose.smile);
  ctx.translate(-mx, -my);

  if (layers.overlay) {
    ctx.translate(yaw * DEPTH.eyes, pitch * DEPTH.eyes);
    layers.overlay(ctx);
    ctx.translate(-yaw * DEPTH.eyes, -pitch * DEPTH.eyes);
  }
  ctx.translate(yaw * DEPTH.hair, pitch * DEPTH.hair * 0.5);
  layers.frontHair(ctx);
  ctx.translate(-yaw * DEPTH.hair, -pitch * DEPTH.hair * 0.5);
}

/** How far the back hair slides per unit of sin(yaw) (it is behind the neck axis). */
export const BACK_HAIR_DEPTH = -30;

const SIDES = [-1, 1] as const;

/** The face outline as the current path; the chin follows the jaw down. */
export function skinShape(ctx: SKRSContext2D, face: FaceLook, chinDrop: number): void {
  const h = face.head;
  const hw = h.halfWidth;
  const jawY = h.jawY + chinDrop * 0.5;
  const chinY = h.chinY + chinDrop;
  const cw = h.chinHalfWidth;
  const jw = h.jawHalfWidth;
  ctx.beginPath();
  ctx.moveTo(0, h.topY);
  // Right half, top to chin, then the left half back up.
  ctx.bezierCurveTo(hw * 0.62, h.topY, hw * 0.98, h.topY * 0.62, hw, -20);
  ctx.bezierCurveTo(hw * 1.01, 10, jw + 14, jawY - 30, jw, jawY);
  ctx.bezierCurveTo(jw - 10, jawY + 20, cw + 14, chinY - 2, cw, chinY - 1);
  ctx.bezierCurveTo(cw * 0.55, chinY + 1, cw * 0.25, chinY + 1.5, 0, chinY + 1.5);
  ctx.bezierCurveTo(-cw * 0.25, chinY + 1.5, -cw * 0.55, chinY + 1, -cw, chinY - 1);
  ctx.bezierCurveTo(-cw - 14, chinY - 2, -jw + 10, jawY + 20, -jw, jawY);
  ctx.bezierCurveTo(-jw - 14, jawY - 30, -hw * 1.01, 10, -hw, -20);
  ctx.bezierCurveTo(-hw * 0.98, h.topY * 0.62, -hw * 0.62, h.topY, 0, h.topY);
  ctx.closePath();
}

function drawNose(ctx: SKRSContext2D, face: FaceLook, yaw: number, pitch: number): void {
  const n = face.nose;
  const bx = yaw * DEPTH.noseBridge;
  const tx = yaw * DEPTH.noseTip;
  const ty = n.y + pitch * DEPTH.noseTip;
  const w = n.halfWidth;
  // Bridge shadow on the side away from the light.
  ctx.globalAlpha = 0.35;
  ctx.fillStyle = face.skin.shadow;
  ctx.beginPath();
  ctx.moveTo(bx + 4, face.eyes.y + 6);
  ctx.quadraticCurveTo(bx + 9, ty - 14, tx + w * 0.55, ty - 3);
  ctx.quadraticCurveTo(bx + 3, ty - 14, bx + 1, face.eyes.y + 8);
  ctx.closePath();
  ctx.fill();
  // Underside of the nose: a soft wedge of shadow.
  ctx.globalAlpha = 0.45;
  ctx.beginPath();
  ctx.moveTo(tx - w, ty);
  ctx.bezierCurveTo(tx - w * 0.6, ty + 7, tx + w * 0.6, ty + 7, tx + w, ty);
  ctx.bezierCurveTo(tx + w * 0.5, ty + 3.5, tx - w * 0.5, ty + 3.5, tx - w, ty);
  ctx.fill();
  ctx.globalAlpha = 1;
  // Alar wing on the shadow side and the soft line under the tip; nostrils barely hinted.
  ctx.strokeStyle = face.skin.deep;
  ctx.lineWidth = 2.2;
  ctx.lineCap = 'round';
  ctx.globalAlpha = 0.55;
  ctx.beginPath();
  ctx.moveTo(tx + w * 0.45, ty - 10);
  ctx.bezierCurveTo(tx + w * 1.1, ty - 7, tx + w * 1.05, ty + 1, tx + w * 0.5, ty + 1.5);
  ctx.moveTo(tx - w * 0.75, ty - 3);
  ctx.quadraticCurveTo(tx - w * 0.9, ty + 1, tx - w * 0.45, ty + 1.5);
  ctx.stroke();
  ctx.globalAlpha = 0.3;
  ctx.fillStyle = face.skin.deep;
  ctx.beginPath();
  ctx.ellipse(tx - w * 0.3, ty + 1, w * 0.2, 1.4, 0.2, 0, Math.PI * 2);
  ctx.ellipse(tx + w * 0.3, ty + 1, w * 0.2, 1.4, -0.2, 0, Math.PI * 2);
  ctx.fill();
  ctx.globalAlpha = 1;
  // A highlight on the tip.
  ctx.globalAlpha = 0.3;
  ctx.fillStyle = face.skin.light;
  ctx.beginPath();
  ctx.ellipse(tx - 2, ty - 7, w * 0.35, 3.5, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.globalAlpha = 1;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
