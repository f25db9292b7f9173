// @ts-check
/**
 * bench:bargein — user speech start → avatar audio stops (issue: ≤ 200 ms). The avatar is answering
 * (a long streamed answer, bench/lib/conversation.mjs) when the viewer starts speaking into its
 * microphone. Start: the viewer sends the frame with the sentence's first voiced sample. Stop, on the
 * server: the first tick handed to the encoders from which the avatar stays silent (≥ 480 ms; natural
 * pauses in its speech are shorter); at the viewer: the first received 10 ms from which its audio
 * stays below −50 dBFS for 400 ms. The server figure includes the mic's way in (Opus, the server's
 * jitter buffer; printed apart), the VAD's barge-in trigger (two speech frames) and the re-phased
 * silent tick; the viewer figure adds the way out (encoder, jitter buffer). The sentence can be
 * changed with SENTENCE (the onset matters: the VAD needs longer for a soft one).
 *
 *   [SENTENCE='…'] npm run bench:bargein [-- --trials 10]
 */
import { conversation, sentence, until } from './lib/conversation.mjs';
import { cpuLine, cpuMeter, flag, load, machine, now, msRow, sleep } from './lib/live.mjs';

const TRIALS = flag('--trials', 10);
console.log(`bench:bargein — ${machine()}; ${TRIALS} interruptions; loadavg ${load()}`);
const c = await conversation();
const cpu = cpuMeter(c.server.pid);
const clip = sentence(process.env.SENTENCE ?? 'Wait, stop, I have a question.');
/** @type {Record<'server' | 'viewer' | 'vad' | 'mic', number[]>} */
const m = { server: [], viewer: [], vad: [], mic: [] };
for (let i = 0; i < TRIALS; i++) {
  c.llm.state.answer = Array.from({ length: 40 }, (_, k) => ` This is sentence ${k} of a long answer.`);
  c.llm.state.gapMs = 40;
  const sentAt = now();
  c.viewer.send({ event_type: 'avatar.speak_response', event_id: `b${i}`, text: 'Tell me a story.' });
  await until(
    () => c.rows('audioOut').filter((a) => a.at > sentAt && a.voiced).length > 30,
    20_000,
    'answer',
  );
  c.llm.state.answer = ['Okay.'];
  c.llm.state.gapMs = 0;
  const from = c.events.length;
  const [onset = NaN] = await c.talk(clip.pcm, 1200, [clip.firstVoiced]);
  await until(
    () => c.events.slice(from).filter((e) => e.type === 'avatar.speak_ended').length >= 2,
    20_000,
    'reply',
  );
  await sleep(300);
  const ticks = c.rows('audioOut').filter((a) => a.at > onset);
  const stop = ticks.find((a, k) => ticks.slice(k, k + 12).every((t) => !t.voiced));
  const heard = c.audio.filter((a) => a.at > onset);
  const quiet = heard.find((a, k) => heard.slice(k, k + 40).every((x) => x.rms < 0.003));
  if (!stop || !quiet) {
    console.log(`  trial ${i}: no stop found`);
    continue;
  }
  m.server.push(stop.at - onset);
  const started = c.rows('agent').find((a) => a.type === 'user.speak_started' && a.at > onset);
  if (started) m.vad.push(started.at - onset);
  const heardMic = c.rows('mic').find((a) => a.at > onset - 5);
  if (heardMic) m.mic.push(heardMic.at - onset);
  m.viewer.push(quiet.at - onset);
  await sleep(1000);
}
const use = cpu();
await c.close();
console.log(`\n${m.server.length}/${TRIALS} interruptions`);
msRow('speech start → avatar audio stops (server hand-off)', m.server);
msRow('speech start → avatar audio stops (at the viewer)', m.viewer);
msRow('speech start → user.speak_started (VAD confirms: 250 ms)', m.vad);
msRow('speech start → its mic frame reaches the listener', m.mic);
console.log(`${cpuLine(use)}; loadavg at end ${load()}`);
process.exit(0);
