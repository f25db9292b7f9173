/**
 * FULL mode, text turns, end to end: a real server, a real libwebrtc viewer on its data channel, the
 * built-in espeak-ng voice, and an LLM configuration pointing at a local server that speaks OpenAI's
 * streaming chat-completions protocol. Token-time validation, the opening text, `avatar.speak_text`,
 * `avatar.speak_response` (transcript chunks while the answer streams, speech, the stored transcript),
 * interrupt mid-answer, and provider failures as `error` events with the session going on.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { streamChat } from './helpers/fake-openai.js';
import { delay, startFakeServer, type FakeServer } from './helpers/fake-server.js';
import { rms } from './helpers/media.js';
import { fullPersona } from './helpers/full.js';
import { expectError, expectOk, jwtPayload } from './helpers/rest.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connectViewer, type Viewer } from './helpers/viewer.js';

let server: TestServer;
let llm: FakeServer;
let llmConfigId: string;
let contextId: string;
const viewers: Viewer[] = [];

/** What the fake LLM answers next: deltas, each after `gapMs`; or an HTTP error. */
let answer: { deltas: string[]; gapMs: number } | { status: number; body: unknown } = {
  deltas: ['Hello', ' there.'],
  gapMs: 0,
};

beforeAll(async () => {
  llm = await startFakeServer();
  llm.onHttp(async (req, res: ServerResponse) => {
    if (!req.url.endsWith('/chat/completions')) return void res.writeHead(404).end();
    const a = answer;
    if ('status' in a) {
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      return;
    }
    await streamChat(res, a.deltas, a.gapMs);
  });
  server = await startTestServer();
  ({ llmConfigId, contextId } = await fullPersona(server, `${llm.url}/v1`, {
    name: 'concierge',
    prompt: 'You are the concierge of ${hotel}. Be brief.',
    opening_text: 'Welcome to ${hotel}.',
  }));
});
afterEach(() => {
  for (const v of viewers.splice(0)) v.close();
});
afterAll(async () => {
  await server.stop();
  await llm.stop();
});

const fullBody = (extra: Record<string, unknown> = {}) => ({
  mode: 'FULL',
  avatar_id: SANDBOX_AVATAR_ID,
  avatar_persona: { context_id: contextId },
  llm_configuration_id: llmConfigId,
  dynamic_variables: { hotel: 'the Grand' },
  ...extra,
});

async function startFull(extra: Record<string, unknown> = {}) {
  const t = expectOk(await server.api('/v1/sessions/token', { body: fullBody(extra) }));
  const r = await server.api('/v1/sessions/start', { method: 'POST', token: t.session_token, key: null });
  const data = expectOk(r);
  const v = await connectViewer(data.webrtc_url);
  viewers.push(v);
  return { sessionId: t.session_id as string, token: t.session_token as string, data, v };
}

const types = (v: Viewer) => v.events.map((e) => e.event_type as string);
const ofType = (v: Viewer, t: string) => v.events.filter((e) => e.event_type === t);
const voiceAfter = (v: Viewer, t: number) =>
  Math.max(0, ...v.audio.filter((a) => a.at >= t).map((a) => rms(a.samples)));

