import { describe, expect, it } from 'vitest';
import { FrameRing } from './frame-ring.js';

describe('FrameRing.claim', () => {
  it('gives each frame to its first taker, and never a frame older than one its slot has given', () => {
    const ring = FrameRing.create(2, 16);
    expect(ring.claim(0)).toBe(true);
    expect(ring.claim(0)).toBe(false);
    expect(ring.claim(1)).toBe(true);
    expect(ring.claim(3)).toBe(true);
    // Slot 1 has given frame 3: frame 1 is past.
    expect(ring.claim(1)).toBe(false);
    expect(ring.claim(2)).toBe(true);
    expect(ring.claim(2)).toBe(false);
  });

  it('is shared with the other side of a postMessage', () => {
    const ring = FrameRing.create(4, 16);
    const there = FrameRing.attach(structuredClone(ring.toSpec()));
    expect(there.claim(5)).toBe(true);
    expect(ring.claim(5)).toBe(false);
    expect(ring.claim(6)).toBe(true);
    expect(there.claim(6)).toBe(false);
  });
});
