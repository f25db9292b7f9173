// @ts-check
/**
 * bench:turn — Liveface's own overhead in a FULL-mode turn (issue: ≤ 150 ms p50): from the end of the
 * user's speech as the VAD reports it (`user.speak_ended` leaving the server) to the first voiced tick
 * of the avatar's answer handed to the encoders. The STT and LLM are local servers that answer at
 * once (bench/lib/conversation.mjs), the TTS is the built-in espeak-ng voice, so the figure is the
 * pipeline: STT request, LLM stream, sentence split, TTS, playout start. Also printed: the VAD's
 * hangover (the user's last voiced sample leaving the viewer → `user.speak_ended`) and what the user
 * hears (last voiced sample → the answer's first audio at the viewer).
 *
 *   npm run bench:turn [-- --trials 10]
 */
import { conversation, sentence, until } from './lib/conversation.mjs';
import { cpuLine, cpuMeter, flag, load, machine, msRow, sleep } from './lib/live.mjs';

const TRIALS = flag('--trials', 10);
console.log(`bench:turn — ${machine()}; ${TRIALS} turns; loadavg ${load()}`);
const c = await conversation();
const cpu = cpuMeter(c.server.pid);
const clip = sentence('What time is breakfast served tomorrow morning?');
/** @type {Record<'overhead' | 'hangover' | 'heard' | 'stt' | 'llm' | 'speech', number[]>} */
const m = { overhead: [], hangover: [], heard: [], stt: [], llm: [], speech: [] };
for (let i = 0; i < TRIALS; i++) {
  const from = c.events.length;
  const [lastAt = NaN] = await c.talk(clip.pcm, 1200, [clip.lastVoiced]);
  await until(() => c.events.slice(from).some((e) => e.type === 'avatar.speak_ended'), 20_000, 'the answer');
  await sleep(200);
  const end = c.rows('agent').find((a) => a.type === 'user.speak_ended' && a.at > lastAt);
  const voice = end && c.rows('audioOut').find((a) => a.at > end.at && a.voiced);
  const heard = end && c.audio.find((a) => a.at > end.at && a.rms > 0.01);
  if (!end || !voice || !heard) {
    console.log(`  turn ${i}: incomplete (${end ? '' : 'no speak_ended '}${voice ? '' : 'no voiced tick'})`);
    continue;
  }
  m.overhead.push(voice.at - end.at);
  // Where it went: STT answered (user.transcription), first LLM delta out, first voiced tick.
  const after = c.rows('agent').filter((a) => a.at >= end.at);
  const stt = after.find((a) => a.type === 'user.transcription');
  const delta = after.find((a) => a.type === 'avatar.transcription.chunk');
  if (stt && delta) {
    m.stt.push(stt.at - end.at);
    m.llm.push(delta.at - stt.at);
    m.speech.push(voice.at - delta.at);
  }
  m.hangover.push(end.at - lastAt);
  m.heard.push(heard.at - lastAt);
  await sleep(800);
}
const use = cpu();
await c.close();
console.log(`\n${m.overhead.length}/${TRIALS} turns`);
msRow('turn overhead: user.speak_ended → first answer tick out', m.overhead, 58);
msRow('  of which: speak_ended → user.transcription (STT)', m.stt, 58);
msRow('  user.transcription → first LLM delta out', m.llm, 58);
msRow('  first LLM delta → first answer tick out (split, TTS, play)', m.speech, 58);
msRow('VAD hangover: last voiced mic sample → user.speak_ended', m.hangover, 58);
msRow('heard: last voiced mic sample → answer audio at the viewer', m.heard, 58);
console.log(`${cpuLine(use)}; loadavg at end ${load()}`);
process.exit(0);
