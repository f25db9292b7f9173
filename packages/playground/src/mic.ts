/**
 * "Repeat after me": the microphone as LITE audio. An audio worklet turns it into PCM16 24 kHz chunks
 * (200 ms) that the page sends as `agent.speak` while the button is held on; stopping sends
 * `agent.speak_end`. Uses the session's own microphone track when voice chat is on, else asks for one.
 */

/** Length of each chunk sent, ms: short enough to follow the voice, long enough not to flood the socket. */
const CHUNK_MS = 200;

/** A running microphone capture. */
export class MicCapture {
  private constructor(
    private readonly ctx: AudioContext,
    private readonly ownStream: MediaStream | null,
  ) {}

  /**
   * Starts capturing `track` (or a new microphone if null); `onChunk` receives PCM16 24 kHz mono and
   * its RMS level (0…1).
   */
  static async start(
    track: MediaStreamTrack | null,
    onChunk: (pcm: Int16Array, rms: number) => void,
  ): Promise<MicCapture> {
    const own = track
      ? null
      : await navigator.mediaDevices.getUserMedia({
          audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        });
    const stream = own ?? new MediaStream([track!]);
    const ctx = new AudioContext();
    try {
      await ctx.audioWorklet.addModule('/mic-worklet.js');
      const source = ctx.createMediaStreamSource(stream);
      const node = new AudioWorkletNode(ctx, 'liveface-mic', { processorOptions: { chunkMs: CHUNK_MS } });
      node.port.onmessage = (e: MessageEvent<{ pcm: Int16Array; rms: number }>) =>
        onChunk(e.data.pcm, e.data.rms);
      // A muted path to the destination keeps the graph pulling the worklet in every browser.
      const mute = ctx.createGain();
      mute.gain.value = 0;
      source.connect(node).connect(mute).connect(ctx.destination);
      await ctx.resume();
    } catch (err) {
      void ctx.close();
      own?.getTracks().forEach((t) => t.stop());
      throw err;
    }
    return new MicCapture(ctx, own);
  }

  /** Stops capturing (a track borrowed from the session keeps running). */
  async stop(): Promise<void> {
    this.ownStream?.getTracks().forEach((t) => t.stop());
    await this.ctx.close();
  }
}
