/**
 * The built-in WebRTC transport end to end: a real server on 127.0.0.1, a real libwebrtc viewer in Node
 * (tests/helpers/viewer.ts), LITE audio over the real WebSocket. Frames are VP8-encoded by the server
 * and decoded by the viewer; the mouth is measured on the decoded pixels.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './helpers/rest.js';
import { LiteClient, startTestServer, type TestServer } from './helpers/server.js';
import { mouthBox, mouthOpenness, rms, syllables, toBase64 } from './helpers/media.js';
import { connectViewer, type Viewer } from './helpers/viewer.js';

let server: TestServer;
const viewers: Viewer[] = [];
const sockets: LiteClient[] = [];
const box = mouthBox('medium');

beforeAll(async () => {
  server = await startTestServer({ maxViewersPerSession: 3 });
});
afterEach(() => {
  for (const v of viewers.splice(0)) v.close();
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => server.stop());

async function session() {
  const s = await server.startSession({ video_settings: { quality: 'medium' } });
  const ws = new LiteClient(s.wsUrl);
  sockets.push(ws);
  await ws.waitFor((e) => e.type === 'session.state_updated' && e.state === 'connected');
  return { ...s, ws };
}

async function watch(url: string, opts: Parameters<typeof connectViewer>[1] = {}): Promise<Viewer> {
  const v = await connectViewer(url, opts);
  viewers.push(v);
  return v;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Audio energy the viewer received after `t` (ms, performance.now()). */
function audioAfter(v: Viewer, t: number, untilT = Infinity): number {
  const chunks = v.audio.filter((a) => a.at >= t && a.at < untilT);
  return Math.max(0, ...chunks.map((a) => rms(a.samples)));
}

