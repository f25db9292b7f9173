/**
 * Offline rendering: an audio file in, a talking-avatar MP4 out, as fast as the CPU allows. It drives the
 * same frame scheduler as live sessions; only the clock differs (a loop instead of real time).
 */
import { readFile } from 'node:fs/promises';
import { WavError, decodeWav, downmix, floatToPcm16, resample, type FrameScheduler } from '@liveface/engine';
import { LITE_AUDIO_SAMPLE_RATE_HZ } from '@liveface/protocol';
import { Mp4Writer } from '../media/mp4-writer.js';

/** Reads a WAV file of any common rate and channel count as 24 kHz mono PCM16. */
export async function readSpeechWav(path: string): Promise<Int16Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new WavError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const wav = decodeWav(bytes);
  return floatToPcm16(resample(downmix(wav.channels), wav.sampleRateHz, LITE_AUDIO_SAMPLE_RATE_HZ));
}

/** What to render and where. */
export interface RenderJob {
  audio: Int16Array;
  outPath: string;
  /** A scheduler with a renderer (see createAvatarPipeline). */
  scheduler: FrameScheduler;
  ffmpegPath?: string;
  /** Called with 0..1 as frames are written. */
  onProgress?: (done: number) => void;
  /** Silent frames after the speech so the mouth settles, ms. */
  tailMs?: number;
}

/** Renders `job.audio` to an MP4. Returns the frame count, the media duration and the wall time spent. */
export async function renderToMp4(
  job: RenderJob,
): Promise<{ frames: number; durationMs: number; wallMs: number }> {
  const started = performance.now();
  const { scheduler } = job;
  const size = scheduler.videoSize;
  if (!size) throw new Error('renderToMp4 needs a scheduler with a renderer');
  const fps = scheduler.playout.fps;
  // The whole file is one utterance, appended at once like a client bursting a clip.
  scheduler.append(job.audio, null);
  scheduler.commit();
  const speechFrames = Math.ceil(job.audio.length / scheduler.playout.frameSamples);
  const frames = speechFrames + Math.round(((job.tailMs ?? 200) * fps) / 1000);
  const writer = Mp4Writer.open({
    path: job.outPath,
    width: size.width,
    height: size.height,
    fps,
    sampleRateHz: scheduler.playout.sampleRateHz,
    ...(job.ffmpegPath ? { ffmpegPath: job.ffmpegPath } : {}),
  });
  try {
    for (let i = 0; i < frames; i++) {
      const f = scheduler.tick();
      await writer.write(f.video!, f.audio);
      if (job.onProgress && (i % fps === 0 || i === frames - 1)) job.onProgress((i + 1) / frames);
    }
    await writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
  return { frames, durationMs: (frames * 1000) / fps, wallMs: performance.now() - started };
}
