import { describe, expect, it } from 'vitest';
import { HairMotion } from '../animation/hair.js';
import { Rng } from '../animation/random.js';
import { restPose, type AvatarPose } from '../types.js';
import { VISEME_TEMPLATES } from '../visemes.js';
import { BUILTIN_AVATARS, findBuiltinAvatar } from './catalog.js';
import type { BuiltinAvatar } from './look.js';
import { createRenderer, RenderError, type AvatarRenderer, type FramePatch } from './renderer.js';
import { frameSize, framing, ORIENTATIONS, RENDER_QUALITIES } from './sizes.js';

/** A pixel rectangle given in avatar units around the head centre. */
interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function toPixels(r: AvatarRenderer, b: Box): Box {
  const f = framing(r.width, r.height);
  const px = (u: number) => Math.round(f.originX + u * f.scale);
  const py = (u: number) => Math.round(f.originY + u * f.scale);
  return { x0: px(b.x0), y0: py(b.y0), x1: px(b.x1), y1: py(b.y1) };
}

/** Mean absolute difference per channel (0..255) inside `b`, alpha ignored. */
function meanAbsDiff(r: AvatarRenderer, a: Uint8Array, c: Uint8Array, b?: Box): number {
  const p = b ? toPixels(r, b) : { x0: 0, y0: 0, x1: r.width, y1: r.height };
  let sum = 0;
  let n = 0;
  for (let y = p.y0; y < p.y1; y++) {
    for (let x = p.x0; x < p.x1; x++) {
      const i = (y * r.width + x) * 4;
      sum += Math.abs(a[i]! - c[i]!) + Math.abs(a[i + 1]! - c[i + 1]!) + Math.abs(a[i + 2]! - c[i + 2]!);
      n += 3;
    }
  }
  return sum / n;
}

function luma(px: Uint8Array, i: number): number {
  return 0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!;
}

/**
 * Inside `b`: the fraction of near-white (sclera) pixels and the x centroid (avatar units) of the
 * dark ones (iris, pupil).
 */
function regionStats(r: AvatarRenderer, px: Uint8Array, b: Box): { bright: number; darkX: number } {
  const p = toPixels(r, b);
  const f = framing(r.width, r.height);
  let n = 0;
  let bright = 0;
  let dx = 0;
  let dn = 0;
  for (let y = p.y0; y < p.y1; y++) {
    for (let x = p.x0; x < p.x1; x++) {
      const i = (y * r.width + x) * 4;
      const l = luma(px, i);
      n++;
      if (l > 200 && Math.abs(px[i]! - px[i + 2]!) < 40) bright++;
      if (l < 60) {
        dx += (x - f.originX) / f.scale;
        dn++;
      }
    }
  }
  return { bright: bright / n, darkX: dn ? dx / dn : NaN };
}

/**
 * Where the face's outline crosses the rows around `yUnits` (±3 units), pixels: scanning out from the
 * face's middle, the first sharp colour step (skin against hair or background) on each side, averaged
 * over the rows.
 */
function faceEdges(r: AvatarRenderer, px: Uint8Array, yUnits: number): { left: number; right: number } {
  const f = framing(r.width, r.height);
  const step = (x: number, y: number, dx: number) => {
    const i = (y * r.width + x) * 4;
    const j = i + dx * 8;
    return Math.abs(px[i]! - px[j]!) + Math.abs(px[i + 1]! - px[j + 1]!) + Math.abs(px[i + 2]! - px[j + 2]!);
  };
  let left = 0;
  let right = 0;
  let n = 0;
  for (let y = Math.round(f.originY + (yUnits - 3) * f.scale); y <= f.originY + (yUnits + 3) * f.scale; y++) {
    let l = Math.round(f.originX);
    while (step(l, y, -1) < 60) l--;
    let rr = Math.round(f.originX);
    while (step(rr, y, 1) < 60) rr++;
    left += l - 1;
    right += rr + 1;
    n++;
  }
  return { left: left / n, right: right / n };
}

/** x of the middle of the mouth, pixels: the centroid of what changes between a closed and an open mouth. */
function mouthX(r: AvatarRenderer, closed: Uint8Array, open: Uint8Array, a: BuiltinAvatar): number {
  const m = a.face.mouth;
  const p = toPixels(r, { x0: -m.halfWidth - 40, y0: m.y - 14, x1: m.halfWidth + 40, y1: m.y + 20 });
  let sum = 0;
  let n = 0;
  for (let y = p.y0; y < p.y1; y++) {
    for (let x = p.x0; x < p.x1; x++) {
      const i = (y * r.width + x) * 4;
      const d = Math.abs(closed[i]! - open[i]!) + Math.abs(closed[i + 1]! - open[i + 1]!);
      sum += d * x;
      n += d;
    }
  }
  return sum / n;
}

