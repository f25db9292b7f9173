/**
 * FULL mode in headless Chromium: the browser SDK (script-tag build) starts a FULL session with its
 * microphone (`voiceChat`), Chromium plays a WAV as that microphone (an espeak-ng question, then
 * silence, looped), and the server hears it: VAD → STT (a local server speaking OpenAI's
 * transcriptions protocol) → LLM (a local OpenAI-compatible server) → espeak-ng → the avatar speaks.
 * The page receives the transcripts in order; `message()` (avatar.speak_response) answers typed text;
 * the looped question, asked again during a long answer, barges in.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeWavPcm16, encodeWav } from '@liveface/engine';
import { chatSse, sseHead } from './helpers/fake-openai.js';
import { startFakeServer, type FakeServer } from './helpers/fake-server.js';
import { fullPersona, fullToken } from './helpers/full.js';
import { expectOk } from './helpers/rest.js';
import { launchChromium } from './helpers/chromium.js';
import { startTestServer, type TestServer } from './helpers/server.js';

declare const window: any;
declare const location: any;

const dir = mkdtempSync(join(tmpdir(), 'liveface-full-browser-'));
const micWav = join(dir, 'question.wav');
let vendor: FakeServer;
let server: TestServer;
let browser: Browser;
let token = '';
let pttToken = '';
let storyToken = '';
/** The storyteller's answer: ~30 s of speech, so a barge-in cuts it unmistakably short. */
const STORY = Array.from(
  { length: 12 },
  (_, i) => ` Chapter ${i + 1} of the story is long and calm and slow.`,
);

beforeAll(async () => {
  for (const pkg of ['sdk-browser', 'playground']) {
    execFileSync(process.execPath, [`packages/${pkg}/build.mjs`], { cwd: new URL('..', import.meta.url) });
  }
  // The fake microphone: a spoken question, then 5 s of silence (Chromium loops the file).
  const speech = decodeWavPcm16(
    new Uint8Array(execFileSync('espeak-ng', ['-v', 'en-us', '--stdout', 'When is breakfast served?'])),
    48_000,
  );
  const mic = new Int16Array(speech.length + 5 * 48_000);
  mic.set(speech);
  writeFileSync(micWav, encodeWav(mic, 48_000, 1));

  vendor = await startFakeServer();
  vendor.onHttp((req, res: ServerResponse) => {
    if (req.url.endsWith('/audio/transcriptions')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ text: 'When is breakfast?' }));
    } else if (req.url.endsWith('/chat/completions')) {
      const { messages } = JSON.parse(req.body.toString('utf8')) as { messages: { content: string }[] };
      const last = messages.at(-1)!.content;
      sseHead(res);
      if (messages[0]!.content === 'You tell long stories.') res.end(chatSse(STORY));
      else
        res.end(
          chatSse(last === 'When is breakfast?' ? ['Breakfast', ' is at seven.'] : ['We have a pool.']),
        );
    } else res.writeHead(404).end();
  });
  server = await startTestServer({
    sttProvider: 'openai',
    sttBaseUrl: `${vendor.url}/v1`,
    sttApiKey: 'sk-stt',
    // The playground's FULL sessions use the server's default LLM.
    llmBaseUrl: `${vendor.url}/v1`,
    llmApiKey: 'sk-llm',
  });
  const persona = await fullPersona(server, `${vendor.url}/v1`, {
    name: 'hotel',
    prompt: 'You are a hotel concierge.',
    opening_text: 'Hello!',
  });
  token = (await fullToken(server, persona, { video_settings: { quality: 'low' } })).session_token;
  pttToken = (
    await fullToken(server, persona, {
      interactivity_type: 'PUSH_TO_TALK',
      video_settings: { quality: 'low' },
    })
  ).session_token;
  const storyteller = await fullPersona(server, `${vendor.url}/v1`, {
    name: 'storyteller',
    prompt: 'You tell long stories.',
  });
  storyToken = (await fullToken(server, storyteller, { video_settings: { quality: 'low' } })).session_token;
  browser = await launchChromium(micWav);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await vendor?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A page of the server with the browser SDK loaded, and the page errors it throws. */
