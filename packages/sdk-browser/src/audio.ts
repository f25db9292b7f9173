/**
 * Audio in the LITE wire format: raw PCM16 little-endian, 24 kHz, mono, base64 (spec §7.2). Decoding
 * uses the browser's own decoders (anything an <audio> element plays: WAV, MP3, Ogg, AAC…).
 */

/** Sample rate of LITE audio. */
export const LITE_SAMPLE_RATE_HZ = 24_000;

/**
 * Decodes an audio file to PCM16 24 kHz mono. `decodeAudioData` resamples to its context's rate, so an
 * OfflineAudioContext at 24 kHz does the resampling; channels are averaged.
 */
export async function decodeAudioToPcm24k(input: Blob | ArrayBuffer): Promise<Int16Array> {
  // decodeAudioData detaches the buffer it is given: hand it a copy.
  const bytes = input instanceof ArrayBuffer ? input.slice(0) : await input.arrayBuffer();
  const ctx = new OfflineAudioContext(1, 1, LITE_SAMPLE_RATE_HZ);
  const decoded = await ctx.decodeAudioData(bytes);
  const mono = new Float32Array(decoded.length);
  for (let c = 0; c < decoded.numberOfChannels; c++) {
    const ch = decoded.getChannelData(c);
    for (let i = 0; i < mono.length; i++) mono[i]! += ch[i]! / decoded.numberOfChannels;
  }
  return floatToPcm16(mono);
}

/** Float samples (−1…1) to PCM16, clipped. */
export function floatToPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = Math.round(v < 0 ? v * 0x8000 : v * 0x7fff);
  }
  return out;
}

/** Base64 of PCM16 samples, little-endian whatever the platform. */
export function pcm16ToBase64(pcm: Int16Array): string {
  const bytes = new Uint8Array(pcm.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i]!, true);
  let text = '';
  // String.fromCharCode takes arguments: go in slices to stay under engines' argument limits.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Options of {@link chunkPcm}. */
export interface ChunkOptions {
  /** Length of the first chunk, ms (default 500: starts speaking quickly, spec §10). */
  firstChunkMs?: number;
  /** Length of the later chunks, ms (default 1000). */
  chunkMs?: number;
}

/** Splits PCM16 24 kHz into chunks of `firstChunkMs`, then `chunkMs`. */
export function chunkPcm(pcm: Int16Array, opts: ChunkOptions = {}): Int16Array[] {
  const perMs = LITE_SAMPLE_RATE_HZ / 1000;
  let size = Math.max(1, Math.round((opts.firstChunkMs ?? 500) * perMs));
  const rest = Math.max(1, Math.round((opts.chunkMs ?? 1000) * perMs));
  const out: Int16Array[] = [];
  for (let off = 0; off < pcm.length; off += size, size = rest) out.push(pcm.subarray(off, off + size));
  return out;
}

/**
 * Decodes an audio file into base64 chunks ready for `agent.speak` (or {@link LiveAvatarSession.appendAudio}).
 */
export async function audioFileToChunks(
  input: Blob | ArrayBuffer,
  opts: ChunkOptions = {},
): Promise<string[]> {
  return chunkPcm(await decodeAudioToPcm24k(input), opts).map(pcm16ToBase64);
}