function pose(edit: (p: AvatarPose) => void): AvatarPose {
  const p = restPose();
  edit(p);
  return p;
}

const mouthBox = (a: BuiltinAvatar): Box => ({
  x0: -a.face.mouth.halfWidth * 1.4,
  y0: a.face.mouth.y - 14,
  x1: a.face.mouth.halfWidth * 1.4,
  y1: a.face.mouth.y + 44,
});
/** The eye on the image's right (the subject's left), just the almond. */
const eyeBox = (a: BuiltinAvatar): Box => ({
  x0: a.face.eyes.spacing - a.face.eyes.halfWidth * 0.9,
  y0: a.face.eyes.y - a.face.eyes.halfHeight * 0.8,
  x1: a.face.eyes.spacing + a.face.eyes.halfWidth * 0.9,
  y1: a.face.eyes.y + a.face.eyes.halfHeight * 0.7,
});

const mirror = (b: Box): Box => ({ x0: -b.x1, y0: b.y0, x1: -b.x0, y1: b.y1 });

// One 360p renderer per avatar serves the behavioural checks; rendering returns a fresh buffer each
// call, but copy anyway so the checks do not depend on that.
const renderers = BUILTIN_AVATARS.map((a) => ({ a, r: createRenderer({ avatarId: a.id, quality: 'low' }) }));
const shot = (r: AvatarRenderer, p: AvatarPose) => Uint8Array.from(r.render(p));

