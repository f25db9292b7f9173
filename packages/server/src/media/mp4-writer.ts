/**
 * Writes timestamped frame pairs (raw video + PCM16 mono audio) to an MP4 (H.264 + AAC, faststart)
 * through an ffmpeg subprocess: video on stdin, audio on fd 3. Video is RGBA or, cheaper, I420: 2.7×
 * fewer bytes through the pipe and no colour conversion in ffmpeg.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

/** Options of an {@link Mp4Writer}. */
export interface Mp4WriterOptions {
  path: string;
  width: number;
  height: number;
  fps: number;
  sampleRateHz: number;
  /** ffmpeg binary; `ffmpeg` on the PATH by default. */
  ffmpegPath?: string;
  /** Layout of the frames given to `write`: `rgba` (default) or `i420` (planar YUV 4:2:0). */
  pixelFormat?: 'rgba' | 'i420';
  /** x264 preset: speed against file size; `veryfast` by default. */
  preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';
  /**
   * x264 constant quantizer (lower is better and bigger); 16 by default. A constant quantizer rather
   * than a rate factor: CRF costs x264 a complexity estimate of every frame, and on these frames
   * `-qp 16` matches `-crf 23` (SSIM 0.9961 against 0.9962 at 480p) in a smaller file for a quarter
   * less encoder CPU (docs/benchmarks.md, offline render).
   */
  qp?: number;
  /** x264 threads; 1 by default (the renderer keeps the other cores busy; more cost x264 ~15 % more CPU). */
  threads?: number;
}

/**
 * ffmpeg reads every raw frame into a fresh buffer (0.6 MB at 480p). glibc's malloc serves blocks that
 * large with their own mappings and returns them to the kernel when freed, so every frame's pages were
 * faulted in and cleared again. Raising malloc's mmap and trim thresholds for the ffmpeg process (and
 * only for it) keeps that memory for reuse: for 755 frames at 480p, 72 000 → 5 200 page faults and
 * ~0.21 → ~0.06 s of system time (docs/benchmarks.md, offline render). An operator's own GLIBC_TUNABLES win.
 */
const FFMPEG_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=16777216:glibc.malloc.trim_threshold=67108864';

/** Streams frames into ffmpeg; see the module comment. */
export class Mp4Writer {
  private stderr = '';
  private readonly exited: Promise<number | null>;
  private spawnError: Error | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly video: Writable,
    private readonly audio: Writable,
    ffmpeg: string,
  ) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.spawnError =
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? new Error(`ffmpeg not found (looked for "${ffmpeg}"); install it, e.g. apt-get install ffmpeg`)
            : err;
        resolve(null);
      });
      child.once('close', (code) => resolve(code));
    });
    // A dead ffmpeg turns writes into EPIPE; the exit code and stderr carry the real reason.
    video.on('error', () => {});
    audio.on('error', () => {});
  }

  /** Starts ffmpeg. */
  static open(o: Mp4WriterOptions): Mp4Writer {
    const ffmpeg = o.ffmpegPath ?? 'ffmpeg';
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      o.pixelFormat === 'i420' ? 'yuv420p' : 'rgba',
      '-s',
      `${o.width}x${o.height}`,
      '-r',
      String(o.fps),
      '-i',
      'pipe:0',
      // Without a tiny probe size ffmpeg waits for seconds of audio before reading video: a deadlock.
      '-f',
      's16le',
      '-ar',
      String(o.sampleRateHz),
      '-ac',
      '1',
      '-probesize',
      '32',
      '-analyzeduration',
      '0',
      // ffmpeg reads each input on its own thread into a queue (8 packets by default); a longer queue
      // lets its audio reader take each batch of audio at once rather than wake for every packet.
      '-thread_queue_size',
      '1024',
      '-i',
      'pipe:3',
      '-c:v',
      'libx264',
      '-preset',
      o.preset ?? 'veryfast',
      '-threads',
      String(o.threads ?? 1),
      '-pix_fmt',
      'yuv420p',
      '-qp',
      String(o.qp ?? 16),
      // A keyframe every 10 s, x264's own default (250 frames at 25 fps): a file to play, not a stream
      // to join. Against one every 2 s, 7 % less encoder CPU and a 14 % smaller file at 480p.
      '-g',
      String(o.fps * 10),
      // The native AAC encoder's default coder, at 48 kHz, cost as much CPU as the whole video at 480p.
      // The fast coder at the input rate (24 kHz speech: nothing above 12 kHz to keep) costs a fifth.
      '-c:a',
      'aac',
      '-aac_coder',
      'fast',
      '-b:a',
      '96k',
      '-movflags',
      '+faststart',
      '-shortest',
      o.path,
    ];
    const child = spawn(ffmpeg, args, {
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? FFMPEG_MALLOC_TUNABLES },
    });
    return new Mp4Writer(child, child.stdin!, child.stdio[3] as Writable, ffmpeg);
  }

  /**
   * Queues audio (PCM16 mono at the options' rate) for the file, ahead of the frames it goes with. It
   * never waits: waiting on both pipes is how ffmpeg pipelines deadlock. A few frames' worth at a time
   * wakes ffmpeg's audio reader once for them, not once per frame.
   */
  writeAudio(pcm: Int16Array): void {
    this.audio.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  }

  /**
   * Writes one video frame; resolves when it has gone into the pipe, so its buffer may be reused, and
   * ffmpeg can take more.
   */
  async write(video: Uint8Array): Promise<void> {
    if (this.spawnError) throw this.spawnError;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.child.off('close', done);
        resolve();
      };
      // The callback runs once the frame is in the pipe (or failed: the exit code says why).
      this.video.write(video, done);
      this.child.on('close', done);
    });
    if (this.child.exitCode !== null) throw this.failure(this.child.exitCode);
  }

  /** Finishes the file; throws with ffmpeg's message if it failed. */
  async close(): Promise<void> {
    this.audio.end();
    this.video.end();
    const code = await this.exited;
    if (this.spawnError) throw this.spawnError;
    if (code !== 0) throw this.failure(code);
  }

  /** Stops ffmpeg without finishing the file. */
  abort(): void {
    this.child.kill('SIGKILL');
  }

  private failure(code: number | null): Error {
    if (this.spawnError) return this.spawnError;
    return new Error(`ffmpeg failed (exit ${code}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}