describe('built-in WebRTC transport', () => {
  it('start answers a webrtc_url and ICE servers, and no LiveKit fields', async () => {
    const s = await server.createSession({ video_settings: { quality: 'medium' } });
    const r = await server.api('/v1/sessions/start', { method: 'POST', token: s.token, key: null });
    const data = r.body.data;
    expect(data.webrtc_url).toMatch(new RegExp(`^${server.url}/v1/webrtc/${s.sessionId}/[A-Za-z0-9_-]{43}$`));
    expect(data.ice_servers).toEqual([]);
    expect(data).not.toHaveProperty('livekit_url');
    expect(data).not.toHaveProperty('livekit_client_token');
  });

  it('a viewer receives 848×480 video at about 25 fps and the audio track', async () => {
    const s = await session();
    const v = await watch(s.webrtcUrl);
    await v.until(() => v.frames.length > 0, 15_000, 'first frame');
    const from = v.frames.length;
    const t0 = performance.now();
    await sleep(2000);
    const fps = ((v.frames.length - from) * 1000) / (performance.now() - t0);
    expect(v.frames.at(-1)).toMatchObject({ width: 848, height: 480 });
    // 25 fps sent; allow for a busy machine, never more than sent.
    expect(fps).toBeGreaterThan(15);
    expect(fps).toBeLessThan(27);
    expect(v.audio.length).toBeGreaterThan(50);
  });

  it('the mouth moves while speech plays and rests in silence; events arrive on the data channel', async () => {
    const s = await session();
    const v = await watch(s.webrtcUrl);
    await v.until(() => v.frames.length > 10, 15_000, 'frames');
    const silentBefore = v.frames.slice(-8).map((f) => mouthOpenness(f, box));
    s.ws.send({ type: 'agent.speak', event_id: 'e1', audio: toBase64(syllables(2400)) });
    s.ws.send({ type: 'agent.speak_end', event_id: 'e2' });
    const started = await s.ws.waitType('agent.speak_started', 10_000);
    const talkFrom = v.frames.length;
    await s.ws.waitType('agent.speak_ended', 10_000);
    const talking = v.frames.slice(talkFrom).map((f) => mouthOpenness(f, box));
    await sleep(800);
    const silentAfter = v.frames.slice(-8).map((f) => mouthOpenness(f, box));

    expect(Math.max(...silentBefore)).toBeLessThan(0.005);
    expect(Math.max(...talking)).toBeGreaterThan(0.02);
    expect(Math.max(...silentAfter)).toBeLessThan(0.005);
    // The voice arrived while talking.
    expect(audioAfter(v, started.receivedAt)).toBeGreaterThan(0.05);
    await v.until(() => v.events.some((e) => e.event_type === 'avatar.speak_ended'), 5000, 'speak_ended');
    const types = v.events.map((e) => e.event_type);
    expect(types.indexOf('avatar.speak_started')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('avatar.speak_started')).toBeLessThan(types.indexOf('avatar.speak_ended'));
    for (const e of v.events) {
      expect(e).toMatchObject({ session_id: s.sessionId, event_id: expect.any(String) });
    }
  });

  it('interrupt stops the voice and closes the mouth at once', async () => {
    const s = await session();
    const v = await watch(s.webrtcUrl);
    await v.until(() => v.frames.length > 5, 15_000, 'frames');
    const runtime = server.sessions.runtime(s.sessionId)!;
    const ticks: { speech: number; jaw: number }[] = [];
    runtime.addMediaSink({
      audio: (_pts, samples) => ticks.push({ speech: rms(samples), jaw: runtime.pose?.mouth.jawOpen ?? 0 }),
      video: () => undefined,
    });
    s.ws.send({ type: 'agent.speak', audio: toBase64(syllables(6000, 400, 40)) });
    await s.ws.waitType('agent.speak_started', 10_000);
    await sleep(1000);
    const before = ticks.length;
    s.ws.send({ type: 'agent.interrupt', event_id: 'stop' });
    const cut = await s.ws.waitType('agent.speak_interrupted', 5000);
    const tCut = cut.receivedAt;
    await sleep(1200);
    // Server side: within one frame of the interrupt, the audio is silent and the jaw closing.
    const after = ticks.slice(before);
    const firstSilent = after.findIndex((t) => t.speech === 0);
    expect(firstSilent).toBeGreaterThanOrEqual(0);
    expect(firstSilent).toBeLessThanOrEqual(2);
    expect(after.slice(firstSilent).every((t) => t.speech === 0)).toBe(true);
    // Viewer side: voice gone and mouth closed shortly after (network + jitter buffer).
    expect(audioAfter(v, tCut + 400)).toBeLessThan(0.01);
    const late = v.frames.filter((f) => f.at > tCut + 600);
    expect(late.length).toBeGreaterThan(5);
    expect(Math.max(...late.map((f) => mouthOpenness(f, box)))).toBeLessThan(0.005);
  });

  it('takes commands on the data channel and answers bad ones with error events', async () => {
    const s = await session();
    const v = await watch(s.webrtcUrl);
    s.ws.send({ type: 'agent.speak', audio: toBase64(syllables(4000)) });
    await s.ws.waitType('agent.speak_started', 10_000);
    await v.send({ event_type: 'avatar.interrupt' });
    await s.ws.waitType('agent.speak_interrupted', 5000);
    await v.send({ event_type: 'avatar.start_listening', event_id: 'l1' });
    await s.ws.waitFor((e) => e.type === 'agent.state_updated' && e.new_state === 'listening', 5000);
    await v.send({ event_type: 'avatar.speak_text', event_id: 't1', text: 'hello' });
    await v.send({ event_type: 'user.start_push_to_talk' });
    await v.send({ nope: 1 });
    await v.until(
      () =>
        v.events.filter(
          (e) => e.event_type !== 'avatar.speak_started' && e.event_type !== 'avatar.speak_ended',
        ).length >= 3,
      5000,
      'replies',
    );
    const replies = v.events.filter((e) => !String(e.event_type).startsWith('avatar.speak_'));
    expect(replies[0]).toMatchObject({
      event_type: 'error',
      source_event_id: 't1',
      error: { code: 'mode_not_supported' },
    });
    expect(replies[1]).toMatchObject({ event_type: 'user.push_to_talk_start_failed' });
    expect(replies[2]).toMatchObject({ event_type: 'error', error: { code: 'dc_invalid_message' } });
    // The interrupted utterance still ends on the data channel.
    expect(v.events.find((e) => e.event_type === 'avatar.speak_ended')).toMatchObject({ interrupted: true });
  });

  it("carries the viewer's microphone to the session", async () => {
    const s = await session();
    const got: number[] = [];
    const v = await watch(s.webrtcUrl, { withMic: true });
    server.webrtc.onUserAudio(s.sessionId, (samples, rate) => got.push(samples.length, rate));
    const tone = new Int16Array(480).map((_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / 48_000)),
    );
    const timer = setInterval(() => v.mic(tone), 10);
    try {
      await v.until(
        () => (server.webrtc.viewers(s.sessionId)[0]?.micSamples ?? 0) > 48_000,
        15_000,
        'mic audio',
      );
    } finally {
      clearInterval(timer);
    }
    expect(got.length).toBeGreaterThan(0);
    expect(server.webrtc.viewers(s.sessionId)[0]?.micSampleRateHz).toBeGreaterThanOrEqual(16_000);
  });

  it('serves several viewers; DELETE on the Location leaves; the viewer limit is enforced', async () => {
    const s = await session();
    const a = await watch(s.webrtcUrl);
    const b = await watch(s.webrtcUrl);
    const c = await watch(s.webrtcUrl);
    await Promise.all([a, b, c].map((v) => v.until(() => v.frames.length > 3, 15_000, 'frames')));
    expect(server.webrtc.viewers(s.sessionId)).toHaveLength(3);
    await expect(connectViewer(s.webrtcUrl)).rejects.toMatchObject({ status: 409 });
    const del = await fetch(a.location, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(server.webrtc.viewers(s.sessionId)).toHaveLength(2);
    const again = await fetch(a.location, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { data: { error: string } }).data.error).toBe('viewer_not_found');
    const n = b.frames.length;
    await b.until(() => b.frames.length > n + 5, 5000, 'frames after another viewer left');
  });

  it('refuses bad signalling with JSON errors', async () => {
    const s = await session();
    const post = (url: string, body: string, type = 'application/sdp') =>
      server.api(url.replace(server.url, ''), {
        method: 'POST',
        body,
        key: null,
        headers: { 'content-type': type },
      });
    const bad = s.webrtcUrl.slice(0, -4) + 'AAAA';
    expectError(await post(bad, 'v=0'), 'invalid_capability');
    expectError(await post(s.webrtcUrl, '{"sdp":"x"}', 'application/json'), 'unsupported_media_type');
    expectError(await post(s.webrtcUrl, 'hello'), 'invalid_sdp');
    expectError(await post(s.webrtcUrl, 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n'), 'invalid_sdp');
    const other = await server.startSession();
    expectError(
      await post(other.webrtcUrl.replace(other.sessionId, s.sessionId), 'v=0'),
      'invalid_capability',
    );
    await server.api('/v1/sessions/stop', { method: 'POST', body: { session_id: other.sessionId } });
    await expect(connectViewer(other.webrtcUrl)).rejects.toMatchObject({ status: 409 });
  });

  it('ending the session tells the viewers why and closes their connections', async () => {
    const s = await session();
    const v = await watch(s.webrtcUrl);
    await v.until(() => v.frames.length > 3, 15_000, 'frames');
    await server.api('/v1/sessions/stop', { method: 'POST', body: { session_id: s.sessionId } });
    await v.until(() => v.events.some((e) => e.event_type === 'session.stopped'), 5000, 'session.stopped');
    expect(v.events.find((e) => e.event_type === 'session.stopped')).toMatchObject({
      stop_reason: 'USER_CLOSED',
      end_reason: 'USER_CLOSED',
      session_id: s.sessionId,
    });
    await v.until(() => server.webrtc.viewers(s.sessionId).length === 0, 5000, 'viewer closed');
  });

  it('a crashed render worker costs frames, not the session', async () => {
    const s = await session();
    const v = await watch(s.webrtcUrl);
    await v.until(() => v.frames.length > 5, 15_000, 'frames');
    const crashes = () => server.renderPool.load().length;
    const workers = crashes();
    await Promise.all(Array.from({ length: workers }, (_, i) => server.renderPool.killWorker(i)));
    const n = v.frames.length;
    await v.until(() => v.frames.length > n + 25, 15_000, 'frames after the crash');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`liveface_render_worker_crashes_total ${workers}`));
    expect(server.sessions.runtime(s.sessionId)?.isClosed).toBe(false);
  });
});