describe('built-in avatar renderer', () => {
  it('has at least three avatars, the sandbox avatar first, with unique ids and names', () => {
    expect(BUILTIN_AVATARS.length).toBeGreaterThanOrEqual(3);
    expect(BUILTIN_AVATARS[0]!.id).toBe('dd73ea75-1218-4ef3-92ce-606d5f7fbc0a');
    expect(BUILTIN_AVATARS[0]!.name).toBe('Wayne');
    expect(new Set(BUILTIN_AVATARS.map((a) => a.id)).size).toBe(BUILTIN_AVATARS.length);
    expect(new Set(BUILTIN_AVATARS.map((a) => a.name)).size).toBe(BUILTIN_AVATARS.length);
    for (const a of BUILTIN_AVATARS) expect(findBuiltinAvatar(a.id)).toBe(a);
  });

  it('rejects an unknown avatar and unusable sizes', () => {
    expect(() => createRenderer({ avatarId: 'nope', quality: 'low' })).toThrow(RenderError);
    expect(() => createRenderer({ avatarId: BUILTIN_AVATARS[0]!.id, width: 0, height: 10 })).toThrow(
      RenderError,
    );
  });

  it('maps qualities and orientations to even frame sizes', () => {
    expect(frameSize('low')).toEqual({ width: 640, height: 360 });
    expect(frameSize('medium')).toEqual({ width: 848, height: 480 });
    expect(frameSize('high', 'portrait')).toEqual({ width: 720, height: 1280 });
    expect(frameSize('very_high', 'square')).toEqual({ width: 1080, height: 1080 });
  });

  it.each(renderers)('$a.name: opens the mouth with jawOpen, continuously', ({ a, r }) => {
    const closed = shot(r, restPose());
    const open = shot(
      r,
      pose((p) => (p.mouth = { ...VISEME_TEMPLATES.AA })),
    );
    const wide = meanAbsDiff(r, closed, open, mouthBox(a));
    expect(wide).toBeGreaterThan(12);
    // Nothing else moves: the rest of the frame barely changes.
    expect(meanAbsDiff(r, closed, open)).toBeLessThan(wide / 10);
    // A small parameter step is a small picture step: the mouth tweens, it never pops.
    const half = shot(
      r,
      pose((p) => (p.mouth.jawOpen = 0.5)),
    );
    const halfPlus = shot(
      r,
      pose((p) => (p.mouth.jawOpen = 0.52)),
    );
    expect(meanAbsDiff(r, half, halfPlus, mouthBox(a))).toBeLessThan(wide / 8);
  });

  it.each(renderers)('$a.name: a blink covers the eye with the lid', ({ a, r }) => {
    const open = shot(r, restPose());
    const shut = shot(
      r,
      pose((p) => (p.eyeClose = { left: 1, right: 1 })),
    );
    const o = regionStats(r, open, eyeBox(a));
    const c = regionStats(r, shut, eyeBox(a));
    // The white of the eye vanishes under the skin-coloured lid (only the lash line stays dark).
    expect(o.bright).toBeGreaterThan(0.08);
    expect(c.bright).toBeLessThan(o.bright * 0.2);
    expect(meanAbsDiff(r, open, shut, eyeBox(a))).toBeGreaterThan(15);
    // Each eye closes on its own: the subject's left eye is on the image's right.
    const wink = shot(
      r,
      pose((p) => (p.eyeClose = { left: 1, right: 0 })),
    );
    expect(regionStats(r, wink, eyeBox(a)).bright).toBeLessThan(o.bright * 0.2);
    expect(meanAbsDiff(r, open, wink, mirror(eyeBox(a)))).toBeLessThan(1);
  });

  it.each(renderers)('$a.name: the irises follow the gaze', ({ a, r }) => {
    const left = regionStats(
      r,
      shot(
        r,
        pose((p) => (p.gaze = { x: -1, y: 0 })),
      ),
      eyeBox(a),
    );
    const right = regionStats(
      r,
      shot(
        r,
        pose((p) => (p.gaze = { x: 1, y: 0 })),
      ),
      eyeBox(a),
    );
    expect(right.darkX - left.darkX).toBeGreaterThan(a.face.eyes.halfWidth * 0.25);
  });

  it.each(renderers)('$a.name: head roll and breathing move the figure', ({ r }) => {
    const rest = shot(r, restPose());
    expect(
      meanAbsDiff(
        r,
        rest,
        shot(
          r,
          pose((p) => (p.head.roll = 6)),
        ),
      ),
    ).toBeGreaterThan(1);
    expect(
      meanAbsDiff(
        r,
        rest,
        shot(
          r,
          pose((p) => (p.breath = 1)),
        ),
      ),
    ).toBeGreaterThan(0.05);
  });

  it.each(BUILTIN_AVATARS)(
    '$name: a head turn reshapes the face: near cheek wider, far cheek narrower',
    (a) => {
      const r = createRenderer({ avatarId: a.id, quality: 'high' });
      // The features' position: the middle of the mouth, found as what changes when it opens.
      const look = (yaw: number) => {
        const px = shot(
          r,
          pose((p) => (p.head.yaw = yaw)),
        );
        const open = shot(
          r,
          pose((p) => {
            p.head.yaw = yaw;
            p.mouth = { ...VISEME_TEMPLATES.AA };
          }),
        );
        return { ...faceEdges(r, px, a.face.nose.y + 18), features: mouthX(r, px, open, a) };
      };
      const rest = look(0);
      expect(rest.right - rest.left).toBeGreaterThan(100);
      for (const side of [1, -1]) {
        // Turning towards `side` (image right for +1): that side of the face turns away (far), the
        // other comes towards the viewer (near).
        const t = look(15 * side);
        const near = side > 0 ? 'left' : 'right';
        const far = side > 0 ? 'right' : 'left';
        const moved = (k: 'left' | 'right' | 'features') => (t[k] - rest[k]) * side;
        // Everything slides towards the turn, the features most; the outline changes shape: its far
        // contour slides further than its near one (a pure slide would move both alike).
        expect(moved(near)).toBeGreaterThan(1);
        expect(moved(far) - moved(near)).toBeGreaterThan(1.5);
        expect(moved('features')).toBeGreaterThan(moved(far) + 2);
        const cheek = (l: typeof t, k: 'left' | 'right') => Math.abs(l.features - l[k]);
        expect(cheek(t, near) - cheek(rest, near)).toBeGreaterThan(3);
        expect(cheek(t, far) - cheek(rest, far)).toBeLessThan(-2);
      }
    },
  );

  it.each(renderers)('$a.name: pose.hair bends the loose hair, never the face', ({ a, r }) => {
    const rest = shot(r, restPose());
    const blown = shot(
      r,
      pose((p) => (p.hair = { x: 10, y: -4 })),
    );
    const face: Box = { x0: -55, y0: a.face.eyes.y - 25, x1: 55, y1: a.face.mouth.y + 20 };
    // Every avatar has something loose (Wayne's swept strands stir least; exact zero would mean none).
    expect(meanAbsDiff(r, rest, blown)).toBeGreaterThan(0);
    expect(meanAbsDiff(r, rest, blown, face)).toBe(0);
  });

  it('long hair: the ends swing with pose.hair, the crown stays on the head', () => {
    const { r } = renderers.find(({ a }) => a.name === 'Maya')!;
    const rest = shot(r, restPose());
    const blown = shot(
      r,
      pose((p) => (p.hair = { x: 10, y: 0 })),
    );
    const ends: Box = { x0: -140, y0: 200, x1: 140, y1: 300 };
    const crown: Box = { x0: -100, y0: -170, x1: 100, y1: -90 };
    expect(meanAbsDiff(r, rest, blown, ends)).toBeGreaterThan(3);
    expect(meanAbsDiff(r, rest, blown, crown)).toBeLessThan(0.05);
  });

  it('long hair trails a head roll, then settles on the head (HairMotion driving the renderer)', () => {
    const { r } = renderers.find(({ a }) => a.name === 'Maya')!;
    const ends: Box = { x0: -140, y0: 200, x1: 140, y1: 300 };
    const hair = new HairMotion();
    const still = { yaw: 0, pitch: 0, brow: 0, offsetX: 0, offsetY: 0 };
    // Roll 5° over 200 ms from frame 10, then hold; compare each frame with the same head and rigid hair.
    const trail: number[] = [];
    for (let i = 0; i < 110; i++) {
      const u = Math.min(1, Math.max(0, (i - 10) / 5));
      const roll = 5 * u * u * (3 - 2 * u);
      const lag = hair.update({ ...still, roll }, i === 0 ? 0 : 40);
      if (i % 3 !== 0 && i < 100) continue;
      const rigid = pose((p) => (p.head.roll = roll));
      const loose = pose((p) => {
        p.head.roll = roll;
        p.hair = lag;
      });
      trail[i] = meanAbsDiff(r, shot(r, rigid), shot(r, loose), ends);
    }
    expect(trail[0]).toBe(0);
    expect(Math.max(...trail.slice(12, 30).filter((d) => d !== undefined))).toBeGreaterThan(0.5);
    // Settled three seconds after the move.
    for (const d of trail.slice(100)) expect(d).toBeLessThan(0.02);
  });

  it('draws visibly different avatars', () => {
    const shots = renderers.map(({ r }) => shot(r, restPose()));
    for (let i = 0; i < shots.length; i++) {
      for (let j = i + 1; j < shots.length; j++) {
        expect(meanAbsDiff(renderers[0]!.r, shots[i]!, shots[j]!)).toBeGreaterThan(10);
      }
    }
  });

  it('is deterministic: the same pose gives the same pixels, across renderers too', () => {
    const p = pose((q) => {
      q.mouth = { ...VISEME_TEMPLATES.E };
      q.head = { yaw: 7, pitch: -3, roll: 4 };
      q.gaze = { x: 0.3, y: -0.2 };
      q.eyeClose = { left: 0.3, right: 0.2 };
      q.breath = 0.6;
      q.hair = { x: 3, y: -1.5 };
    });
    for (const { a, r } of renderers) {
      const first = shot(r, p);
      shot(r, restPose());
      expect(Buffer.compare(first, shot(r, p))).toBe(0);
      const other = createRenderer({ avatarId: a.id, quality: 'low' });
      expect(Buffer.compare(first, shot(other, p))).toBe(0);
    }
  });

  it('renders every avatar at every quality and orientation', () => {
    const talking = pose((p) => (p.mouth = { ...VISEME_TEMPLATES.E }));
    for (const a of BUILTIN_AVATARS) {
      for (const quality of RENDER_QUALITIES) {
        for (const orientation of ORIENTATIONS) {
          const r = createRenderer({ avatarId: a.id, quality, orientation });
          const { width, height } = frameSize(quality, orientation);
          expect([r.width, r.height]).toEqual([width, height]);
          const px = r.render(talking);
          expect(px.length).toBe(width * height * 4);
          // Not a flat image: luma spreads widely, and the frame is opaque.
          let min = 255;
          let max = 0;
          for (let i = 0; i < px.length; i += 4 * 97) {
            const l = luma(px, i);
            if (l < min) min = l;
            if (l > max) max = l;
            expect(px[i + 3]).toBe(255);
          }
          expect(max - min).toBeGreaterThan(100);
        }
      }
    }
  });

  describe('patches (renderPatch)', () => {
    /**
     * Whatever the head draws must stay in its box. Rest and one motion at its extreme, in turn (so the
     * box has no slack from other motions), for each motion the box allows for; then poses jumping
     * between the extremes of all of them at once.
     */
    function testPoses(seed: number): AvatarPose[] {
      const single: Array<(p: AvatarPose, sign: number) => void> = [
        (p, s) => (p.head = { yaw: 20 * s, pitch: 0, roll: 0 }),
        (p, s) => (p.head = { yaw: 0, pitch: 15 * s, roll: 0 }),
        (p, s) => (p.head = { yaw: 0, pitch: 0, roll: 10 * s }),
        (p, s) => (p.hair = { x: 25 * s, y: 0 }),
        (p, s) => (p.hair = { x: 0, y: 25 * s }),
        (p) => (p.mouth = { ...VISEME_TEMPLATES.AA, jawOpen: 1 }),
      ];
      const poses = single.flatMap((edit) =>
        [1, -1].flatMap((sign) => [restPose(), pose((p) => edit(p, sign))]),
      );
      const rng = new Rng(seed);
      const shapes = Object.values(VISEME_TEMPLATES);
      for (let i = 0; i < 12; i++) {
        poses.push(
          pose((p) => {
            p.mouth = { ...shapes[Math.floor(rng.next() * shapes.length)]!, jawOpen: rng.next() };
            p.head = { yaw: rng.range(-20, 20), pitch: rng.range(-15, 15), roll: rng.range(-10, 10) };
            p.headOffset = { x: rng.range(-0.04, 0.04), y: rng.range(-0.04, 0.04) };
            p.hair = { x: rng.range(-25, 25), y: rng.range(-25, 25) };
            p.breath = rng.next();
            p.smile = rng.next();
            p.browRaise = rng.range(-1, 1);
            p.gaze = { x: rng.range(-1, 1), y: rng.range(-1, 1) };
            p.eyeClose = { left: rng.next(), right: rng.next() };
          }),
        );
      }
      return poses;
    }

    function paste(frame: Uint8Array, width: number, { rect, pixels }: FramePatch): void {
      for (let y = 0; y < rect.height; y++) {
        const row = pixels.subarray(y * rect.width * 4, (y + 1) * rect.width * 4);
        frame.set(row, ((rect.y + y) * width + rect.x) * 4);
      }
    }

    it('pasted over the frame before, drawn by either of two renderers, give every frame exactly', () => {
      for (const a of BUILTIN_AVATARS) {
        // (At 720p the allowances for turn, nod and hair lag are each needed: without one, frames differ.)
        for (const [quality, orientation] of [
          ['high', 'landscape'],
          ['low', 'portrait'],
        ] as const) {
          // Two renderers taking turns, as two render workers do.
          const pair = [0, 1].map(() => createRenderer({ avatarId: a.id, quality, orientation }));
          const reference = createRenderer({ avatarId: a.id, quality, orientation });
          const { width, height } = reference;
          const frame = new Uint8Array(width * height * 4);
          let previous: AvatarPose | null = null;
          testPoses(a.name.length).forEach((p, i) => {
            const patch = pair[i % 2]!.renderPatch(p, previous);
            const { x, y, width: w, height: h } = patch.rect;
            expect([x % 2, y % 2, w % 2, h % 2, x + w <= width, y + h <= height]).toEqual([
              0,
              0,
              0,
              0,
              true,
              true,
            ]);
            paste(frame, width, patch);
            expect(
              Buffer.compare(frame, reference.render(p)),
              `${a.name} ${quality} ${orientation} frame ${i}`,
            ).toBe(0);
            previous = p;
          });
        }
      }
    });

    it('covers the head alone while only the face moves, and the body too when the breath lifts it', () => {
      for (const { a } of renderers) {
        const r = createRenderer({ avatarId: a.id, quality: 'medium' });
        const talking = pose((p) => (p.mouth = { ...VISEME_TEMPLATES.AA }));
        const whole = r.renderPatch(restPose(), null).rect;
        expect(whole).toEqual({ x: 0, y: 0, width: r.width, height: r.height });
        const face = r.renderPatch(talking, restPose()).rect;
        // A tenth to a quarter of the frame, clear of the bottom edge for the short-haired avatars.
        expect((face.width * face.height) / (r.width * r.height)).toBeLessThan(0.3);
        const lifted = r.renderPatch(
          pose((p) => (p.breath = 1)),
          talking,
        ).rect;
        expect(lifted.y + lifted.height).toBe(r.height);
        expect(lifted.width * lifted.height).toBeGreaterThan(face.width * face.height);
      }
    });
  });
});
