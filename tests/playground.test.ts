/**
 * The playground page and the browser SDK in real headless Chromium (playwright-core) against a real
 * server: start a key-less session, watch decoded video, make the avatar speak from a WAV file chosen
 * in the page (the mouth is measured on the pixels Chromium shows), stream the fake microphone both
 * over WebRTC (voice chat) and as LITE audio ("repeat after me"), then stop and check nothing is left.
 * Also: the key-less endpoint's on/off/auto rules, and the API-key path of the page when it is off.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '@liveface/engine';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { parseConfig } from '@liveface/server';
import { playgroundKeyless } from '../packages/server/src/http/routes/playground.js';
import { mouthBox, syllables, toBase64 } from './helpers/media.js';
import { launchChromium } from './helpers/chromium.js';
import { TEST_KEY, startTestServer, type TestServer } from './helpers/server.js';

// Browser globals of the functions run in the page (page.evaluate); the tests project has no DOM
// library, and adding one would retype fetch for every other test.
declare const window: any;
declare const document: any;
declare const location: any;
declare const MediaStream: any;

const QUALITY = 'medium';
const box = mouthBox(QUALITY);
const dir = mkdtempSync(join(tmpdir(), 'liveface-playground-'));
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url);

/** PCM16 24 kHz → `factor`× the rate by repeating samples, on `channels` identical channels. */
function upsample(pcm: Int16Array, factor: number, channels: number): Int16Array {
  const out = new Int16Array(pcm.length * factor * channels);
  for (let i = 0; i < out.length; i++) out[i] = pcm[Math.floor(i / channels / factor)]!;
  return out;
}

let server: TestServer;
let browser: Browser;
const micWav = join(dir, 'mic48k.wav');
const speechWav = join(dir, 'speech-48k-stereo.wav');

beforeAll(async () => {
  // The page and the SDK's script-tag build, bundled from source (esbuild, well under a second).
  for (const pkg of ['sdk-browser', 'playground']) {
    execFileSync(process.execPath, [`packages/${pkg}/build.mjs`], { cwd: new URL('..', import.meta.url) });
  }
  // Fake microphone: looped 48 kHz mono speech-like syllables. The file to speak: 3 s, 48 kHz stereo
  // (the page decodes, mixes down and resamples it to 24 kHz mono).
  writeFileSync(micWav, encodeWav(upsample(syllables(4000), 2, 1), 48_000, 1));
  writeFileSync(speechWav, encodeWav(upsample(syllables(3000), 2, 2), 48_000, 2));
  server = await startTestServer();
  browser = await launchChromium(micWav);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the playground of `url` and records page errors. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll('#avatar option').length > 0);
  return { page, errors };
}

/** Log rows of `type` so far. */
const rows = (page: Page, type: string, source?: string) =>
  page.locator(`#log li[data-type="${type}"]${source ? `[data-source="${source}"]` : ''}`).count();

/**
 * Measures every frame the <video> presents: how many, and the fraction of dark pixels (the open
 * mouth's interior) in the mouth box — found in Node by rendering the avatar closed and wide open.
 */
async function watchMouth(page: Page): Promise<void> {
  await page.evaluate((b) => {
    const video = document.querySelector('video')!;
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    const w = window as unknown as { frames: number; mouth: number[]; size: string };
    w.frames = 0;
    w.mouth = [];
    const onFrame = () => {
      w.frames++;
      w.size = `${video.videoWidth}x${video.videoHeight}`;
      if (video.videoWidth === b.width) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        g.drawImage(video, 0, 0);
        const px = g.getImageData(b.x0, b.y0, b.x1 - b.x0 + 1, b.y1 - b.y0 + 1).data;
        let dark = 0;
        for (let i = 0; i < px.length; i += 4) {
          if (0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]! < 70) dark++;
        }
        w.mouth.push(dark / (px.length / 4));
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }, box);
}

