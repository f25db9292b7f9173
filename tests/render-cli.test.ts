/** `liveface render` end to end: a real WAV in, the real CLI, ffmpeg, and ffprobe on the MP4 out. */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '@liveface/engine';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'packages/server/dist/cli.js');
let dir: string;

/** A 44.1 kHz stereo WAV of syllable-like bursts (exercises resampling and downmix). */
function speechLikeWav(seconds: number): Uint8Array {
  const rate = 44_100;
  const n = rate * seconds;
  const frames = new Int16Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    if ((t * 1000) % 400 < 240)
      for (let h = 1; h <= 20; h++)
        v += Math.exp(-(((120 * h - 700) / 250) ** 2)) * Math.sin(2 * Math.PI * 120 * h * t);
    frames[2 * i] = frames[2 * i + 1] = Math.round(v * 8000);
  }
  return encodeWav(frames, rate, 2);
}

beforeAll(() => {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b'], { cwd: root });
  dir = mkdtempSync(join(tmpdir(), 'liveface-render-'));
  writeFileSync(join(dir, 'in.wav'), speechLikeWav(2));
  writeFileSync(join(dir, 'not-audio.wav'), 'this is not a wav file');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('liveface render', () => {
  it('writes an H.264 + AAC MP4 of the right length, size and frame rate', async () => {
    const out = join(dir, 'out.mp4');
    const r = await run('node', [
      cli,
      'render',
      '--audio',
      join(dir, 'in.wav'),
      '--quality',
      'low',
      '--avatar',
      '3f6c1d2a-8b4e-4c7a-9e15-6a2d0b9c4f81',
      '-o',
      out,
    ]);
    expect(r.stdout).toMatch(/Wrote .*out\.mp4/);
    expect(r.stderr).toMatch(/100%/); // the progress bar reached the end
    const probe = JSON.parse(
      (await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', out])).stdout,
    );
    const video = probe.streams.find((s: any) => s.codec_type === 'video');
    const audio = probe.streams.find((s: any) => s.codec_type === 'audio');
    expect(video.codec_name).toBe('h264');
    expect([video.width, video.height]).toEqual([640, 360]);
    expect(video.r_frame_rate).toBe('25/1');
    expect(audio.codec_name).toBe('aac');
    // 2 s of speech plus a 200 ms tail for the mouth to settle.
    expect(Number(probe.format.duration)).toBeGreaterThan(2.1);
    expect(Number(probe.format.duration)).toBeLessThan(2.4);
    // faststart: the moov atom comes before the media data.
    const bytes = readFileSync(out).toString('latin1');
    expect(bytes.indexOf('moov')).toBeGreaterThan(0);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
  }, 60_000);

  it('encodes the frames it drew faithfully (SSIM against the raw frames)', async () => {
    // The frames are deterministic, so a run whose "ffmpeg" keeps the raw I420 stream gives exactly
    // the frames the real run encoded.
    const raw = join(dir, 'frames.yuv');
    const keep = join(dir, 'keep-frames');
    writeFileSync(keep, `#!/bin/sh\ncat <&3 > /dev/null &\ncat > '${raw}'\nwait\n`);
    chmodSync(keep, 0o755);
    const args = ['render', '--audio', join(dir, 'in.wav'), '--quality', 'low'];
    await run('node', [cli, ...args, '--ffmpeg', keep, '-o', join(dir, 'unused.mp4')]);
    const out = join(dir, 'faithful.mp4');
    await run('node', [cli, ...args, '-o', out]);
    const frames = statSync(raw).size / ((640 * 360 * 3) / 2);
    const probe = await run('ffprobe', [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries'],
      ...['stream=nb_read_frames', '-of', 'csv=p=0', out],
    ]);
    expect(Number(probe.stdout.trim())).toBe(frames);
    const ssim = await run('ffmpeg', [
      ...['-hide_banner', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '640x360'],
      ...['-r', '25', '-i', raw, '-lavfi', 'ssim', '-f', 'null', '-'],
    ]);
    const all = Number(/All:([\d.]+)/.exec(ssim.stderr)?.[1]);
    // x264 at QP 16 gives ~0.996 on these frames (docs/benchmarks.md); a broken encoder setting or
    // misaligned planes would be far lower.
    expect(all).toBeGreaterThan(0.99);
  }, 60_000);

  it('uses the text-aware lip-sync when the words are given', async () => {
    const out = join(dir, 'text.mp4');
    const r = await run('node', [
      cli,
      'render',
      '--audio',
      join(dir, 'in.wav'),
      '--quality',
      'low',
      '--text',
      'papa mama baba papa mama',
      '-o',
      out,
    ]);
    expect(r.stdout).toMatch(/Wrote .*text\.mp4/);
    const probe = JSON.parse(
      (await run('ffprobe', ['-v', 'error', '-show_format', '-of', 'json', out])).stdout,
    );
    expect(Number(probe.format.duration)).toBeGreaterThan(2.1);
  }, 60_000);

  it('supports portrait at 30 fps', async () => {
    const out = join(dir, 'portrait.mp4');
    await run('node', [
      cli,
      'render',
      '--audio',
      join(dir, 'in.wav'),
      '--quality',
      'low',
      '--orientation',
      'portrait',
      '--fps',
      '30',
      '-o',
      out,
    ]);
    const probe = JSON.parse(
      (await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', out])).stdout,
    );
    const video = probe.streams.find((s: any) => s.codec_type === 'video');
    expect([video.width, video.height]).toEqual([360, 640]);
    expect(video.r_frame_rate).toBe('30/1');
  }, 60_000);

  it('explains unreadable audio, unknown avatars and a missing ffmpeg', async () => {
    const fail = async (args: string[], env: NodeJS.ProcessEnv = process.env) => {
      try {
        await run(process.execPath, [cli, 'render', ...args], { env });
      } catch (e) {
        return e as { code: number; stderr: string };
      }
      throw new Error('expected a failure');
    };
    const bad = await fail(['--audio', join(dir, 'not-audio.wav'), '-o', join(dir, 'x.mp4')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a WAV file/);
    const missing = await fail(['--audio', join(dir, 'missing.wav'), '-o', join(dir, 'x.mp4')]);
    expect(missing.stderr).toMatch(/cannot read .*ENOENT/);
    const avatar = await fail([
      '--audio',
      join(dir, 'in.wav'),
      '--avatar',
      'nobody',
      '-o',
      join(dir, 'x.mp4'),
    ]);
    expect(avatar.stderr).toMatch(/unknown avatar "nobody".*Wayne/);
    const noFfmpeg = await fail(
      ['--audio', join(dir, 'in.wav'), '--quality', 'low', '-o', join(dir, 'x.mp4')],
      { ...process.env, PATH: '/nonexistent' },
    );
    expect(noFfmpeg.stderr).toMatch(/ffmpeg not found/);
    // --ffmpeg names the binary; a wrong one is reported by the path given.
    const wrongPath = await fail([
      '--audio',
      join(dir, 'in.wav'),
      '--quality',
      'low',
      '--ffmpeg',
      '/opt/nowhere/ffmpeg',
      '-o',
      join(dir, 'x.mp4'),
    ]);
    expect(wrongPath.stderr).toMatch(/ffmpeg not found \(looked for "\/opt\/nowhere\/ffmpeg"\)/);
  }, 60_000);
});
