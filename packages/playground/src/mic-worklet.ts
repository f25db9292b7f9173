/**
 * Audio worklet of "repeat after me": mixes the microphone to mono, resamples it to 24 kHz (linear
 * interpolation; speech has little energy above the 12 kHz Nyquist limit) and posts PCM16 chunks of
 * `chunkMs` with their RMS level to the page.
 */

// The AudioWorkletGlobalScope is not in TypeScript's DOM library.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: unknown);
}

export {};

const TARGET_RATE_HZ = 24_000;

class MicProcessor extends AudioWorkletProcessor {
  private readonly step = sampleRate / TARGET_RATE_HZ;
  private readonly chunk: Int16Array;
  private filled = 0;
  private sumSquares = 0;
  /** Read position in the current block, where −1 is the previous block's last sample. */
  private pos = 0;
  private prev = 0;

  constructor(options: { processorOptions?: { chunkMs?: number } }) {
    super(options);
    const chunkMs = options.processorOptions?.chunkMs ?? 200;
    this.chunk = new Int16Array(Math.round((TARGET_RATE_HZ * chunkMs) / 1000));
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    const first = channels?.[0];
    if (!channels || !first) return true;
    const n = first.length;
    const mono = new Float32Array(n);
    for (const ch of channels) for (let i = 0; i < n; i++) mono[i]! += ch[i]! / channels.length;
    const at = (i: number) => (i < 0 ? this.prev : mono[i]!);
    for (; this.pos < n - 1; this.pos += this.step) {
      const i = Math.floor(this.pos);
      const frac = this.pos - i;
      this.push(at(i) * (1 - frac) + at(i + 1) * frac);
    }
    this.pos -= n;
    this.prev = mono[n - 1]!;
    return true;
  }

  private push(v: number): void {
    const s = Math.max(-1, Math.min(1, v));
    this.sumSquares += s * s;
    this.chunk[this.filled++] = Math.round(s < 0 ? s * 0x8000 : s * 0x7fff);
    if (this.filled < this.chunk.length) return;
    const pcm = this.chunk.slice();
    this.port.postMessage({ pcm, rms: Math.sqrt(this.sumSquares / pcm.length) }, [pcm.buffer]);
    this.filled = 0;
    this.sumSquares = 0;
  }
}

registerProcessor('liveface-mic', MicProcessor);
