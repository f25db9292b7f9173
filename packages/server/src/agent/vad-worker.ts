/**
 * The VAD thread: every session's Silero VAD runs here, off the main thread (see vad-thread.ts).
 * Each VAD call is a chain of asynchronous model runs, one per 32 ms frame; on the main thread every
 * link waited for a turn of a busy event loop, and under load the VAD fell seconds behind the
 * microphone. Here the chain runs on an event loop that does nothing else.
 */
import { parentPort } from 'node:worker_threads';
import { SileroVad, SileroVadModel } from './vad.js';
import type { FromVadThread, ToVadThread } from './vad-thread.js';

const port = parentPort;
if (!port) throw new Error('vad-worker.js runs as a worker thread');
let model: Promise<SileroVadModel> | null = null;
const vads = new Map<number, SileroVad>();
const send = (m: FromVadThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: ToVadThread) => {
  switch (m.type) {
    case 'open':
      model ??= SileroVadModel.load();
      model.then(
        (loaded) => {
          vads.set(m.id, new SileroVad(loaded, m.options));
          send({ type: 'opened', id: m.id });
        },
        (e: unknown) => {
          model = null;
          send({ type: 'failed', id: m.id, message: (e as Error).message });
        },
      );
      return;
    case 'push': {
      const vad = vads.get(m.id);
      if (!vad) return;
      vad.push(m.pcm).then(
        (events) => {
          // The pre-roll is only valid right after the push that started the speech: take it now.
          const preRoll = events.some((e) => e.kind === 'speech_start') ? vad.preRoll() : null;
          send(
            {
              type: 'result',
              id: m.id,
              seq: m.seq,
              events,
              probability: vad.probability,
              speaking: vad.speaking,
              preRoll,
            },
            preRoll ? [preRoll.buffer as ArrayBuffer] : [],
          );
        },
        (e: unknown) => send({ type: 'result', id: m.id, seq: m.seq, error: (e as Error).message }),
      );
      return;
    }
    case 'reset':
      vads.get(m.id)?.reset();
      return;
    case 'close':
      vads.get(m.id)?.reset();
      vads.delete(m.id);
      return;
  }
});