async function sdkPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => window.Liveface !== undefined);
  return { page, errors };
}

it('speech from the microphone is heard, transcribed and answered; typed text is answered; transcripts arrive in order', async () => {
  const { page, errors } = await sdkPage();
  const r = await page.evaluate(async (t) => {
    const session = new window.Liveface.LiveAvatarSession(t, { apiUrl: location.origin, voiceChat: true });
    const events: { name: string; text?: string }[] = [];
    for (const name of [
      'user.speak_started',
      'user.speak_ended',
      'user.transcription',
      'avatar.transcription',
      'avatar.speak_started',
      'avatar.speak_ended',
    ]) {
      session.on(name, (e: any) => events.push({ name, text: e?.text }));
    }
    const until = (pred: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const t0 = Date.now();
        const timer = setInterval(() => {
          if (pred()) resolve(void clearInterval(timer));
          else if (Date.now() - t0 > 30_000) {
            clearInterval(timer);
            reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(events)}`));
          }
        }, 20);
      });
    const has = (name: string, text: string) => events.some((e) => e.name === name && e.text === text);
    await session.start();
    await until(() => has('avatar.transcription', 'Breakfast is at seven.'), 'the spoken question answered');
    // The transcription leaves once the answer is synthesized; its speech starts when it plays.
    const asked = events.findIndex((e) => e.name === 'user.transcription');
    await until(
      () => events.findIndex((e, i) => i > asked && e.name === 'avatar.speak_started') > 0,
      'the answer spoken',
    );
    session.message('Is there a pool?');
    await until(() => has('avatar.transcription', 'We have a pool.'), 'the typed question answered');
    const mode = session.mode;
    await session.stop();
    return { mode, events };
  }, token);
  expect(r.mode).toBe('FULL');
  const names = r.events.map((e) => e.name);
  const at = (name: string, text?: string) =>
    r.events.findIndex((e) => e.name === name && (text === undefined || e.text === text));
  expect(at('avatar.transcription', 'Hello!')).toBeGreaterThanOrEqual(0);
  const question = at('user.transcription', 'When is breakfast?');
  expect(question).toBeGreaterThan(at('user.speak_started'));
  expect(question).toBeGreaterThan(at('user.speak_ended'));
  expect(at('avatar.transcription', 'Breakfast is at seven.')).toBeGreaterThan(question);
  // The answer was spoken (the opening may have been cut by the question: barge-in).
  expect(names.findIndex((n, i) => i > question && n === 'avatar.speak_started')).toBeGreaterThan(question);
  expect(errors).toEqual([]);
  await page.close();
}, 90_000);

it('barge-in: the microphone speaking during a long answer stops the avatar at once', async () => {
  const { page, errors } = await sdkPage();
  // The microphone loops the question every ~6.4 s; the answer to the first would take ~30 s, so the
  // second asking falls in the middle of it.
  const r = await page.evaluate(async (t) => {
    const session = new window.Liveface.LiveAvatarSession(t, { apiUrl: location.origin, voiceChat: true });
    const events: { name: string; at: number }[] = [];
    for (const name of ['user.speak_started', 'avatar.speak_started', 'avatar.speak_ended']) {
      session.on(name, () => events.push({ name, at: performance.now() }));
    }
    await session.start();
    const t0 = Date.now();
    const count = (name: string) => events.filter((e) => e.name === name).length;
    // Answer 1 starts, the user speaks again, answer 2 starts.
    while (count('avatar.speak_started') < 2 && Date.now() - t0 < 40_000) {
      await new Promise((w) => setTimeout(w, 50));
    }
    await session.stop();
    return events;
  }, storyToken);
  const nth = (name: string, n: number) => r.filter((e) => e.name === name)[n];
  const answerStarted = nth('avatar.speak_started', 0);
  const cut = nth('avatar.speak_ended', 0);
  const spokeAgain = nth('user.speak_started', 1);
  expect(answerStarted && cut && spokeAgain, JSON.stringify(r)).toBeTruthy();
  // The answer ended far short of its ~30 s, when the user spoke again: the barge-in fires before
  // the VAD confirms a turn (250 ms), so the end may come first.
  expect(cut!.at - answerStarted!.at).toBeLessThan(15_000);
  expect(Math.abs(cut!.at - spokeAgain!.at), JSON.stringify(r)).toBeLessThan(1_000);
  // The interrupting question was answered.
  expect(nth('avatar.speak_started', 1)!.at).toBeGreaterThan(cut!.at);
  expect(errors).toEqual([]);
  await page.close();
}, 90_000);

it('push-to-talk: voiceChat.startPushToTalk / stopPushToTalk open a window; its speech is answered', async () => {
  const { page, errors } = await sdkPage();
  const r = await page.evaluate(async (t) => {
    const session = new window.Liveface.LiveAvatarSession(t, {
      apiUrl: location.origin,
      voiceChat: { defaultMuted: true },
    });
    const events: { name: string; text?: string }[] = [];
    for (const name of ['user.transcription', 'avatar.transcription', 'user.push_to_talk_stop_failed']) {
      session.on(name, (e: any) => events.push({ name, text: e?.text }));
    }
    await session.start();
    // Outside a window the server ignores the microphone (and the SDK keeps it muted).
    await new Promise((w) => setTimeout(w, 1500));
    const before = events.filter((e) => e.name === 'user.transcription').length;
    await session.voiceChat.startPushToTalk();
    const unmuted = !session.voiceChat.isMuted;
    // The fake microphone loops a question and 5 s of silence: a 7 s window holds the question.
    await new Promise((w) => setTimeout(w, 7000));
    await session.voiceChat.stopPushToTalk();
    const muted = session.voiceChat.isMuted;
    const t0 = Date.now();
    while (!events.some((e) => e.text === 'Breakfast is at seven.') && Date.now() - t0 < 20_000) {
      await new Promise((w) => setTimeout(w, 50));
    }
    let stopAgain = '';
    try {
      await session.voiceChat.stopPushToTalk();
    } catch (e) {
      stopAgain = (e as Error).message;
    }
    await session.stop();
    return { before, unmuted, muted, events, stopAgain };
  }, pttToken);
  expect(r.before).toBe(0);
  expect(r.unmuted).toBe(true);
  expect(r.muted).toBe(true);
  const users = r.events.filter((e) => e.name === 'user.transcription');
  expect(users).toEqual([{ name: 'user.transcription', text: 'When is breakfast?' }]);
  expect(r.events.some((e) => e.name === 'avatar.transcription' && e.text === 'Breakfast is at seven.')).toBe(
    true,
  );
  expect(r.stopAgain).toContain('push-to-talk was not started');
  expect(errors).toEqual([]);
  await page.close();
}, 90_000);

it('the playground in FULL mode: the microphone is answered, typed text too, transcripts on the page', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => window.document.querySelectorAll('#avatar option').length > 0);
  await page.click('#mode label:has(input[value="FULL"])');
  await page.click('#start');
  const line = (role: string, text: string) =>
    page.locator(`#transcript li[data-role="${role}"][data-final="true"]`, { hasText: text });
  await line('avatar', "Hi! I'm listening.").waitFor({ timeout: 30_000 });
  await line('user', 'When is breakfast?').first().waitFor({ timeout: 30_000 });
  await line('avatar', 'Breakfast is at seven.').first().waitFor({ timeout: 30_000 });
  expect(await page.textContent('#providers')).toContain('LLM: the server default.');
  expect(await page.textContent('#providers')).toContain('Speech-to-text: openai.');
  await page.fill('#ask', 'Is there a pool?');
  await page.click('#ask-send');
  await line('avatar', 'We have a pool.').waitFor({ timeout: 30_000 });
  await page.screenshot({ path: new URL('../test-artifacts/playground-full.png', import.meta.url).pathname });
  await page.click('#stop');
  await page.waitForFunction(() => window.document.body.dataset.state === 'DISCONNECTED', null, {
    timeout: 15_000,
  });
  // The playground context was made once and is the user's to edit.
  const contexts = expectOk(await server.api('/v1/contexts'));
  expect(JSON.stringify(contexts)).toContain('Liveface playground');
  expect(errors).toEqual([]);
  await page.close();
}, 90_000);
