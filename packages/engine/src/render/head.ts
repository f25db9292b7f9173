/**
 * The head: ears, skin with a soft key light from the upper left, cheeks, nose, and the placement of
 * eyes, brows and mouth. Yaw and pitch are faked with parallax: each part slides by its depth in front
 * of the neck axis times sin(angle), so the nose tip slides further than the eyes, the eyes further than
 * the cheeks, the ears and the hair behind the head the other way. The face outline bends the same
 * way point by point (chin and jaw follow the features, the temples hardly move, and on the side turned
 * away the cheekbone becomes the contour): the near cheek widens, the far cheek narrows and its eye
 * narrows too.
 */
import type { CanvasGradient, SKRSContext2D } from '@napi-rs/canvas';
import type { AvatarPose } from '../types.js';
import type { HairFrame } from './hair.js';
import type { AvatarLayers, FaceLook } from './look.js';
import { createEyePaint, drawBrow, drawEye, type EyePaint } from './eyes.js';
import { createMouthPaint, drawMouth, type MouthPaint } from './mouth.js';
import { radialGradient, texture, type Texture } from './gradient.js';

/** Depth of each part in front of the neck axis, avatar units: how far it slides per unit of sin(yaw). */
const DEPTH = {
  ears: -55,
  eyes: 38,
  brows: 40,
  noseBridge: 52,
  noseTip: 68,
  mouth: 52,
} as const;
/** Depth of the face outline, avatar units, from the crown down the side to the chin (see skinShape). */
const OUTLINE = {
  crown: 6,
  temple: 0,
  cheek: 4,
  jawUpper: 14,
  jaw: 20,
  jawLower: 28,
  chinSide: 40,
  chin: 48,
  chinMid: 52,
} as const;
/** Extra depth of the outline on the side turned away, where the cheekbone becomes the contour. */
const FAR_SIDE = { temple: 6, cheek: 12, jawUpper: 9, jaw: 4 } as const;
/** How much narrower the far cheek's blush gets at sin(yaw) = 1 (it turns edge-on). */
const FAR_BLUSH_NARROWING = 1.2;
/** The cheek blush is a circle squashed into a wide oval. */
const BLUSH_SCALE_X = 1.15;
const BLUSH_SCALE_Y = 0.75;
/** How far the chin drops at jawOpen = 1. */
const CHIN_DROP_UNITS = 9;

/** Everything prebuilt for drawing one face. */
export interface FacePaint {
  skin: Texture;
  ear: CanvasGradient;
  blush: CanvasGradient;
  eyes: EyePaint;
  mouth: MouthPaint;
}

