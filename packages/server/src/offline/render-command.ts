/** `liveface render`: argument checks with clear errors, a progress bar, then renderToMp4. */
import { stat } from 'node:fs/promises';
import {
  BUILTIN_AVATARS,
  ORIENTATIONS,
  RENDER_QUALITIES,
  TextLipSync,
  WavError,
  createAvatarPipeline,
  findBuiltinAvatar,
  type Orientation,
  type RenderQuality,
} from '@liveface/engine';
import type { RenderPool } from '../media/render-pool.js';
import { readSpeechWav, renderToMp4 } from './render-file.js';

/** Raw options of the render command. */
export interface RenderArgs {
  audio: string | undefined;
  output: string | undefined;
  avatar: string | undefined;
  quality: string | undefined;
  orientation: string | undefined;
  fps: string | undefined;
  text: string | undefined;
  preset: string | undefined;
  /** The ffmpeg binary; `ffmpeg` on the PATH by default. */
  ffmpeg: string | undefined;
}

/** Where the command writes: its result and progress. */
type Io = { out: NodeJS.WritableStream; err: NodeJS.WritableStream & { isTTY?: boolean } };
/** The render workers, and when the command began (the speed it reports counts from there). */
type Run = { pool: RenderPool; started: number };

/** x264 presets offered, fastest first (file size shrinks down the list). */
const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;

/** Runs the command on `run.pool`'s render workers, and closes the pool; returns the exit code. */
export async function renderCommand(a: RenderArgs, io: Io, run: Run): Promise<number> {
  try {
    return await checkAndRender(a, io, run);
  } finally {
    await run.pool.close();
  }
}

async function checkAndRender(a: RenderArgs, io: Io, run: Run): Promise<number> {
  const fail = (msg: string) => (io.err.write(`liveface render: ${msg}\n`), 2);
  const { audio: audioPath, output: outPath } = a;
  if (!audioPath) return fail('--audio <file.wav> is required');
  if (!outPath) return fail('-o <out.mp4> is required');
  const avatarId = a.avatar ?? BUILTIN_AVATARS[0]!.id;
  if (!findBuiltinAvatar(avatarId)) {
    return fail(
      `unknown avatar "${avatarId}"; built-in avatars: ${BUILTIN_AVATARS.map((b) => `${b.id} (${b.name})`).join(', ')}`,
    );
  }
  const quality = (a.quality ?? 'medium') as RenderQuality;
  if (!RENDER_QUALITIES.includes(quality))
    return fail(`--quality must be one of ${RENDER_QUALITIES.join(', ')}`);
  const orientation = (a.orientation ?? 'landscape') as Orientation;
  if (!ORIENTATIONS.includes(orientation))
    return fail(`--orientation must be one of ${ORIENTATIONS.join(', ')}`);
  const fps = Number(a.fps ?? 25);
  if (fps !== 25 && fps !== 30) return fail('--fps must be 25 or 30');
  const preset = (a.preset ?? 'ultrafast') as (typeof PRESETS)[number];
  if (!PRESETS.includes(preset)) return fail(`--preset must be one of ${PRESETS.join(', ')}`);

  return render(
    { audioPath, outPath, avatarId, quality, orientation, fps, preset, text: a.text, ffmpeg: a.ffmpeg },
    run,
    io,
    fail,
  );
}

/** Validated options of one render. */
interface RenderOptions {
  audioPath: string;
  outPath: string;
  avatarId: string;
  quality: RenderQuality;
  orientation: Orientation;
  fps: 25 | 30;
  preset: (typeof PRESETS)[number];
  text: string | undefined;
  ffmpeg: string | undefined;
}

async function render(o: RenderOptions, run: Run, io: Io, fail: (msg: string) => number): Promise<number> {
  const { audioPath, outPath, avatarId, quality, orientation, fps, text } = o;
  // Poses only: the render workers draw the frames. With the words known, the text-aware lip-sync
  // aligns their phones on the audio (sharper closures).
  const scheduler = createAvatarPipeline({
    avatarId,
    quality,
    orientation,
    fps,
    renderer: null,
    ...(text ? { newEstimator: () => new TextLipSync({ fps, words: text }) } : {}),
  });
  let audio: Int16Array;
  try {
    await stat(audioPath);
    audio = await readSpeechWav(audioPath, scheduler.playout.sampleRateHz);
  } catch (e) {
    if (e instanceof WavError) return fail(`${audioPath}: ${e.message}`);
    return fail(`cannot read ${audioPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const bar = (p: number) => {
    const width = 30;
    const filled = Math.round(p * width);
    io.err.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(p * 100)}%`);
  };
  try {
    const r = await renderToMp4({
      audio,
      outPath,
      scheduler,
      target: { avatarId, quality, orientation },
      pool: run.pool,
      preset: o.preset,
      ...(o.ffmpeg ? { ffmpegPath: o.ffmpeg } : {}),
      onProgress: bar,
    });
    // From the command's start: reading the audio and starting the workers count.
    const wallMs = performance.now() - run.started;
    io.err.write('\n');
    io.out.write(
      `Wrote ${outPath}: ${(r.durationMs / 1000).toFixed(2)} s, ${r.frames} frames at ${fps} fps, ` +
        `rendered in ${(wallMs / 1000).toFixed(2)} s (${(r.durationMs / wallMs).toFixed(1)}× real time)\n`,
    );
    return 0;
  } catch (e) {
    io.err.write('\n');
    return fail((e as Error).message);
  }
}
