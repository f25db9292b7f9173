/**
 * Renders an avatar pack: the base, then (in head space, rotated about the neck) the head layer, two
 * mouth drawings cross-faded by how close the mouth parameters are to each class, and closed eyes faded
 * in by the blink amount. Layers are pre-scaled once to the output size, so a frame is a few image draws.
 */
import type { Image, SKRSContext2D, Canvas } from '@napi-rs/canvas';
import type { AvatarPose, VisemeClass } from '../types.js';
import { nearestVisemes } from '../visemes.js';
import { PackError, packFiles, type PackManifest } from './manifest.js';
import { skia } from '../render/skia.js';

/** A pack loaded for one output size. */
export interface PackRenderer {
  readonly width: number;
  readonly height: number;
  readonly manifest: PackManifest;
  /** Draws a pose; returns RGBA bytes (the same buffer is reused by the next call). */
  render(pose: AvatarPose): Uint8Array;
}

/** Loads a pack's PNGs (given as bytes by file name) and prepares it for `width`×`height` frames. */
export async function createPackRenderer(
  manifest: PackManifest,
  files: ReadonlyMap<string, Uint8Array>,
  size: { width: number; height: number },
): Promise<PackRenderer> {
  const images = new Map<string, Image>();
  for (const name of packFiles(manifest)) {
    const bytes = files.get(name);
    if (!bytes) throw new PackError(`avatar pack "${manifest.name}": missing layer file ${name}`);
    let img: Image;
    try {
      img = await skia().loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      throw new PackError(
        `avatar pack "${manifest.name}": ${name} is not a readable PNG (${(e as Error).message})`,
      );
    }
    if (img.width !== manifest.width || img.height !== manifest.height) {
      throw new PackError(
        `avatar pack "${manifest.name}": ${name} is ${img.width}×${img.height}, expected ${manifest.width}×${manifest.height} like every layer`,
      );
    }
    images.set(name, img);
  }
  return new LayeredRenderer(manifest, images, size.width, size.height);
}

class LayeredRenderer implements PackRenderer {
  private readonly canvas: Canvas;
  private readonly ctx: SKRSContext2D;
  private readonly scale: number;
  private readonly offsetX: number;
  private readonly offsetY: number;
  /** Layers pre-scaled to output pixels. */
  private readonly layer = new Map<string, Canvas>();

  constructor(
    readonly manifest: PackManifest,
    images: Map<string, Image>,
    readonly width: number,
    readonly height: number,
  ) {
    this.canvas = skia().createCanvas(width, height);
    this.ctx = this.canvas.getContext('2d');
    const sx = width / manifest.width;
    const sy = height / manifest.height;
    this.scale = manifest.fit === 'cover' ? Math.max(sx, sy) : Math.min(sx, sy);
    this.offsetX = (width - manifest.width * this.scale) / 2;
    this.offsetY = (height - manifest.height * this.scale) / 2;
    const w = Math.ceil(manifest.width * this.scale);
    const h = Math.ceil(manifest.height * this.scale);
    for (const [name, img] of images) {
      const c = skia().createCanvas(w, h);
      c.getContext('2d').drawImage(img, 0, 0, w, h);
      this.layer.set(name, c);
    }
  }

  render(pose: AvatarPose): Uint8Array {
    const { ctx, manifest: m } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = m.backgroundColor;
    ctx.fillRect(0, 0, this.width, this.height);

    // Breathing lifts the whole figure by up to 0.4 % of the frame height.
    const lift = -pose.breath * 0.004 * this.height;
    ctx.translate(this.offsetX, this.offsetY + lift);
    this.draw(m.layers.base, 1);

    // Head space: rotate about the neck, nod with pitch, follow the head offset.
    const [px, py] = m.headPivot.map((v) => v * this.scale) as [number, number];
    ctx.translate(
      px + pose.headOffset.x * this.height,
      py + pose.headOffset.y * this.height + pose.head.pitch * 0.002 * this.height,
    );
    ctx.rotate((pose.head.roll * Math.PI) / 180);
    ctx.translate(-px + pose.head.yaw * 0.002 * this.height, -py);
    if (m.layers.head) this.draw(m.layers.head, 1);
    const { a, b, mix } = nearestVisemes(pose.mouth);
    this.drawMouth(a, 1);
    if (mix > 0.02 && m.layers.mouth[b] !== m.layers.mouth[a]) this.drawMouth(b, mix);
    const blink = (pose.eyeClose.left + pose.eyeClose.right) / 2;
    if (m.layers.eyesClosed && blink > 0.02) this.draw(m.layers.eyesClosed, Math.min(1, blink));

    const data = this.canvas.data();
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  private drawMouth(c: VisemeClass, alpha: number): void {
    this.draw(this.manifest.layers.mouth[c], alpha);
  }

  private draw(name: string, alpha: number): void {
    const c = this.layer.get(name);
    if (!c) return;
    this.ctx.globalAlpha = alpha;
    this.ctx.drawImage(c, 0, 0);
    this.ctx.globalAlpha = 1;
  }
}
