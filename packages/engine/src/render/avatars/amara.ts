/**
 * Amara: deep brown skin, a full rounded afro, gold hoop earrings and a mustard crew-neck sweater on
 * a soft sage plate.
 */
import type { Canvas, Path2D, SKRSContext2D } from '@napi-rs/canvas';
import { drawNeck, shouldersPath, type Shoulders } from '../body.js';
import { radialGradient } from '../gradient.js';
import { HairPath, scalpDepth } from '../hair.js';
import type { AvatarLayers, BuiltinAvatar, FaceLook } from '../look.js';
import { skia } from '../skia.js';

const HAIR = { base: '#241813', light: '#4a3328', dark: '#120c09' };
const SHOULDERS: Shoulders = { neckHalfWidth: 31, neckBaseY: 164, halfWidth: 184, y: 228 };
const BOTTOM_Y = 1200;
const AFRO = { x: 0, y: -72, radius: 150 };
/**
 * The afro is springy, not loose: it moves by this share of the hair lag (its crown would sway by about
 * twice that; its base is hidden behind the face and neck).
 */
const AFRO_SWAY = 0.15;
/** Share of the hair lag the hoop earrings swing by. */
const HOOP_SWING = 0.3;
/**
 * The afro (its gradients and ~80 curls: ~0.6 ms a 480p frame as vectors) is drawn into sprites at the
 * frame's resolution, one per sub-pixel offset (this many per axis, made on first use: 16 sprites,
 * ~4.5 MB at 480p), and blitted on whole pixels: a blend, where a blit under the head's rotation resamples every pixel through a general
 * matrix (~0.3 ms a 480p frame more; docs/benchmarks.md). So the afro follows the head's position but
 * stays upright as the head rolls (a few degrees, on a round, curly shape), and its light stays put.
 */
const SPRITE_PHASES = 4;
/** Clear margin around the afro in its sprite, avatar units: room for anti-aliasing. */
const SPRITE_MARGIN = 3;

const face: FaceLook = {
  skin: {
    light: '#ad7350',
    base: '#8c5637',
    shadow: '#6e4027',
    deep: '#472817',
    blush: 'rgba(200,70,70,0.12)',
  },
  head: { halfWidth: 83, jawHalfWidth: 61, jawY: 88, chinHalfWidth: 26, chinY: 127, topY: -136 },
  ears: { x: 80, y: 10, radiusX: 12.5, radiusY: 20 },
  eyes: {
    spacing: 35,
    y: -4,
    halfWidth: 19,
    halfHeight: 11.5,
    irisRadius: 9.8,
    iris: '#6a4026',
    irisDark: '#2b170b',
    lash: '#140b07',
    lashFlick: 0.7,
  },
  brows: { color: '#1d120c', y: -24, thickness: 6.5, arch: 5, inner: 16, outer: 23 },
  nose: { y: 38, halfWidth: 13 },
  mouth: {
    y: 73,
    halfWidth: 28,
    upperThickness: 8.5,
    lowerThickness: 11,
    upper: '#6e3530',
    lower: '#8e4c43',
    line: '#3a1b16',
  },
  background: { top: '#edf4ef', bottom: '#aecdc0', glow: 'rgba(255,255,255,0.7)', accent: '#7db59f' },
};

/** A cloud of overlapping circles around the head. */
function afroPath(): Path2D {
  const p = new (skia().Path2D)();
  p.arc(AFRO.x, AFRO.y, AFRO.radius - 28, 0, Math.PI * 2);
  const bumps = 18;
  for (let i = 0; i < bumps; i++) {
    const a = (i / bumps) * Math.PI * 2;
    // Smaller bumps at the bottom, where the hair meets the neck.
    const r = 34 + 8 * Math.sin(i * 2.3) * 0.5;
    const d = AFRO.radius - r + 6;
    const x = AFRO.x + Math.cos(a) * d;
    const y = AFRO.y + Math.sin(a) * d * 0.95;
    if (y > 40) continue;
    p.moveTo(x + r, y);
    p.arc(x, y, r, 0, Math.PI * 2);
  }
  return p;
}

/**
 * Little arcs of curl texture scattered over the afro, each a single cubic (an arc would be conics,
 * which Skia splits into quadratics on every frame it fills them).
 */
