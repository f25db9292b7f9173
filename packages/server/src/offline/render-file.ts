/**
 * Offline rendering: an audio file in, a talking-avatar MP4 out, as fast as the CPU allows. It drives the
 * same frame scheduler as live sessions; only the clock differs (a loop instead of real time).
 *
 * The main thread ticks the scheduler (lip-sync, animation: cheap) and sends each pose to the render
 * workers, round-robin over one slot per worker, keeping a bounded window of frames in flight. Frames
 * come back as I420 into a small ring of buffers and go to ffmpeg in order, with their audio.
 */
import { readFile } from 'node:fs/promises';
import { WavError, decodeWav, downmix, floatToPcm16, resample, type FrameScheduler } from '@liveface/engine';
import { Mp4Writer, type Mp4WriterOptions } from '../media/mp4-writer.js';
import { RenderPool, type I420Frame, type RenderTarget } from '../media/render-pool.js';

/** Reads a WAV file of any common rate and channel count as mono PCM16 at `rateHz` (the pipeline's). */
export async function readSpeechWav(path: string, rateHz: number): Promise<Int16Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new WavError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const wav = decodeWav(bytes);
  return floatToPcm16(resample(downmix(wav.channels), wav.sampleRateHz, rateHz));
}

/** What to render and where. */
export interface RenderJob {
  audio: Int16Array;
  outPath: string;
  /** A scheduler without a renderer (createAvatarPipeline with `renderer: null`): it yields poses. */
  scheduler: FrameScheduler;
  /** What the workers draw. */
  target: RenderTarget;
  /** Render workers to use; a pool of `workers` threads (default: one per core) is made otherwise. */
  pool?: RenderPool;
  workers?: number;
  ffmpegPath?: string;
  /**
   * x264 preset; `ultrafast` by default: at 480p half the encoder CPU of `veryfast` (the whole 2-core
   * budget at 20× real time is 4 ms a frame) for a larger file at the same quality (docs/benchmarks.md).
   */
  preset?: Mp4WriterOptions['preset'];
  /** Called with 0..1 as frames are written. */
  onProgress?: (done: number) => void;
  /** Silent frames after the speech so the mouth settles, ms. */
  tailMs?: number;
}

/** Frames in flight per worker: enough to hide a message round trip, few enough to stay in cache. */
const FRAMES_IN_FLIGHT_PER_WORKER = 3;
/** Renders `job.audio` to an MP4. Returns the frame count and the media duration. */
export async function renderToMp4(job: RenderJob): Promise<{ frames: number; durationMs: number }> {
  const { scheduler } = job;
  const fps = scheduler.playout.fps;
  const pool = job.pool ?? new RenderPool(job.workers ? { size: job.workers } : {});
  const slots = Array.from({ length: pool.size }, () => pool.open(job.target));
  const { width, height } = slots[0]!;
  const speechFrames = Math.ceil(job.audio.length / scheduler.playout.frameSamples);
  const frames = speechFrames + Math.round(((job.tailMs ?? 200) * fps) / 1000);
  const window = FRAMES_IN_FLIGHT_PER_WORKER * slots.length;
  // A frame's buffer is reused `ring` frames later; by then it has been written (window < ring).
  const ring = Array.from({ length: window + 1 }, () => new Uint8Array((width * height * 3) / 2));
  const inFlight: Array<{ video: Promise<I420Frame>; audio: Int16Array }> = [];
  let writer: Mp4Writer | null = null;
  try {
    writer = Mp4Writer.open({
      path: job.outPath,
      width,
      height,
      fps,
      sampleRateHz: scheduler.playout.sampleRateHz,
      pixelFormat: 'i420',
      preset: job.preset ?? 'ultrafast',
      ...(job.ffmpegPath ? { ffmpegPath: job.ffmpegPath } : {}),
    });
    // The whole file is one utterance, appended at once like a client bursting a clip; lip-sync runs
    // tick by tick just ahead of the frames (the scheduler's job), so it overlaps the drawing.
    scheduler.append(job.audio, null);
    scheduler.commit();
    let written = 0;
    const writeOldest = async (w: Mp4Writer) => {
      const next = inFlight.shift()!;
      await w.write((await next.video).data, next.audio);
      written++;
      if (job.onProgress && (written % fps === 0 || written === frames)) job.onProgress(written / frames);
    };
    for (let i = 0; i < frames; i++) {
      const tick = scheduler.tick();
      const video = slots[i % slots.length]!.render(tick.pose, ring[i % ring.length]);
      // Settled in order by writeOldest; until then a failure must not count as unhandled.
      video.catch(() => {});
      inFlight.push({ video, audio: tick.audio });
      if (inFlight.length >= window) await writeOldest(writer);
    }
    while (inFlight.length > 0) await writeOldest(writer);
    await writer.close();
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    for (const s of slots) s.close();
    if (!job.pool) await pool.close();
  }
  return { frames, durationMs: (frames * 1000) / fps };
}
