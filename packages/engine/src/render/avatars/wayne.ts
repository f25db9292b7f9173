/**
 * Wayne, the sandbox avatar: short brown hair with a side part, navy blazer over an open-collar light
 * blue shirt, on a cool blue-grey plate.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { drawNeck, shouldersPath, type Shoulders } from '../body.js';
import { verticalStrip } from '../gradient.js';
import { HairPath, scalpDepth } from '../hair.js';
import type { AvatarLayers, BuiltinAvatar, FaceLook } from '../look.js';
import { skia } from '../skia.js';

const HAIR = { base: '#4a3325', light: '#6e4d36', dark: '#2e1f17' };
const SHOULDERS: Shoulders = { neckHalfWidth: 36, neckBaseY: 162, halfWidth: 196, y: 224 };
const BOTTOM_Y = 1200;

const face: FaceLook = {
  skin: {
    light: '#f8d9c2',
    base: '#ebbb98',
    shadow: '#d29a77',
    deep: '#a4684c',
    blush: 'rgba(235,95,115,0.15)',
  },
  head: { halfWidth: 85, jawHalfWidth: 65, jawY: 88, chinHalfWidth: 29, chinY: 128, topY: -138 },
  ears: { x: 82, y: 8, radiusX: 13, radiusY: 22 },
  eyes: {
    spacing: 35,
    y: -6,
    halfWidth: 18,
    halfHeight: 10.5,
    irisRadius: 9,
    iris: '#7a5536',
    irisDark: '#3b2414',
    lash: '#2a1c15',
    lashFlick: 0,
  },
  brows: { color: '#4a3325', y: -22, thickness: 7.5, arch: 3.5, inner: 17, outer: 23 },
  nose: { y: 38, halfWidth: 11 },
  mouth: {
    y: 72,
    halfWidth: 28,
    upperThickness: 6,
    lowerThickness: 8.5,
    upper: '#c27f69',
    lower: '#d5927c',
    line: '#7f4536',
  },
  background: { top: '#eef2f7', bottom: '#b8c7d9', glow: 'rgba(255,255,255,0.75)', accent: '#8aa4c6' },
};

/** Short hair shows little from the back: just the nape behind the ears. */
const BACK_HAIR = 'M -82 -20 L 82 -20 L 80 26 L -80 26 Z';
const FRONT_HAIR = new HairPath(
  'M -83 -6 L -88 -36 C -97 -78 -90 -124 -62 -148 C -36 -168 12 -172 48 -162 C 84 -150 100 -120 96 -82 ' +
    'C 95 -62 92 -46 88 -30 L 85 -6 L 81 -6 L 80 -42 C 66 -66 30 -80 -8 -86 ' +
    'C -24 -88 -36 -88 -44 -86 C -58 -76 -72 -62 -79 -46 L -80 -6 Z',
  scalpDepth,
);
/** Lighter strands sweeping from the part up and over to the right; their ends stir a little. */
const HAIR_SWEEP = new HairPath(
  'M -36 -90 C -26 -128 22 -152 84 -128 C 40 -140 -4 -126 -24 -92 Z ' +
    'M -14 -88 C 0 -114 40 -126 90 -104 C 50 -112 16 -106 -2 -87 Z ' +
    'M -50 -100 C -48 -140 -8 -166 40 -162 C 0 -156 -30 -138 -42 -102 Z',
  scalpDepth,
  { root: [-40, -95], tip: [90, -115], amount: 0.25 },
);
/** The part: a thin dark wedge on the left. */
const HAIR_PART = new HairPath(
  'M -42 -86 C -48 -108 -56 -128 -68 -144 C -56 -130 -48 -110 -46 -86 Z',
  scalpDepth,
);

function createLayers(ctx: SKRSContext2D): AvatarLayers {
  const backHair = new (skia().Path2D)(BACK_HAIR);
  const hair = verticalStrip(ctx, -170, 0, [
    [0, HAIR.light],
    [0.5, HAIR.base],
    [1, HAIR.dark],
  ]);
  return {
    backHair(c) {
      c.fillStyle = HAIR.dark;
      c.fill(backHair);
    },
    body(c) {
      drawNeck(c, face, SHOULDERS);
      drawBody(c);
    },
    frontHair(c, f) {
      // The hair's shadow on the forehead first.
      c.globalAlpha = 0.2;
      c.fillStyle = face.skin.deep;
      FRONT_HAIR.trace(c, f, 2, 5);
      c.fill();
      c.globalAlpha = 1;
      FRONT_HAIR.trace(c, f);
      hair.fill(c);
      c.fillStyle = HAIR.light;
      c.globalAlpha = 0.7;
      HAIR_SWEEP.trace(c, f);
      c.fill();
      c.globalAlpha = 1;
      c.fillStyle = HAIR.dark;
      HAIR_PART.trace(c, f);
      c.fill();
    },
  };
}