const frames = (page: Page) => page.evaluate(() => (window as unknown as { frames: number }).frames);
const mouth = (page: Page, from = 0) =>
  page.evaluate((f) => (window as unknown as { mouth: number[] }).mouth.slice(f), from);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('playground in Chromium', () => {
  it('starts a key-less session, plays video, speaks a file and the microphone, and stops cleanly', async () => {
    const { page, errors } = await open(server.url);
    expect(await page.locator('#key-field').isHidden()).toBe(true);
    // The mouth box below is the sandbox avatar's.
    await page.locator('#avatar').selectOption(SANDBOX_AVATAR_ID);
    await page.locator(`#quality input[value="${QUALITY}"]`).check({ force: true });
    await page.locator('#voice-chat').check();
    await page.locator('#start').click();
    await page.waitForSelector('body[data-state="CONNECTED"]', { timeout: 20_000 });
    const sessionId = (await page.locator('#session-id').textContent())!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

    // Video plays: presented frames advance at the session's size.
    await watchMouth(page);
    await page.waitForFunction(() => (window as unknown as { frames: number }).frames > 10, null, {
      timeout: 15_000,
    });
    const f0 = await frames(page);
    await sleep(1000);
    expect((await frames(page)) - f0).toBeGreaterThan(8);
    expect(await page.evaluate(() => (window as unknown as { size: string }).size)).toBe('848x480');
    const silentBefore = await mouth(page);

    // A WAV chosen in the file input is decoded in the page and spoken: the mouth opens while talking.
    const talkingFrom = (await mouth(page)).length;
    await page.locator('#audio-file').setInputFiles(speechWav);
    await page.waitForSelector('#log li[data-type="avatar.speak_started"][data-source="dc"]', {
      timeout: 15_000,
    });
    // 3 s at 48 kHz stereo became 3 s of 24 kHz mono.
    expect(await page.locator('#file-hint').textContent()).toBe('3.0 s · 24 kHz mono PCM16');
    // Screenshot on a frame with the mouth open.
    await page.waitForFunction((from) => window.mouth.slice(from).at(-1) > 0.02, talkingFrom, {
      timeout: 10_000,
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('playground.png', ARTIFACTS).pathname, fullPage: true });
    await page.waitForSelector('#log li[data-type="avatar.speak_ended"][data-source="dc"]', {
      timeout: 15_000,
    });
    const talking = await mouth(page, talkingFrom);
    await sleep(800);
    const silentAfter = (await mouth(page)).slice(-8);

    expect(silentBefore.length).toBeGreaterThan(5);
    expect(Math.max(...silentBefore.slice(-10))).toBeLessThan(0.005);
    expect(Math.max(...talking)).toBeGreaterThan(0.02);
    expect(Math.max(...silentAfter)).toBeLessThan(0.005);
    // Both channels reported the utterance, and the page logged what it sent.
    expect(await rows(page, 'agent.speak_started', 'ws')).toBe(1);
    expect(await rows(page, 'agent.speak_ended', 'ws')).toBe(1);
    expect(await rows(page, 'agent.speak', 'out')).toBe(1);

    // The browser's microphone reaches the server over WebRTC (voice chat).
    await expect
      .poll(() => server.webrtc.viewers(sessionId)[0]?.micSamples ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);

    // "Repeat after me": the fake microphone streamed as LITE audio makes the avatar speak.
    await page.locator('#repeat').click();
    await expect.poll(() => rows(page, 'avatar.speak_started', 'dc'), { timeout: 15_000 }).toBe(2);
    await sleep(500);
    await page.locator('#repeat').click();
    await expect.poll(() => rows(page, 'avatar.speak_ended', 'dc'), { timeout: 15_000 }).toBe(2);

    // The readouts show live figures.
    const fpsText = (await page.locator('#stat-fps').textContent())!;
    expect(Number.parseFloat(fpsText)).toBeGreaterThan(5);
    expect(await page.locator('#stat-resolution').textContent()).toBe('848×480');
    expect(await page.locator('#stat-bitrate').textContent()).toMatch(/b\/s$/);
    expect(await page.locator('#stat-av').textContent()).toMatch(/ms$/);

    // Stop: the viewer leaves, the session ends on the server.
    await page.locator('#stop').click();
    await page.waitForSelector('body[data-state="DISCONNECTED"]', { timeout: 10_000 });
    expect(await rows(page, 'session.disconnected', 'sdk')).toBe(1);
    await expect.poll(() => server.webrtc.peerConnections, { timeout: 10_000 }).toBe(0);
    const rest = await server.api(`/v1/sessions/${sessionId}`);
    expect(rest.body.data).toMatchObject({ status: 'ended', end_reason: 'USER_CLOSED' });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('browser SDK in Chromium', () => {
  it('LiveAvatarSession: lifecycle, one speak_started/ended per utterance, interrupt, LITE rules, cleanup', async () => {
    const { page, errors } = await open(server.url);
    const s = await server.createSession({ video_settings: { quality: 'low' } });
    const r = await page.evaluate(
      async ({ token, short, long }) => {
        const L = window.Liveface;
        const session = new L.LiveAvatarSession(token, { apiUrl: location.origin });
        const events: { name: string; payload: any }[] = [];
        for (const name of [
          'session.state_changed',
          'session.stream_ready',
          'session.disconnected',
          'avatar.speak_started',
          'avatar.speak_ended',
        ]) {
          session.on(name, (p: any) =>
            events.push({ name, payload: p instanceof MediaStream ? p.getTracks().length : p }),
          );
        }
        const count = (name: string) => events.filter((e) => e.name === name).length;
        const until = (pred: () => boolean, what: string) =>
          new Promise<void>((resolve, reject) => {
            const t0 = Date.now();
            const timer = setInterval(() => {
              if (pred()) resolve(void clearInterval(timer));
              else if (Date.now() - t0 > 15_000) {
                clearInterval(timer);
                reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(events)}`));
              }
            }, 20);
          });
        const mode = session.mode;
        await session.start();
        const video = document.createElement('video');
        video.muted = true;
        document.body.append(video);
        session.attach(video);
        await until(() => video.videoWidth > 0, 'video');
        session.repeatAudio(short);
        await until(() => count('avatar.speak_ended') === 1, 'first utterance');
        session.repeatAudio(long);
        await until(() => count('avatar.speak_started') === 2, 'second utterance');
        session.interrupt();
        await until(() => count('avatar.speak_ended') === 2, 'interrupted end');
        // Late duplicates (the WebSocket and the data channel both report each utterance) would land now.
        await new Promise((w) => setTimeout(w, 500));
        let refused = '';
        try {
          session.message('hello');
        } catch (e) {
          refused = (e as Error).message;
        }
        const sessionId = session.sessionId;
        await session.stop();
        return { mode, events, refused, sessionId, size: `${video.videoWidth}x${video.videoHeight}` };
      },
      { token: s.token, short: toBase64(syllables(1000)), long: toBase64(syllables(6000)) },
    );
    expect(r.mode).toBe('LITE');
    expect(r.sessionId).toBe(s.sessionId);
    expect(r.size).toBe('640x360');
    expect(r.refused).toBe('Not permitted in LITE mode');
    const of = (name: string) => r.events.filter((e) => e.name === name).map((e) => e.payload);
    expect(of('session.state_changed')).toEqual(['CONNECTING', 'CONNECTED', 'DISCONNECTING', 'DISCONNECTED']);
    expect(of('session.stream_ready')).toEqual([2]);
    expect(of('session.disconnected')).toEqual(['CLIENT_INITIATED']);
    const started = of('avatar.speak_started');
    const ended = of('avatar.speak_ended');
    expect(started).toHaveLength(2);
    expect(ended).toHaveLength(2);
    expect(started[0].task_id).toBe(ended[0].task_id);
    expect(ended[0].interrupted).toBeUndefined();
    expect(started[1].task_id).toBe(ended[1].task_id);
    expect(ended[1]).toMatchObject({ interrupted: true, session_id: s.sessionId });
    expect(started[0].task_id).not.toBe(started[1].task_id);
    await expect.poll(() => server.webrtc.viewers(s.sessionId).length, { timeout: 10_000 }).toBe(0);
    expect((await server.api(`/v1/sessions/${s.sessionId}`)).body.data.status).toBe('ended');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('the key-less playground endpoint', () => {
  it('auto: on for local requests to a loopback server, refused when forwarded or from another origin', async () => {
    // node:http, not fetch: fetch would not send a Host other than the URL's.
    const post = (headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request(
          `${server.url}/v1/playground/session`,
          { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ quality: 'low' }));
      });
    const ok = await post();
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ session_id: expect.any(String), session_token: expect.any(String) });
    const refused: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.7' },
      { forwarded: 'for=203.0.113.7' },
      { origin: 'http://evil.example' },
      { host: 'rebound.example' },
    ];
    for (const headers of refused) {
      const r = await post(headers);
      expect(r.status, JSON.stringify(headers)).toBe(404);
      expect(r.body.data.error).toBe('not_found');
    }
    // The page comes from the same origin: allowed.
    expect((await post({ origin: server.url })).status).toBe(200);
    await server.api('/v1/sessions/stop', { body: { session_id: ok.body.data.session_id } });
  });

  it('auto resolves to off when the server is exposed or behind a proxy; on and off are explicit', () => {
    const at = (c: Record<string, unknown>) => playgroundKeyless(parseConfig(c));
    expect(at({ host: '127.0.0.1' })).toBe(true);
    expect(at({ host: 'localhost' })).toBe(true);
    expect(at({ host: '::1' })).toBe(true);
    expect(at({ host: '0.0.0.0' })).toBe(false);
    expect(at({ host: '127.0.0.1', trustProxy: true })).toBe(false);
    expect(at({ host: '127.0.0.1', publicUrl: 'https://avatar.example.com' })).toBe(false);
    expect(at({ host: '0.0.0.0', playground: 'on' })).toBe(true);
    expect(at({ host: '127.0.0.1', playground: 'off' })).toBe(false);
  });

  it('off: the endpoint is gone (404 JSON) and the page starts sessions with an API key', async () => {
    const off = await startTestServer({ playground: 'off' });
    try {
      const r = await off.api('/v1/playground/session', { key: null, body: {} });
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ code: 4040, data: { error: 'not_found' } });
      const html = await off.api('/', { key: null });
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.body).toContain('name="liveface-keyless" content="off"');

      const { page, errors } = await open(off.url);
      expect(await page.locator('#key-field').isVisible()).toBe(true);
      await page.locator('#start').click();
      await expect.poll(() => page.locator('#error').textContent()).toMatch(/API key/);
      await page.locator('#api-key').fill('lf_wrong_key_0123456789abcdef');
      await page.locator('#start').click();
      await expect.poll(() => page.locator('#error').textContent()).toMatch(/invalid_api_key/);
      await page.locator('#api-key').fill(TEST_KEY);
      await page.locator('#start').click();
      await page.waitForSelector('body[data-state="CONNECTED"]', { timeout: 20_000 });
      const sessionId = (await page.locator('#session-id').textContent())!;
      // Ended by the server (here: stopped with the API key): the page learns it and resets.
      await off.api('/v1/sessions/stop', { body: { session_id: sessionId } });
      await page.waitForSelector('body[data-state="DISCONNECTED"]', { timeout: 10_000 });
      expect(await page.locator('#stage-message').textContent()).toMatch(/server ended the session/);
      expect(await rows(page, 'session.stopped', 'dc')).toBe(1);
      await expect.poll(() => off.webrtc.peerConnections, { timeout: 10_000 }).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await off.stop();
    }
  }, 60_000);
});
