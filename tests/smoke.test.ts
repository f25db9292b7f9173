import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiteClient, pcmBase64, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

it('plays one utterance over the LITE socket', async () => {
  const s = await server.startSession();
  const c = new LiteClient(s.wsUrl);
  await c.waitType('session.state_updated');
  c.send({ type: 'agent.speak', event_id: 'u1', audio: pcmBase64(400) });
  c.send({ type: 'agent.speak_end', event_id: 'u1' });
  const started = await c.waitType('agent.speak_started');
  const ended = await c.waitType('agent.speak_ended');
  expect(ended.task.id).toBe(started.task.id);
  c.close();
});
