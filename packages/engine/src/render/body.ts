/**
 * Shared body geometry for the built-in avatars: the neck (with the jaw's shadow on it) and the
 * silhouette of the shoulders, which each avatar dresses in its own clothes.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { FaceLook } from './look.js';

/** Proportions of the shoulders, avatar units. */
export interface Shoulders {
  neckHalfWidth: number;
  /** Where the neck meets the trapezius. */
  neckBaseY: number;
  halfWidth: number;
  /** Height of the shoulder points. */
  y: number;
}

/** Draws the neck from under the jaw to below the collar, with the jaw's soft shadow at the top. */
export function drawNeck(ctx: SKRSContext2D, face: FaceLook, sh: Shoulders): void {
  const w = sh.neckHalfWidth;
  const g = ctx.createLinearGradient(0, 60, 0, face.head.chinY + 40);
  g.addColorStop(0, face.skin.deep);
  g.addColorStop(0.75, face.skin.shadow);
  g.addColorStop(1, face.skin.base);
  ctx.fillStyle = g;
  ctx.beginPath();
  ctx.moveTo(-w, 40);
  ctx.lineTo(w, 40);
  ctx.bezierCurveTo(w, sh.neckBaseY - 40, w + 2, sh.neckBaseY - 10, w + 16, sh.neckBaseY + 10);
  ctx.lineTo(-w - 16, sh.neckBaseY + 10);
  ctx.bezierCurveTo(-w - 2, sh.neckBaseY - 10, -w, sh.neckBaseY - 40, -w, 40);
  ctx.closePath();
  ctx.fill();
}

/** The torso silhouette (neck base, trapezius, shoulders, arms) as the current path, down to `bottomY`. */
export function shouldersPath(ctx: SKRSContext2D, sh: Shoulders, bottomY: number): void {
  const nw = sh.neckHalfWidth;
  ctx.beginPath();
  ctx.moveTo(-nw - 6, sh.neckBaseY);
  ctx.bezierCurveTo(-nw - 40, sh.neckBaseY + 12, -sh.halfWidth + 40, sh.y - 20, -sh.halfWidth + 8, sh.y + 4);
  ctx.bezierCurveTo(
    -sh.halfWidth - 14,
    sh.y + 20,
    -sh.halfWidth - 22,
    sh.y + 70,
    -sh.halfWidth - 26,
    bottomY,
  );
  ctx.lineTo(sh.halfWidth + 26, bottomY);
  ctx.bezierCurveTo(sh.halfWidth + 22, sh.y + 70, sh.halfWidth + 14, sh.y + 20, sh.halfWidth - 8, sh.y + 4);
  ctx.bezierCurveTo(sh.halfWidth - 40, sh.y - 20, nw + 40, sh.neckBaseY + 12, nw + 6, sh.neckBaseY);
  ctx.closePath();
}
