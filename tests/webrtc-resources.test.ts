/**
 * Resource release: sessions with viewers started and stopped 20 times leave no peer connections,
 * media streams, render slots, workers, timers or memory behind.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connectViewer } from './helpers/viewer.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function cycle(): Promise<void> {
  const s = await server.startSession({ video_settings: { quality: 'low' } });
  const v = await connectViewer(s.webrtcUrl);
  try {
    await v.until(() => v.frames.length > 2, 15_000, 'frames');
  } finally {
    await server.api('/v1/sessions/stop', { method: 'POST', body: { session_id: s.sessionId } });
    v.close();
  }
}

async function settle(): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server.webrtc.peerConnections > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  gc();
}

it('20 start/stop cycles with a viewer leave nothing behind', async () => {
  const workers = server.renderPool.size;
  await cycle(); // warm-up: first-use allocations are not leaks
  await settle();
  const heapBefore = process.memoryUsage().heapUsed;
  const resourcesBefore = process.getActiveResourcesInfo().length;
  for (let i = 0; i < 20; i++) await cycle();
  await settle();

  expect(server.webrtc.peerConnections).toBe(0);
  expect(server.webrtc.activeStreams).toBe(0);
  expect(server.renderPool.size).toBe(workers);
  expect(server.renderPool.load().every((n) => n === 0)).toBe(true);
  expect(server.sessions.snapshot()).toMatchObject({ created: 0, active: 0 });
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toMatch(/^liveface_webrtc_viewers 0$/m);
  // No timers, sockets or handles accumulate (a little slack for the HTTP keep-alive pool).
  expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(resourcesBefore + 4);
  const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  expect(grownMb).toBeLessThan(20);
}, 120_000);