function curlsPath(): Path2D {
  const p = new (skia().Path2D)();
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const sweep = Math.PI * 1.1;
  const k = (4 / 3) * Math.tan(sweep / 4);
  for (let i = 0; i < 90; i++) {
    const a = rand() * Math.PI * 2;
    const d = Math.sqrt(rand()) * (AFRO.radius - 14);
    const x = AFRO.x + Math.cos(a) * d;
    const y = AFRO.y + Math.sin(a) * d;
    if (y > 30) continue;
    const r = 5 + rand() * 5;
    const s = rand() * Math.PI * 2;
    const e = s + sweep;
    const [x0, y0, x3, y3] = [
      x + Math.cos(s) * r,
      y + Math.sin(s) * r,
      x + Math.cos(e) * r,
      y + Math.sin(e) * r,
    ];
    p.moveTo(x0, y0);
    p.bezierCurveTo(
      x0 - Math.sin(s) * k * r,
      y0 + Math.cos(s) * k * r,
      x3 + Math.sin(e) * k * r,
      y3 - Math.cos(e) * k * r,
      x3,
      y3,
    );
  }
  return p;
}

/** The hairline over the forehead, softly scalloped. */
const FRONT_HAIR = new HairPath(
  'M -88 -4 C -96 -80 -70 -150 0 -156 C 70 -150 96 -80 88 -4 L 80 -4 C 80 -30 78 -52 70 -66 ' +
    'C 62 -74 56 -80 44 -84 C 36 -90 24 -88 14 -90 C 4 -94 -6 -92 -16 -90 C -28 -90 -38 -88 -46 -84 ' +
    'C -58 -80 -64 -74 -72 -64 C -78 -52 -80 -30 -80 -4 Z',
  scalpDepth,
);

function createLayers(ctx: SKRSContext2D, scale: number): AvatarLayers {
  // The union's outline: 19 overlapping circles would be rasterised edge by edge in every sprite.
  const afro = afroPath().simplify();
  // Stroked once into an outline: filling it in each sprite draws the same pixels without re-running the
  // stroker. Butt caps: round ones on 1.7 px lines add conics and no visible difference.
  const { StrokeCap, StrokeJoin } = skia();
  const curls = curlsPath().stroke({ width: 2, cap: StrokeCap.Butt, join: StrokeJoin.Round });
  // One light on the afro and the hairline.
  const shade = radialGradient(ctx, [-40, -130, 20, 0, -72, AFRO.radius + 20], {
    a: HAIR.light,
    t: 0.6,
    b: HAIR.base,
    c: HAIR.dark,
  });
  // The afro's box in avatar units, and the afro drawn into it, `phase / SPRITE_PHASES` px right and down.
  const [left, top, right, bottom] = afro
    .getBounds()
    .map((v, i) => v + (i < 2 ? -SPRITE_MARGIN : SPRITE_MARGIN));
  const box = { x: left!, y: top!, width: right! - left!, height: bottom! - top! };
  const sprites: Array<Canvas | undefined> = [];
  const sprite = (phaseX: number, phaseY: number): Canvas => {
    const i = phaseY * SPRITE_PHASES + phaseX;
    let made = sprites[i];
    if (!made) {
      made = skia().createCanvas(Math.ceil(box.width * scale) + 1, Math.ceil(box.height * scale) + 1);
      const sc = made.getContext('2d');
      const [dx, dy] = [phaseX / SPRITE_PHASES, phaseY / SPRITE_PHASES];
      sc.setTransform(scale, 0, 0, scale, dx - box.x * scale, dy - box.y * scale);
      sc.fillStyle = shade;
      sc.fill(afro);
      sc.globalAlpha = 0.35;
      sc.fillStyle = HAIR.light;
      sc.fill(curls);
      sprites[i] = made;
    }
    return made;
  };
  return {
    backHair(c, f) {
      // Where the afro's centre lands through the head's transform (offset, nod, roll), and its box
      // around it, upright, in SPRITE_PHASES of a pixel.
      const t = c.getTransform();
      const ax = AFRO.x + f.lagX * AFRO_SWAY;
      const ay = AFRO.y + f.lagY * AFRO_SWAY;
      const x = Math.round((t.a * ax + t.c * ay + t.e + (box.x - AFRO.x) * scale) * SPRITE_PHASES);
      const y = Math.round((t.b * ax + t.d * ay + t.f + (box.y - AFRO.y) * scale) * SPRITE_PHASES);
      const px = Math.floor(x / SPRITE_PHASES);
      const py = Math.floor(y / SPRITE_PHASES);
      c.save();
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.drawImage(sprite(x - px * SPRITE_PHASES, y - py * SPRITE_PHASES), px, py);
      c.restore();
    },
    body(c) {
      drawNeck(c, face, SHOULDERS);
      drawBody(c);
    },
    ears(c, f) {
      // Gold hoops hanging from the lobes, swinging a little behind the head.
      c.strokeStyle = '#e2b448';
      c.lineWidth = 3.2;
      const dx = f.lagX * HOOP_SWING;
      const dy = f.lagY * HOOP_SWING;
      for (let s = -1; s <= 1; s += 2) {
        c.beginPath();
        c.arc(s * (face.ears.x + 2) + dx, face.ears.y + 30 + dy, 11, 0, Math.PI * 2);
        c.stroke();
      }
    },
    frontHair(c, f) {
      c.globalAlpha = 0.25;
      c.fillStyle = face.skin.deep;
      FRONT_HAIR.trace(c, f, 2, 4);
      c.fill();
      c.globalAlpha = 1;
      c.fillStyle = shade;
      FRONT_HAIR.trace(c, f);
      c.fill();
    },
  };
}