function drawBody(c: SKRSContext2D): void {
  const nw = SHOULDERS.neckHalfWidth;
  const nb = SHOULDERS.neckBaseY;
  // Shirt under everything.
  shouldersPath(c, SHOULDERS, BOTTOM_Y);
  c.fillStyle = '#dfe9f6';
  c.fill();
  // Open collar: the neck's V opening in the shirt.
  c.fillStyle = face.skin.shadow;
  c.beginPath();
  c.moveTo(-nw + 2, nb - 20);
  c.quadraticCurveTo(0, nb + 10, nw - 2, nb - 20);
  c.lineTo(8, nb + 50);
  c.quadraticCurveTo(0, nb + 56, -8, nb + 50);
  c.closePath();
  c.fill();
  // Blazer: two panels leaving a V of shirt.
  const blazer = c.createLinearGradient(0, nb, 0, nb + 300);
  blazer.addColorStop(0, '#34496b');
  blazer.addColorStop(1, '#243552');
  c.fillStyle = blazer;
  for (const s of [-1, 1]) {
    c.beginPath();
    c.moveTo(s * (nw + 8), nb - 4);
    c.bezierCurveTo(
      s * (nw + 40),
      nb + 10,
      s * (SHOULDERS.halfWidth - 40),
      SHOULDERS.y - 22,
      s * (SHOULDERS.halfWidth - 6),
      SHOULDERS.y + 2,
    );
    c.bezierCurveTo(
      s * (SHOULDERS.halfWidth + 16),
      SHOULDERS.y + 20,
      s * (SHOULDERS.halfWidth + 24),
      SHOULDERS.y + 70,
      s * (SHOULDERS.halfWidth + 28),
      BOTTOM_Y,
    );
    c.lineTo(s * 4, BOTTOM_Y);
    c.lineTo(s * 4, nb + 150);
    c.lineTo(s * (nw - 4), nb + 6);
    c.closePath();
    c.fill();
  }
  // Lapels, a shade lighter, with a notch.
  c.fillStyle = '#3f5780';
  for (const s of [-1, 1]) {
    c.beginPath();
    c.moveTo(s * (nw - 2), nb + 2);
    c.lineTo(s * 5, nb + 150);
    c.lineTo(s * 26, nb + 112);
    c.lineTo(s * 52, nb + 52);
    c.lineTo(s * 46, nb + 30);
    c.lineTo(s * (nw + 14), nb - 2);
    c.closePath();
    c.fill();
  }
  // Shirt collar wings over the lapels.
  c.fillStyle = '#f2f6fb';
  for (const s of [-1, 1]) {
    c.beginPath();
    c.moveTo(s * (nw - 4), nb - 34);
    c.quadraticCurveTo(s * (nw + 10), nb - 20, s * (nw + 16), nb - 2);
    c.lineTo(s * 12, nb + 44);
    c.quadraticCurveTo(s * 16, nb + 10, s * (nw - 6), nb - 24);
    c.closePath();
    c.fill();
  }
  c.strokeStyle = 'rgba(60,80,110,0.35)';
  c.lineWidth = 2;
  c.beginPath();
  c.moveTo(-4, nb + 150);
  c.lineTo(-4, BOTTOM_Y);
  c.stroke();
  // A soft shadow where the arms meet the torso.
  c.fillStyle = 'rgba(10,20,40,0.18)';
  for (const s of [-1, 1]) {
    c.beginPath();
    c.moveTo(s * (SHOULDERS.halfWidth - 30), SHOULDERS.y + 60);
    c.quadraticCurveTo(
      s * (SHOULDERS.halfWidth - 40),
      SHOULDERS.y + 200,
      s * (SHOULDERS.halfWidth - 34),
      BOTTOM_Y,
    );
    c.lineTo(s * (SHOULDERS.halfWidth - 22), BOTTOM_Y);
    c.quadraticCurveTo(
      s * (SHOULDERS.halfWidth - 28),
      SHOULDERS.y + 200,
      s * (SHOULDERS.halfWidth - 30),
      SHOULDERS.y + 60,
    );
    c.fill();
  }
}

/** The sandbox avatar. */
export const WAYNE: BuiltinAvatar = {
  id: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
  name: 'Wayne',
  description: 'Short brown hair, navy blazer over a light blue shirt, cool blue-grey background.',
  face,
  headExtent: { left: -100, top: -172, right: 103, bottom: 134 },
  createLayers,
};
