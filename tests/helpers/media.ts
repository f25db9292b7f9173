/**
 * Media helpers for transport tests: a speech-like test signal, and a measure of how open the avatar's
 * mouth is in a received I420 frame (dark mouth interior inside the mouth box, found by rendering the
 * avatar with the mouth closed and wide open and diffing).
 */
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { createRenderer, restPose, type RenderQuality } from '@liveface/engine';
import type { ReceivedFrame } from './viewer.js';

const RATE = 24_000;

/** Vowel-like PCM16 24 kHz: a 120 Hz voice with energy near 700 and 1200 Hz, in 240 ms syllables. */
export function syllables(totalMs: number, onMs = 240, offMs = 160): Int16Array {
  const n = Math.round((totalMs * RATE) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    if (((i * 1000) / RATE) % (onMs + offMs) >= onMs) continue;
    let v = 0;
    for (let h = 1; h <= 20; h++) {
      const f = 120 * h;
      const gain = Math.exp(-(((f - 700) / 250) ** 2)) + 0.6 * Math.exp(-(((f - 1200) / 300) ** 2)) + 0.05;
      v += gain * Math.sin((2 * Math.PI * f * i) / RATE);
    }
    out[i] = Math.round(v * 6000);
  }
  return out;
}

/** Base64 of PCM16 samples. */
export const toBase64 = (pcm: Int16Array): string =>
  Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');

/** The mouth box of an avatar at a quality: pixels that change between a closed and a wide-open mouth. */
export function mouthBox(
  quality: RenderQuality = 'medium',
  avatarId = SANDBOX_AVATAR_ID,
): { x0: number; x1: number; y0: number; y1: number; width: number } {
  const r = createRenderer({ avatarId, quality });
  const luma = (rgba: Uint8Array) => {
    const y = new Float32Array(r.width * r.height);
    for (let i = 0; i < y.length; i++)
      y[i] = 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
    return y;
  };
  const closed = luma(r.render(restPose()).slice());
  const pose = restPose();
  pose.mouth = { ...pose.mouth, jawOpen: 1 };
  const open = luma(r.render(pose));
  const box = { x0: r.width, x1: 0, y0: r.height, y1: 0, width: r.width };
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      if (Math.abs(closed[y * r.width + x]! - open[y * r.width + x]!) <= 30) continue;
      box.x0 = Math.min(box.x0, x);
      box.x1 = Math.max(box.x1, x);
      box.y0 = Math.min(box.y0, y);
      box.y1 = Math.max(box.y1, y);
    }
  }
  // Room for head motion.
  return { ...box, x0: box.x0 - 6, x1: box.x1 + 6, y0: box.y0 - 6, y1: box.y1 + 6 };
}

/** Fraction of dark pixels (the open mouth's interior) in the mouth box of an I420 frame: 0 when closed. */
export function mouthOpenness(frame: ReceivedFrame, box: ReturnType<typeof mouthBox>): number {
  let dark = 0;
  let n = 0;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      n++;
      if (frame.data[y * frame.width + x]! < 70) dark++;
    }
  }
  return dark / n;
}

/** RMS of PCM16 samples, 0..1. */
export function rms(samples: Int16Array): number {
  let s = 0;
  for (const v of samples) s += v * v;
  return samples.length ? Math.sqrt(s / samples.length) / 32768 : 0;
}