/** Builds the face's gradients and textures once per renderer. */
export function createFacePaint(ctx: SKRSContext2D, face: FaceLook): FacePaint {
  const skin = skinTexture(ctx, face);
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
  hair: HairFrame,
): void {
  const { yaw, pitch } = hair;
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
  layers.ears?.(ctx, hair);
  ctx.translate(-yaw * DEPTH.ears, -pitch * DEPTH.ears * 0.5);

  skinShape(ctx, face, chinDrop, yaw, pitch);
  paint.skin.fill(ctx);

  // Cheeks; the far one turns edge-on.
  for (const side of SIDES) {
    const x = side * face.eyes.spacing * 1.18 + yaw * DEPTH.eyes;
    const y = face.eyes.y + 36 + pitch * DEPTH.eyes;
    const bx = BLUSH_SCALE_X * (1 - FAR_BLUSH_NARROWING * Math.max(0, side * yaw));
    ctx.translate(x, y);
    ctx.scale(bx, BLUSH_SCALE_Y);
    ctx.fillStyle = paint.blush;
    ctx.fillRect(-23, -23, 46, 46);
    ctx.scale(1 / bx, 1 / BLUSH_SCALE_Y);
    ctx.translate(-x, -y);
  }

  drawNose(ctx, face, yaw, pitch);

  for (const side of SIDES) {
    // Subject's left eye is on the image's right (+1).
    const close = side > 0 ? pose.eyeClose.left : pose.eyeClose.right;
    // The eye on the side the face turns towards is the far one: foreshortened.
    const narrow = Math.max(0, side * yaw) * 2.2;
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
  layers.frontHair(ctx, hair);
}

/** How far the back hair slides per unit of sin(yaw) (it is behind the neck axis). */
export const BACK_HAIR_DEPTH = -30;

const SIDES = [-1, 1] as const;

/**
 * The face outline as the current path; the chin follows the jaw down. Each point slides by its depth
 * (OUTLINE) times sin(yaw) sideways and sin(pitch) down; on the side turned away (the one the nose
 * moves towards) the cheek has more depth (FAR_SIDE), so that contour bulges towards the turn while
 * the near one stays put: the outline changes shape, it does not just move.
 */
export function skinShape(ctx: SKRSContext2D, face: FaceLook, chinDrop: number, yaw = 0, pitch = 0): void {
  const h = face.head;
  const hw = h.halfWidth;
  const jawY = h.jawY + chinDrop * 0.5;
  const chinY = h.chinY + chinDrop;
  const cw = h.chinHalfWidth;
  const jw = h.jawHalfWidth;
  // Far-side depth, per side (+1 right, -1 left): only the side the face turns towards gets it.
  const fr = yaw > 0 ? 1 : 0;
  const fl = yaw < 0 ? 1 : 0;
  const o = OUTLINE;
  const f = FAR_SIDE;
  ctx.beginPath();
  ctx.moveTo(yaw * o.crown, h.topY + pitch * o.crown);
  // Right half, top to chin, then the left half back up.
  ctx.bezierCurveTo(
    hw * 0.62 + yaw * o.crown,
    h.topY + pitch * o.crown,
    hw * 0.98 + yaw * (o.temple + fr * f.temple),
    h.topY * 0.62 + pitch * o.temple,
    hw + yaw * (o.temple + fr * f.temple),
    -20 + pitch * o.temple,
  );
  ctx.bezierCurveTo(
    hw * 1.01 + yaw * (o.cheek + fr * f.cheek),
    10 + pitch * o.cheek,
    jw + 14 + yaw * (o.jawUpper + fr * f.jawUpper),
    jawY - 30 + pitch * o.jawUpper,
    jw + yaw * (o.jaw + fr * f.jaw),
    jawY + pitch * o.jaw,
  );
  ctx.bezierCurveTo(
    jw - 10 + yaw * o.jawLower,
    jawY + 20 + pitch * o.jawLower,
    cw + 14 + yaw * o.chinSide,
    chinY - 2 + pitch * o.chinSide,
    cw + yaw * o.chinSide,
    chinY - 1 + pitch * o.chinSide,
  );
  ctx.bezierCurveTo(
    cw * 0.55 + yaw * o.chin,
    chinY + 1 + pitch * o.chin,
    cw * 0.25 + yaw * o.chinMid,
    chinY + 1.5 + pitch * o.chinMid,
    yaw * o.chinMid,
    chinY + 1.5 + pitch * o.chinMid,
  );
  ctx.bezierCurveTo(
    -cw * 0.25 + yaw * o.chinMid,
    chinY + 1.5 + pitch * o.chinMid,
    -cw * 0.55 + yaw * o.chin,
    chinY + 1 + pitch * o.chin,
    -cw + yaw * o.chinSide,
    chinY - 1 + pitch * o.chinSide,
  );
  ctx.bezierCurveTo(
    -cw - 14 + yaw * o.chinSide,
    chinY - 2 + pitch * o.chinSide,
    -jw + 10 + yaw * o.jawLower,
    jawY + 20 + pitch * o.jawLower,
    -jw + yaw * (o.jaw + fl * f.jaw),
    jawY + pitch * o.jaw,
  );
  ctx.bezierCurveTo(
    -jw - 14 + yaw * (o.jawUpper + fl * f.jawUpper),
    jawY - 30 + pitch * o.jawUpper,
    -hw * 1.01 + yaw * (o.cheek + fl * f.cheek),
    10 + pitch * o.cheek,
    -hw + yaw * (o.temple + fl * f.temple),
    -20 + pitch * o.temple,
  );
  ctx.bezierCurveTo(
    -hw * 0.98 + yaw * (o.temple + fl * f.temple),
    h.topY * 0.62 + pitch * o.temple,
    -hw * 0.62 + yaw * o.crown,
    h.topY + pitch * o.crown,
    yaw * o.crown,
    h.topY + pitch * o.crown,
  );
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

/** Texels per avatar unit of the skin's texture (2.3 a pixel at 480p, 1 at 1080p: the shading is soft). */
const SKIN_TEXELS_PER_UNIT = 2;

/**
 * The skin's shading in head space, as a texture to fill the face outline with: a soft key light from
 * the upper left (a three-stop radial gradient) and a form shadow down the side away from it and under
 * the jaw. The shadow's edge runs down the chin's middle, so an open jaw's chin is shadowed on the same
 * side, and it stays put as the head turns or rolls (the light does not move with the head).
 */
function skinTexture(ctx: SKRSContext2D, face: FaceLook): Texture {
  const h = face.head;
  const hw = h.halfWidth;
  // Room for the outline's parallax and the open jaw's chin.
  const box = [-hw - 60, h.topY - 30, hw + 60, h.chinY + CHIN_DROP_UNITS + 50] as const;
  const k = SKIN_TEXELS_PER_UNIT;
  return texture(
    ctx,
    box,
    [k, k],
    'no-repeat',
    (c) => {
      c.fillStyle = radialGradient(c, [-hw * 0.3, -40, 10, -hw * 0.1, -10, hw * 1.55], {
        a: face.skin.light,
        t: 0.55,
        b: face.skin.base,
        c: face.skin.shadow,
      });
      c.fillRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
      c.globalAlpha = 0.22;
      c.fillStyle = face.skin.shadow;
      c.beginPath();
      c.moveTo(hw * 0.55, -hw * 1.6);
      c.bezierCurveTo(hw * 0.95, -30, hw * 0.75, h.jawY, 0, h.chinY + 2);
      c.lineTo(0, box[3]);
      c.lineTo(box[2], box[3]);
      c.lineTo(box[2], -hw * 1.6);
      c.closePath();
      c.fill();
    },
    // Upright about the cheeks: a turned head's form shadow would lie within ~2 units of it at the eyes
    // and at the chin for 2° of roll.
    [0, 50],
  );
}
