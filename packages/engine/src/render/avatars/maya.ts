/**
 * Maya: long wavy auburn hair with side-swept bangs and locks falling over the shoulders, green eyes,
 * a teal scoop-neck top with a small gold pendant, on a warm peach plate.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { drawNeck, shouldersPath, type Shoulders } from '../body.js';
import { verticalStrip } from '../gradient.js';
import { flatDepth, HairPath, scalpDepth, type Looseness } from '../hair.js';
import type { AvatarLayers, BuiltinAvatar, FaceLook } from '../look.js';

const HAIR = { base: '#8d4024', light: '#b8663e', dark: '#5a2513' };
const SHOULDERS: Shoulders = { neckHalfWidth: 30, neckBaseY: 162, halfWidth: 180, y: 226 };
const BOTTOM_Y = 1200;

const face: FaceLook = {
  skin: {
    light: '#fde4d3',
    base: '#f2c6aa',
    shadow: '#dca284',
    deep: '#b4735a',
    blush: 'rgba(240,96,120,0.16)',
  },
  head: { halfWidth: 81, jawHalfWidth: 58, jawY: 88, chinHalfWidth: 23, chinY: 126, topY: -136 },
  ears: { x: 78, y: 10, radiusX: 12, radiusY: 20 },
  eyes: {
    spacing: 34,
    y: -4,
    halfWidth: 19,
    halfHeight: 11.5,
    irisRadius: 9.6,
    iris: '#4e8d69',
    irisDark: '#21452f',
    lash: '#221612',
    lashFlick: 1,
  },
  brows: { color: '#6e3a25', y: -24, thickness: 5.5, arch: 6, inner: 15, outer: 23 },
  nose: { y: 36, halfWidth: 9.5 },
  mouth: {
    y: 70,
    halfWidth: 26,
    upperThickness: 7.5,
    lowerThickness: 10,
    upper: '#c45a64',
    lower: '#d6707b',
    line: '#8a3640',
  },
  background: { top: '#fcf1e8', bottom: '#ebc8b2', glow: 'rgba(255,250,245,0.8)', accent: '#e8a58b' },
};

/** Long hair hangs free from about ear level; its ends, over the shoulders, take the whole lag. */
const LOCKS: Looseness = { root: [0, -40], tip: [0, 300], amount: 1 };

/** The mass of hair behind the head and shoulders, wavy at the ends. */
const BACK_HAIR = new HairPath(
  'M 0 -164 C 72 -164 114 -120 118 -50 C 122 20 112 80 128 150 C 140 210 134 262 112 300 ' +
    'C 96 312 70 304 56 292 L -56 292 C -70 304 -96 312 -112 300 C -134 262 -140 210 -128 150 ' +
    'C -112 80 -122 20 -118 -50 C -114 -120 -72 -164 0 -164 Z',
  flatDepth,
  { ...LOCKS, amount: 0.9 },
);
/** Crown, side-swept bangs (parted on her left) and two locks falling in front of the shoulders. */
const FRONT_HAIR = new HairPath(
  'M 70 -40 C 62 -70 46 -88 30 -94 C 0 -82 -40 -64 -70 -32 C -80 -10 -84 30 -86 60 ' +
    'C -88 120 -80 180 -68 240 C -64 262 -72 282 -90 294 C -112 282 -124 242 -122 200 ' +
    'C -120 140 -108 60 -104 0 C -102 -80 -88 -140 -40 -160 C 0 -176 60 -168 90 -140 ' +
    'C 110 -110 110 -60 104 0 C 102 60 112 140 116 200 C 118 242 108 282 88 294 ' +
    'C 72 282 66 262 70 240 C 78 180 86 120 86 60 C 86 20 80 -10 70 -40 Z',
  scalpDepth,
  LOCKS,
);
/** Lighter strands following the waves. */
const STRANDS = new HairPath(
  'M 26 -150 C -20 -140 -58 -110 -74 -56 C -50 -100 -16 -128 26 -150 Z ' +
    'M 60 -150 C 20 -136 -20 -100 -40 -70 C -10 -100 24 -126 60 -150 Z ' +
    'M -96 20 C -98 80 -90 140 -84 200 C -96 150 -104 90 -96 20 Z ' +
    'M 98 30 C 100 90 104 150 100 220 C 110 160 108 90 98 30 Z ' +
    'M -104 220 C -108 250 -100 272 -92 284 C -110 270 -114 246 -104 220 Z',
  scalpDepth,
  LOCKS,
);

