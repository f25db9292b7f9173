import { describe, expect, it } from 'vitest';
import { checkPcm16, pcm16FromBytes, pcm16ToBytes, rms } from './pcm.js';

describe('pcm16', () => {
  it('round-trips little-endian bytes, including from an unaligned offset', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    const bytes = pcm16ToBytes(samples);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 1, 0]);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(pcm16FromBytes(shifted.subarray(1))).toEqual(samples);
  });

  it('flags empty and odd byte counts', () => {
    expect(checkPcm16(new Uint8Array(0))).toBe('empty');
    expect(checkPcm16(new Uint8Array(3))).toBe('odd_byte_count');
    expect(checkPcm16(new Uint8Array(4))).toBeNull();
  });

  it('measures rms relative to full scale', () => {
    expect(rms(new Int16Array(100))).toBe(0);
    expect(rms(Int16Array.from({ length: 100 }, () => 16384))).toBeCloseTo(0.5, 5);
  });
});
