/**
 * Offline rendering: an audio file in, a talking-avatar MP4 out, as fast as the CPU allows. It drives the
 * same frame scheduler as live sessions; only the clock differs (a loop instead of real time).
 *
 * The main thread ticks the scheduler (lip-sync, animation: cheap) a few frames ahead and sends the
 * poses to every render worker (one slot on each) in batches; each worker claims the next frame no
 * other has taken when it is free, so they share the frames as one queue would. The workers draw into
 * a shared frame ring (media/frame-ring.ts) only the part of each frame that changed since the frame
 * before, converted to I420; the main thread takes the patches in order, copies each into its place in
 * the frame, and hands the frame to ffmpeg with its audio.
 */
import { readFile } from 'node:fs/promises';
import { WavError, decodeWavPcm16, type AvatarPose, type FrameScheduler } from '@liveface/engine';
import { FrameRing } from '../media/frame-ring.js';
import { PatchedI420 } from '../media/i420.js';
import { Mp4Writer, type Mp4WriterOptions } from '../media/mp4-writer.js';
import { RenderPool, offlineRenderWorkers, type RenderTarget, type RingFrame } from '../media/render-pool.js';

/** Reads a WAV file of any common rate and channel count as mono PCM16 at `rateHz` (the pipeline's). */
export async function readSpeechWav(path: string, rateHz: number): Promise<Int16Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new WavError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return decodeWavPcm16(bytes, rateHz);
}

/** What to render and where. */
export interface RenderJob {
  audio: Int16Array;
  outPath: string;
  /** A scheduler without a renderer (createAvatarPipeline with `renderer: null`): it yields poses. */
  scheduler: FrameScheduler;
  /** What the workers draw. */
  target: RenderTarget;
  /** Render workers to use; a pool of `workers` threads (default: offlineRenderWorkers()) is made otherwise. */
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

/**
 * Frames in the ring: enough to hide the main thread's turns (with one worker, a ring of 4 frames took
 * 7–11 % longer than one of 8; 16 were no faster), few enough to stay in cache.
 */
const ringFrames = (workers: number) => Math.max(8, 4 * workers);

/** Renders `job.audio` to an MP4. Returns the frame count and the media duration. */
export async function renderToMp4(job: RenderJob): Promise<{ frames: number; durationMs: number }> {
  const { scheduler } = job;
  const fps = scheduler.playout.fps;
  const pool = job.pool ?? new RenderPool({ size: job.workers ?? offlineRenderWorkers() });
  const slots = Array.from({ length: pool.size }, () => pool.open(job.target));
  const { width, height } = slots[0]!;
  const speechFrames = Math.ceil(job.audio.length / scheduler.playout.frameSamples);
  const frames = speechFrames + Math.round(((job.tailMs ?? 200) * fps) / 1000);
  const ring = FrameRing.create(ringFrames(slots.length), (width * height * 3) / 2);
  const frame = new PatchedI420(width, height);
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
    // Frames are ticked (lip-sync, animation) into `posed` and their audio into `pcm`, then sent to the
    // workers a ring's worth ahead of the frame being written, the same batch to every worker, so none
    // runs dry. (Dealt round-robin instead, a worker that started late or stalled held up the other: ~2 %
    // more wall time for a 30 s render, docs/benchmarks.md.) Their audio goes to the encoder a batch at a
    // time too, ahead of the frames. While the next frame is not drawn yet (the workers starting up, or
    // busy), this thread ticks further ahead: the work is the same, done while it would wait.
    const { frameSamples } = scheduler.playout;
    const pcm = new Int16Array(frames * frameSamples);
    const posed: RingFrame[] = [];
    let previous: AvatarPose | null = null;
    const tickOne = () => {
      const seq = posed.length;
      const tick = scheduler.tick();
      pcm.set(tick.audio.subarray(0, frameSamples), seq * frameSamples);
      posed.push({ seq, pose: tick.pose, previous });
      previous = tick.pose;
    };
    let sent = 0;
    const sendAhead = (w: Mp4Writer) => {
      const until = Math.min(frames, sent + ring.slots);
      while (posed.length < until) tickOne();
      const batch = posed.slice(sent, until);
      for (const s of slots) s.drawInto(ring, batch);
      w.writeAudio(pcm.subarray(sent * frameSamples, until * frameSamples));
      sent = until;
    };
    sendAhead(writer);
    for (let seq = 0; seq < frames; seq++) {
      if (sent < frames && sent - seq < ring.slots) sendAhead(writer);
      while (posed.length < frames && !ring.ready(seq)) tickOne();
      frame.paste(await ring.get(seq));
      ring.release(seq);
      await writer.write(frame.data);
      const written = seq + 1;
      if (job.onProgress && (written % fps === 0 || written === frames)) job.onProgress(written / frames);
    }
    await writer.close();
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    // Closing the slots also fails the ring, so a worker waiting for a slot stops.
    for (const s of slots) s.close();
    if (!job.pool) await pool.close();
  }
  return { frames, durationMs: (frames * 1000) / fps };
}