function createLayers(ctx: SKRSContext2D): AvatarLayers {
  const hair = verticalStrip(ctx, -170, 300, [
    [0, HAIR.light],
    [0.35, HAIR.base],
    [1, HAIR.dark],
  ]);
  return {
    backHair(c, f) {
      c.fillStyle = HAIR.dark;
      BACK_HAIR.trace(c, f);
      c.fill();
    },
    body(c) {
      drawNeck(c, face, SHOULDERS);
      drawBody(c);
    },
    frontHair(c, f) {
      c.globalAlpha = 0.22;
      c.fillStyle = face.skin.deep;
      FRONT_HAIR.trace(c, f, 3, 5);
      c.fill();
      c.globalAlpha = 1;
      FRONT_HAIR.trace(c, f);
      hair.fill(c);
      c.globalAlpha = 0.55;
      c.fillStyle = HAIR.light;
      STRANDS.trace(c, f);
      c.fill();
      c.globalAlpha = 1;
    },
  };
}

function drawBody(c: SKRSContext2D): void {
  const nb = SHOULDERS.neckBaseY;
  const nw = SHOULDERS.neckHalfWidth;
  const top = c.createLinearGradient(0, nb, 0, nb + 320);
  top.addColorStop(0, '#2a8590');
  top.addColorStop(1, '#1c6570');
  shouldersPath(c, SHOULDERS, BOTTOM_Y);
  c.fillStyle = top;
  c.fill();
  // Scoop neckline: the upper chest in skin, shaded under the collarbones.
  const chest = c.createLinearGradient(0, nb, 0, nb + 70);
  chest.addColorStop(0, face.skin.shadow);
  chest.addColorStop(1, face.skin.base);
  c.fillStyle = chest;
  c.beginPath();
  c.moveTo(-nw - 34, nb + 6);
  c.bezierCurveTo(-nw - 26, nb + 70, nw + 26, nb + 70, nw + 34, nb + 6);
  c.quadraticCurveTo(nw + 10, nb - 4, nw, nb - 10);
  c.lineTo(-nw, nb - 10);
  c.quadraticCurveTo(-nw - 10, nb - 4, -nw - 34, nb + 6);
  c.closePath();
  c.fill();
  c.strokeStyle = '#176069';
  c.lineWidth = 4;
  c.beginPath();
  c.moveTo(-nw - 34, nb + 6);
  c.bezierCurveTo(-nw - 26, nb + 70, nw + 26, nb + 70, nw + 34, nb + 6);
  c.stroke();
  // Collarbones, faint.
  c.strokeStyle = face.skin.shadow;
  c.lineWidth = 2;
  c.beginPath();
  c.moveTo(-nw - 20, nb + 14);
  c.quadraticCurveTo(-18, nb + 20, -8, nb + 24);
  c.moveTo(nw + 20, nb + 14);
  c.quadraticCurveTo(18, nb + 20, 8, nb + 24);
  c.stroke();
  // A fine chain and a small gold pendant.
  c.strokeStyle = '#d9a84a';
  c.lineWidth = 1.5;
  c.beginPath();
  c.moveTo(-nw + 2, nb - 14);
  c.quadraticCurveTo(0, nb + 46, nw - 2, nb - 14);
  c.stroke();
  c.fillStyle = '#e8bc5a';
  c.beginPath();
  c.arc(0, nb + 32, 4.5, 0, Math.PI * 2);
  c.fill();
}

/** A second built-in look. */
export const MAYA: BuiltinAvatar = {
  id: '3f6c1d2a-8b4e-4c7a-9e15-6a2d0b9c4f81',
  name: 'Maya',
  description: 'Long wavy auburn hair, green eyes, teal scoop-neck top, warm peach background.',
  face,
  headExtent: { left: -139, top: -173, right: 138, bottom: 310 },
  createLayers,
};