describe('FULL mode: text turns', () => {
  it('checks the persona at token time: unknown context, voice or LLM configuration, missing variables', async () => {
    const token = (b: Record<string, unknown>) => server.api('/v1/sessions/token', { body: b });
    const missing = expectError(
      await token(fullBody({ dynamic_variables: {} })),
      'missing_dynamic_variables',
    );
    expect(missing.message).toContain('"hotel"');
    const ctx = expectError(
      await token(fullBody({ avatar_persona: { context_id: '00000000-0000-4000-8000-000000000000' } })),
      'context_not_found',
    );
    expect(ctx.data.field).toBe('avatar_persona.context_id');
    expectError(
      await token(
        fullBody({
          avatar_persona: { context_id: contextId, voice_id: '00000000-0000-4000-8000-000000000001' },
        }),
      ),
      'voice_not_found',
    );
    expectError(
      await token(fullBody({ llm_configuration_id: '00000000-0000-4000-8000-000000000002' })),
      'llm_configuration_not_found',
    );
    const ok = expectOk(await token(fullBody({ interactivity_type: 'PUSH_TO_TALK' })));
    expect(jwtPayload(ok.session_token).start_session_data).toMatchObject({
      mode: 'FULL',
      interactivity_type: 'PUSH_TO_TALK',
    });
  });

  it('starts without ws_url and speaks the opening text, with its transcript', async () => {
    const { v, data, sessionId } = await startFull();
    expect(data).not.toHaveProperty('ws_url');
    expect(data.webrtc_url).toContain(sessionId);
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'opening text spoken');
    expect(ofType(v, 'avatar.transcription')[0]).toMatchObject({ text: 'Welcome to the Grand.' });
    const order = types(v);
    expect(order.indexOf('avatar.transcription')).toBeLessThan(order.indexOf('avatar.speak_started'));
    expect(order.indexOf('avatar.speak_started')).toBeLessThan(order.indexOf('avatar.speak_ended'));
    expect(voiceAfter(v, 0)).toBeGreaterThan(0.02);
  });

  it('speak_text speaks verbatim; speak_response streams the answer, speaks it and stores the transcript', async () => {
    const { v, sessionId } = await startFull();
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'opening text');
    v.events.length = 0;
    await v.send({ event_type: 'avatar.speak_text', event_id: 't1', text: 'One moment, please.' });
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'speak_text spoken');
    expect(ofType(v, 'avatar.transcription')[0]).toMatchObject({
      text: 'One moment, please.',
      source_event_id: 't1',
    });
    expect(ofType(v, 'avatar.speak_started')[0]).toMatchObject({ source_event_id: 't1' });

    v.events.length = 0;
    answer = { deltas: ['Breakfast is', ' at seven.', ' Enjoy!'], gapMs: 30 };
    await v.send({ event_type: 'avatar.speak_response', event_id: 'r1', text: 'When is breakfast?' });
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'answer spoken');
    await v.until(() => ofType(v, 'avatar.transcription').length >= 1, 5000, 'final transcription');
    expect(ofType(v, 'avatar.transcription.chunk').map((e) => e.text)).toEqual([
      'Breakfast is',
      ' at seven.',
      ' Enjoy!',
    ]);
    expect(ofType(v, 'avatar.transcription')[0]).toMatchObject({
      text: 'Breakfast is at seven. Enjoy!',
      source_event_id: 'r1',
    });
    // The LLM got the filled prompt and the conversation so far.
    const sent = JSON.parse(llm.requests.at(-1)!.body.toString('utf8'));
    expect(sent.model).toBe('gpt-fake');
    expect(sent.messages[0]).toEqual({
      role: 'system',
      content: 'You are the concierge of the Grand. Be brief.',
    });
    expect(sent.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Welcome to the Grand.' },
      { role: 'assistant', content: 'One moment, please.' },
      { role: 'user', content: 'When is breakfast?' },
    ]);
    const tr = expectOk(await server.api(`/v1/sessions/${sessionId}/transcript`));
    expect(
      tr.transcript_data.map((l: { role: string; transcript: string }) => [l.role, l.transcript]),
    ).toEqual([
      ['avatar', 'Welcome to the Grand.'],
      ['avatar', 'One moment, please.'],
      ['user', 'When is breakfast?'],
      ['avatar', 'Breakfast is at seven. Enjoy!'],
    ]);
  });

  it('interrupt stops the answer everywhere: LLM request, speech, and turns queued behind it', async () => {
    const { v, sessionId } = await startFull();
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'opening text');
    v.events.length = 0;
    answer = { deltas: Array.from({ length: 40 }, (_, i) => ` Sentence number ${i}.`), gapMs: 100 };
    await v.send({ event_type: 'avatar.speak_response', event_id: 'long', text: 'Tell me everything.' });
    await v.send({ event_type: 'avatar.speak_text', event_id: 'queued', text: 'This never plays.' });
    await v.until(() => ofType(v, 'avatar.speak_started').length >= 1, 20_000, 'answer started');
    const request = llm.requests.at(-1)!;
    // Let the viewer hear a sentence or so.
    await delay(1500);
    await v.send({ event_type: 'avatar.interrupt' });
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 5000, 'speak_ended');
    expect(ofType(v, 'avatar.speak_ended')[0]).toMatchObject({ interrupted: true });
    await request.finished;
    expect(request.clientGone).toBe(true);
    const cut = performance.now();
    await delay(1500);
    expect(voiceAfter(v, cut + 600)).toBeLessThan(0.01);
    // The queued speak_text was dropped with the turn; no final transcription for the cut answer.
    expect(ofType(v, 'avatar.transcription')).toEqual([]);
    expect(types(v).filter((t) => t === 'avatar.speak_started')).toHaveLength(1);

    // The history keeps what the viewer heard of the cut answer, so the LLM knows where it stopped.
    answer = { deltas: ['Sure.'], gapMs: 0 };
    await v.send({ event_type: 'avatar.speak_response', event_id: 'next', text: 'Go on.' });
    await v.until(() => ofType(v, 'avatar.transcription').length >= 1, 20_000, 'next answer');
    const sent = JSON.parse(llm.requests.at(-1)!.body.toString('utf8')) as {
      messages: { role: string; content: string }[];
    };
    const [cutLine, next] = sent.messages.slice(-2);
    expect(next).toEqual({ role: 'user', content: 'Go on.' });
    expect(cutLine!.role).toBe('assistant');
    expect(cutLine!.content).toMatch(/^Sentence number 0\./u);
    // Far from all 40 sentences: ~1.5 s of speech was heard.
    expect(cutLine!.content).not.toContain('Sentence number 5.');
    expect(sent.messages.filter((m) => m.content.includes('This never plays.'))).toEqual([]);
    // The cut answer was still being generated: the transcript stores what was heard of it, too.
    const tr = expectOk(await server.api(`/v1/sessions/${sessionId}/transcript`));
    const lines = tr.transcript_data.map((l: { role: string; transcript: string }) => [l.role, l.transcript]);
    expect(lines).toContainEqual(['avatar', cutLine!.content]);
  });

  it('a failing LLM gives an error event with a stable code, and the next turn works', async () => {
    const { v } = await startFull();
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'opening text');
    answer = {
      status: 401,
      body: { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } },
    };
    await v.send({ event_type: 'avatar.speak_response', event_id: 'bad', text: 'Hi' });
    await v.until(() => ofType(v, 'error').length >= 1, 10_000, 'error event');
    expect(ofType(v, 'error')[0]).toMatchObject({
      error: { code: 'provider_auth', provider: 'openai-llm' },
    });
    answer = { deltas: ['Fine.'], gapMs: 0 };
    await v.send({ event_type: 'avatar.speak_response', event_id: 'good', text: 'Hi again' });
    await v.until(() => ofType(v, 'avatar.transcription').some((e) => e.text === 'Fine.'), 20_000, 'answer');
  });

  it('without a context the avatar does not answer (restricted mode) but still speaks given text', async () => {
    const { v } = await startFull({ avatar_persona: {}, dynamic_variables: null });
    await v.send({ event_type: 'avatar.speak_response', event_id: 'q', text: 'Hello?' });
    await v.until(() => ofType(v, 'error').length >= 1, 10_000, 'error');
    expect(ofType(v, 'error')[0]).toMatchObject({ source_event_id: 'q', error: { code: 'no_context' } });
    await v.send({ event_type: 'avatar.speak_text', event_id: 's', text: 'Hello.' });
    await v.until(() => ofType(v, 'avatar.speak_ended').length >= 1, 20_000, 'spoken');
    await v.send({ event_type: 'avatar.speak_text', text: '   ' });
    await v.until(() => ofType(v, 'error').length >= 2, 5000, 'empty text refused');
    expect(ofType(v, 'error')[1]).toMatchObject({ error: { code: 'dc_invalid_message' } });
  });
});
