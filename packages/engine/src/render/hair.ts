/**
 * Hair that bends: hair outlines kept as point lists (parsed once from SVG path data) and re-traced
 * every frame with each point moved by the head's turn (parallax: the hairline over the forehead is
 * nearer the viewer than the hair at the temples) and by the lag of loose hair (`AvatarPose.hair`),
 * weighted from 0 at the roots to 1 at the free ends. A prebuilt Path2D cannot bend; re-tracing costs
 * one canvas call per segment and allocates nothing.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { AvatarPose } from '../types.js';

/** The hair deformation of one frame; one per renderer, rewritten per frame. */
export interface HairFrame {
  /** sin(yaw), sin(pitch) of the head. */
  yaw: number;
  pitch: number;
  /** Lag of the loosest hair ends, avatar units (`AvatarPose.hair`). */
  lagX: number;
  lagY: number;
}

/** A still frame: head straight, hair at rest. */
export function restingHair(): HairFrame {
  return { yaw: 0, pitch: 0, lagX: 0, lagY: 0 };
}

const DEG = Math.PI / 180;

/** Writes the hair deformation of `pose` into `into`. */
export function hairFrame(pose: AvatarPose, into: HairFrame): HairFrame {
  into.yaw = Math.sin(pose.head.yaw * DEG);
  into.pitch = Math.sin(pose.head.pitch * DEG);
  into.lagX = pose.hair.x;
  into.lagY = pose.hair.y;
  return into;
}

/** How loose a path's hair is: 0 at `root`, `amount` at `tip`, bending like a cantilever in between. */
export interface Looseness {
  root: readonly [x: number, y: number];
  tip: readonly [x: number, y: number];
  /** Share of the pose's lag the tip takes (1 for long free locks, less for short or springy hair). */
  amount: number;
}

/** Depth of a hair point in front of the neck axis, avatar units: how far it slides per unit of sin(yaw). */
export type DepthField = (x: number, y: number) => number;

/** Depth of hair lying on the skull over the forehead: the hairline is near, the temples are not. */
export const scalpDepth: DepthField = (x, y) => {
  const across = Math.max(0, 1 - (x / SCALP.halfWidth) ** 2);
  // Full depth on the crown and forehead, none below the temples (locks hang at the sides).
  const high = 1 - smoothstep((y - SCALP.fullAboveY) / (SCALP.noneBelowY - SCALP.fullAboveY));
  return SCALP.sideDepth + (SCALP.frontDepth - SCALP.sideDepth) * across * high;
};
/** Hairline at the forehead's middle, the sides at the temples, avatar units. */
const SCALP = { frontDepth: 30, sideDepth: 4, halfWidth: 100, fullAboveY: -40, noneBelowY: 20 } as const;

/** No parallax of its own (hair that moves with a layer's transform, e.g. behind the head). */
export const flatDepth: DepthField = () => 0;

const MOVE = 0;
const LINE = 1;
const CURVE = 2;
const CLOSE = 3;

/** A hair outline that bends; see the module comment. */
export class HairPath {
  private readonly ops: Uint8Array;
  /** x, y per point. */
  private readonly points: Float64Array;
  /** Per point: depth (parallax per sin(yaw)) and weight (share of the lag). */
  private readonly depth: Float64Array;
  private readonly weight: Float64Array;
  /** This frame's positions, x, y per point (reused every frame). */
  private readonly moved: Float64Array;

  /** `svg`: absolute M, L, C and Z commands only (the built-in avatars' hair). */
  constructor(svg: string, depth: DepthField, loose?: Looseness) {
    const ops: number[] = [];
    const pts: number[] = [];
    const tokens = svg.match(/[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)/g) ?? [];
    let cmd = '';
    for (let i = 0; i < tokens.length;) {
      const t = tokens[i]!;
      if (/[A-Za-z]/.test(t)) {
        cmd = t;
        i++;
        if (cmd === 'Z') ops.push(CLOSE);
        else if (cmd !== 'M' && cmd !== 'L' && cmd !== 'C')
          throw new Error(`unsupported path command ${cmd}`);
        continue;
      }
      const n = cmd === 'C' ? 6 : 2;
      for (let k = 0; k < n; k++) pts.push(Number(tokens[i + k]));
      i += n;
      ops.push(cmd === 'M' ? MOVE : cmd === 'L' ? LINE : CURVE);
      // Coordinates after an M continue as L (SVG rule).
      if (cmd === 'M') cmd = 'L';
    }
    this.ops = Uint8Array.from(ops);
    this.points = Float64Array.from(pts);
    const count = pts.length / 2;
    this.depth = new Float64Array(count);
    this.weight = new Float64Array(count);
    this.moved = new Float64Array(2 * count);
    for (let p = 0; p < count; p++) {
      const x = pts[2 * p]!;
      const y = pts[2 * p + 1]!;
      this.depth[p] = depth(x, y);
      this.weight[p] = loose ? looseWeight(loose, x, y) : 0;
    }
  }

  /** Makes the bent outline the current path, shifted by (dx, dy) avatar units (for a drop shadow). */
  trace(ctx: SKRSContext2D, f: HairFrame, dx = 0, dy = 0): void {
    const { ops, points: q, depth: z, weight: w, moved: m } = this;
    // Vertical parallax is half the horizontal: hair lies over the top of the skull, which a nod
    // carries forwards more than down.
    for (let p = 0; p < z.length; p++) {
      m[2 * p] = q[2 * p]! + f.yaw * z[p]! + f.lagX * w[p]! + dx;
      m[2 * p + 1] = q[2 * p + 1]! + f.pitch * z[p]! * 0.5 + f.lagY * w[p]! + dy;
    }
    ctx.beginPath();
    let k = 0;
    for (let i = 0; i < ops.length; i++) {
      switch (ops[i]) {
        case MOVE:
          ctx.moveTo(m[k]!, m[k + 1]!);
          k += 2;
          break;
        case LINE:
          ctx.lineTo(m[k]!, m[k + 1]!);
          k += 2;
          break;
        case CURVE:
          ctx.bezierCurveTo(m[k]!, m[k + 1]!, m[k + 2]!, m[k + 3]!, m[k + 4]!, m[k + 5]!);
          k += 6;
          break;
        default:
          ctx.closePath();
      }
    }
  }
}

/** Share of the lag a point takes: a cantilever's deflection along root → tip, times the amount. */
function looseWeight(l: Looseness, x: number, y: number): number {
  const ux = l.tip[0] - l.root[0];
  const uy = l.tip[1] - l.root[1];
  const t = Math.min(1, Math.max(0, ((x - l.root[0]) * ux + (y - l.root[1]) * uy) / (ux * ux + uy * uy)));
  return l.amount * ((t * t * (3 - t)) / 2);
}

function smoothstep(t: number): number {
  const u = t < 0 ? 0 : t > 1 ? 1 : t;
  return u * u * (3 - 2 * u);
}
