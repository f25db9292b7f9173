// @ts-check
/**
 * A visual frame stamp: the bench's server host writes a 16-bit sequence number into the top-left
 * corner of each I420 frame just before it goes to the VP8 encoder, and the viewer reads it back from
 * the decoded frame, so every received frame can be matched to the server tick that drew it. Each bit
 * is a 16×16 luma block (black or white), with a second row holding the complement as a check;
 * VP8 at the avatar's bitrate keeps such blocks intact. The stamp is far from the mouth box.
 */

const BLOCK = 16;
const BITS = 16;
const LO = 16;
const HI = 235;

/**
 * Writes `seq` (mod 2^16) into the Y plane of an I420 frame, in place.
 * @param {Uint8Array} y420 I420 data (Y plane first)
 * @param {number} width
 * @param {number} seq
 */
export function writeStamp(y420, width, seq) {
  for (let b = 0; b < BITS; b++) {
    const one = ((seq >> b) & 1) === 1;
    for (let row = 0; row < 2; row++) {
      const v = one !== (row === 1) ? HI : LO;
      for (let y = row * BLOCK; y < (row + 1) * BLOCK; y++)
        y420.fill(v, y * width + b * BLOCK, y * width + (b + 1) * BLOCK);
    }
  }
}

/**
 * Reads the stamp of a decoded I420 frame; null if it does not check out.
 * @param {Uint8Array} y420
 * @param {number} width
 * @returns {number | null}
 */
export function readStamp(y420, width) {
  let seq = 0;
  for (let b = 0; b < BITS; b++) {
    const [bit, check] = [0, 1].map((row) => {
      // Mean of the block's central 8×8, away from ringing at the edges.
      let s = 0;
      for (let y = row * BLOCK + 4; y < row * BLOCK + 12; y++)
        for (let x = b * BLOCK + 4; x < b * BLOCK + 12; x++) s += y420[y * width + x] ?? 0;
      return s / 64 > (LO + HI) / 2;
    });
    if (bit === check) return null;
    if (bit) seq |= 1 << b;
  }
  return seq;
}
