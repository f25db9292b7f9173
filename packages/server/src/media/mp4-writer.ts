/**
 * Writes timestamped frame pairs (RGBA video + PCM16 mono audio) to an MP4 (H.264 + AAC, faststart)
 * through an ffmpeg subprocess: video on stdin, audio on fd 3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { LivefaceError } from '../errors.js';

/** Options of an {@link Mp4Writer}. */
export interface Mp4WriterOptions {
  path: string;
  width: number;
  height: number;
  fps: number;
  sampleRateHz: number;
  /** ffmpeg binary; `ffmpeg` on the PATH by default. */
  ffmpegPath?: string;
  /** x264 preset: speed against file size. */
  preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';
}

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
      'rgba',
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
      '-i',
      'pipe:3',
      '-c:v',
      'libx264',
      '-preset',
      o.preset ?? 'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-crf',
      '23',
      '-g',
      String(o.fps * 2),
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-ar',
      '48000',
      '-movflags',
      '+faststart',
      '-shortest',
      o.path,
    ];
    const child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    return new Mp4Writer(child, child.stdin!, child.stdio[3] as Writable, ffmpeg);
  }

  /** Writes one frame pair; resolves when ffmpeg can take more video. */
  async write(rgba: Uint8Array, pcm: Int16Array): Promise<void> {
    if (this.spawnError) throw this.spawnError;
    // Audio is small: never wait on its pipe (waiting on both pipes is how ffmpeg pipelines deadlock).
    this.audio.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    if (!this.video.write(rgba)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.video.off('drain', done);
          this.child.off('close', done);
          resolve();
        };
        this.video.on('drain', done);
        this.child.on('close', done);
      });
    }
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
    return new LivefaceError(
      'internal_error',
      `ffmpeg failed (exit ${code}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}