function drawBody(c: SKRSContext2D): void {
  const nb = SHOULDERS.neckBaseY;
  const nw = SHOULDERS.neckHalfWidth;
  const knit = c.createLinearGradient(0, nb, 0, nb + 320);
  knit.addColorStop(0, '#e7ad32');
  knit.addColorStop(1, '#c98f1c');
  shouldersPath(c, SHOULDERS, BOTTOM_Y);
  c.fillStyle = knit;
  c.fill();
  // Ribbed crew collar hugging the neck.
  c.fillStyle = '#cf961f';
  c.beginPath();
  c.moveTo(-nw - 12, nb - 8);
  c.quadraticCurveTo(0, nb + 30, nw + 12, nb - 8);
  c.lineTo(nw + 2, nb - 18);
  c.quadraticCurveTo(0, nb + 12, -nw - 2, nb - 18);
  c.closePath();
  c.fill();
  c.strokeStyle = 'rgba(150,95,10,0.45)';
  c.lineWidth = 1.5;
  c.beginPath();
  for (let i = -5; i <= 5; i++) {
    const x = i * 7;
    c.moveTo(x * 1.05, nb - 10 + Math.abs(i) * -0.8 + 10 - (x * x) / 140);
    c.lineTo(x * 1.25, nb + 1 + Math.abs(i) * -0.8 + 10 - (x * x) / 140);
  }
  c.stroke();
  // Soft fold shadows where the arms meet the body.
  c.fillStyle = 'rgba(120,70,0,0.18)';
  for (const s of [-1, 1]) {
    c.beginPath();
    c.moveTo(s * (SHOULDERS.halfWidth - 28), SHOULDERS.y + 60);
    c.quadraticCurveTo(
      s * (SHOULDERS.halfWidth - 38),
      SHOULDERS.y + 200,
      s * (SHOULDERS.halfWidth - 32),
      BOTTOM_Y,
    );
    c.lineTo(s * (SHOULDERS.halfWidth - 20), BOTTOM_Y);
    c.quadraticCurveTo(
      s * (SHOULDERS.halfWidth - 26),
      SHOULDERS.y + 200,
      s * (SHOULDERS.halfWidth - 28),
      SHOULDERS.y + 60,
    );
    c.fill();
  }
}

/** A third built-in look. */
export const AMARA: BuiltinAvatar = {
  id: 'b51e8f07-2c94-4d3b-8a6f-0e7c3d59a2b4',
  name: 'Amara',
  description: 'Deep brown skin, a full rounded afro, gold hoops, mustard sweater, sage background.',
  face,
  headExtent: { left: -160, top: -225, right: 160, bottom: 133 },
  createLayers,
};
