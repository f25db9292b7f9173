/**
 * The ears of a FULL session: the viewer's microphone → 16 kHz → voice activity → speech-to-text →
 * the agent (spec §8.3, §8.4).
 *
 * Follow one user turn (CONVERSATIONAL): 10 ms mic frames from WebRTC are resampled to 16 kHz and
 * fed to the VAD. When it confirms speech, `user.speak_started` goes out, the avatar is interrupted if
 * it is talking (barge-in), and the turn's audio is collected from the VAD's pre-roll on. When the VAD
 * hears the speech end, `user.speak_ended` goes out, the audio is transcribed, `user.transcription`
 * carries the text, and the agent answers it. A streaming STT (Deepgram) hears the turn while the user
 * speaks, from the pre-roll on: its interim results go out as `user.transcription.chunk` (the turn so
 * far, cumulative), and the final text is ready a moment after the VAD's end. PUSH_TO_TALK ignores the VAD: only the audio between
 * `user.start_push_to_talk` and `user.stop_push_to_talk` is a turn ("audio outside PTT windows is
 * ignored"). Transcriptions finish in the order the user spoke.
 *
 * One microphone is listened to: the first viewer whose audio arrives (several viewers' mics mixed
 * would be noise to the VAD and STT).
 */
import type { Logger } from 'pino';
import { concatPcm16 } from '@liveface/engine';
import type { AgentOutEvent } from './agent.js';
import { AsyncQueue } from './async-queue.js';
import type { StreamingSttProvider, SttProvider } from './providers/index.js';
import { Resampler } from './resampler.js';
import { VAD_SAMPLE_RATE_HZ, type VadEvent } from './vad.js';

/** What the listener needs of a VAD: SileroVad, or a RemoteVad on the VAD thread. */
export interface ListenerVad {
  push(pcm: Int16Array): Promise<VadEvent[]>;
  preRoll(): Int16Array;
  readonly probability: number;
  readonly speaking: boolean;
  reset(): void;
  close?(): void;
}

/** Options of a {@link UserListener}. */
export interface UserListenerOptions {
  vad: ListenerVad;
  /** Speech-to-text; null: the user's turns are detected (events, barge-in) but not transcribed. */
  stt: SttProvider | null;
  language: string;
  mode: 'CONVERSATIONAL' | 'PUSH_TO_TALK';
  emit: (event: AgentOutEvent) => void;
  /** The user started speaking (barge-in): at the first signs of speech, once per turn. */
  onSpeechStart: () => void;
  /** The user's turn, transcribed. */
  onUserTurn: (text: string) => void;
  log: Logger;
}

/**
 * Mic audio handed to the VAD at once: one model frame (512 samples, 32 ms). Each VAD push is a few
 * asynchronous hops on the main thread; 10 ms pushes tripled them, and on a busy main thread the VAD
 * fell behind.
 */
const VAD_PUSH_SAMPLES = 512;
/**
 * Barge-in needs less evidence than a turn: two VAD frames in a row (32 ms each) at or above the start
 * probability, or one that is nearly certain, stop the avatar before the VAD confirms a turn (250 ms).
 * A cough may cut the avatar short; a late stop talks over the user, which is worse.
 */
const BARGE_IN_FRAMES = 2;
/** Probability of a speech frame for barge-in (the VAD's start threshold). */
const BARGE_IN_PROBABILITY = 0.5;
/** Probability at which one frame is enough. */
const BARGE_IN_CERTAIN = 0.9;
/** Shortest push-to-talk window worth transcribing, s of 16 kHz audio. */
const MIN_PTT_SAMPLES = VAD_SAMPLE_RATE_HZ * 0.2;

/** See the module comment. */
export class UserListener {
  private resampler: Resampler | null = null;
  private rateHz = 0;
  private micOwner: string | null = null;
  /** The turn being collected (16 kHz chunks), or null between turns. */
  private turn: Int16Array[] | null = null;
  private ptt = false;
  /** 16 kHz audio not yet given to the VAD (less than VAD_PUSH_SAMPLES). */
  private vadPending: Int16Array[] = [];
  private vadPendingSamples = 0;
  /** Speech-like VAD frames in a row, and whether they already barged in. */
  private speechFrames = 0;
  private bargedIn = false;
  private transcribing: Promise<void> = Promise.resolve();
  /** The streaming STT's input while a CONVERSATIONAL turn is being heard. */
  private live: AsyncQueue<Int16Array> | null = null;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly o: UserListenerOptions) {}

  /** Mic audio of a viewer: PCM16 mono at `rateHz`, as WebRTC delivers it. */
  push(samples: Int16Array, rateHz: number, viewerId: string): void {
    if (this.closed) return;
    this.micOwner ??= viewerId;
    if (viewerId !== this.micOwner) return;
    if (rateHz !== this.rateHz) {
      this.rateHz = rateHz;
      this.resampler = new Resampler({ inputRateHz: rateHz, outputRateHz: VAD_SAMPLE_RATE_HZ });
    }
    const pcm = this.resampler!.push(samples);
    if (pcm.length === 0) return;
    if (this.o.mode === 'PUSH_TO_TALK') {
      if (this.ptt) this.turn?.push(pcm);
      return;
    }
    this.vadPending.push(pcm);
    this.vadPendingSamples += pcm.length;
    if (this.vadPendingSamples < VAD_PUSH_SAMPLES) return;
    const chunk = concatPcm16(this.vadPending);
    this.vadPending = [];
    this.vadPendingSamples = 0;
    this.o.vad.push(chunk).then(
      (events) => this.onVad(events, chunk),
      (e: unknown) => this.o.log.warn({ err: e }, 'VAD failed on a mic frame'),
    );
  }

  /** `user.start_push_to_talk`: the acknowledgement event to send. */
  startPushToTalk(): AgentOutEvent {
    if (this.o.mode !== 'PUSH_TO_TALK') {
      return { event_type: 'user.push_to_talk_start_failed', reason: 'the session is CONVERSATIONAL' };
    }
    if (!this.ptt) {
      this.ptt = true;
      this.turn = [];
      this.o.onSpeechStart();
      this.o.emit({ event_type: 'user.speak_started' });
    }
    return { event_type: 'user.push_to_talk_started' };
  }

  /** `user.stop_push_to_talk`: the acknowledgement event to send; the window's audio becomes a turn. */
  stopPushToTalk(): AgentOutEvent {
    if (this.o.mode !== 'PUSH_TO_TALK' || !this.ptt) {
      return {
        event_type: 'user.push_to_talk_stop_failed',
        reason:
          this.o.mode !== 'PUSH_TO_TALK' ? 'the session is CONVERSATIONAL' : 'push-to-talk was not started',
      };
    }
    this.ptt = false;
    const audio = concatPcm16(this.turn ?? []);
    this.turn = null;
    this.o.emit({ event_type: 'user.speak_ended' });
    if (audio.length >= MIN_PTT_SAMPLES) this.transcribe(audio);
    return { event_type: 'user.push_to_talk_stopped' };
  }

  /** Stops listening; a transcription in flight is aborted. */
  close(): void {
    this.closed = true;
    this.abort.abort(new Error('session ended'));
    this.live?.end();
    this.live = null;
    if (this.o.vad.close) this.o.vad.close();
    else this.o.vad.reset();
  }

  private onVad(events: VadEvent[], pcm: Int16Array): void {
    if (this.closed) return;
    const p = this.o.vad.probability;
    if (p >= BARGE_IN_PROBABILITY) {
      if ((++this.speechFrames >= BARGE_IN_FRAMES || p >= BARGE_IN_CERTAIN) && !this.bargedIn) {
        this.bargedIn = true;
        this.o.onSpeechStart();
      }
    } else if (!this.o.vad.speaking) {
      this.speechFrames = 0;
      this.bargedIn = false;
    }
    let started = false;
    for (const e of events) {
      if (e.kind === 'speech_start') {
        started = true;
        const preRoll = this.o.vad.preRoll();
        this.turn = [preRoll];
        if (!this.bargedIn) this.o.onSpeechStart();
        this.bargedIn = true;
        this.o.emit({ event_type: 'user.speak_started' });
        if (this.o.stt?.mode === 'streaming') this.hearLive(this.o.stt, preRoll);
      } else {
        const audio = concatPcm16(this.turn ?? []);
        this.turn = null;
        this.o.emit({ event_type: 'user.speak_ended' });
        if (this.live) {
          this.live.end();
          this.live = null;
        } else this.transcribe(audio);
      }
    }
    // The pre-roll already holds this push's audio.
    if (this.turn && !started) {
      this.turn.push(pcm);
      this.live?.push(pcm);
    }
  }

  /** Streams the turn to the STT while the user speaks; the result joins the queue of turns. */
  private hearLive(stt: StreamingSttProvider, preRoll: Int16Array): void {
    const queue = new AsyncQueue<Int16Array>();
    queue.push(preRoll);
    this.live = queue;
    const signal = this.abort.signal;
    const heard = (async () => {
      let finals = '';
      for await (const e of stt.listen(queue, {
        sampleRateHz: VAD_SAMPLE_RATE_HZ,
        language: this.o.language,
        signal,
      })) {
        const text = [finals, e.text].filter(Boolean).join(' ');
        if (e.kind === 'final') finals = text;
        if (text && !signal.aborted) this.o.emit({ event_type: 'user.transcription.chunk', text });
      }
      return finals;
    })();
    // Settled by the turn queue below; meanwhile not an unhandled rejection.
    heard.catch(() => undefined);
    this.finish(() => heard);
  }

  private transcribe(audio: Int16Array): void {
    const { stt } = this.o;
    if (!stt) return;
    this.finish(() => transcribeWith(stt, audio, this.o.language, this.abort.signal));
  }

  /** Queues a turn's transcription: turns are answered in the order the user spoke them. */
  private finish(transcript: () => Promise<string>): void {
    const signal = this.abort.signal;
    const job = this.transcribing.then(async () => {
      if (signal.aborted) return;
      const text = (await transcript()).trim();
      if (signal.aborted || !text) return;
      this.o.emit({ event_type: 'user.transcription', text });
      this.o.onUserTurn(text);
    });
    this.transcribing = job.catch((e: unknown) => {
      if (signal.aborted) return;
      const err = e as { code?: string; provider?: string; message?: string };
      this.o.log.warn({ err: e }, 'transcribing the user failed');
      this.o.emit({
        event_type: 'error',
        error: {
          code: err.code ?? 'agent_error',
          message: err.message ?? String(e),
          ...(err.provider ? { provider: err.provider } : {}),
        },
      });
    });
  }
}

/** One finished utterance through either kind of STT. */
async function transcribeWith(
  stt: SttProvider,
  audio: Int16Array,
  language: string,
  signal: AbortSignal,
): Promise<string> {
  const opts = { sampleRateHz: VAD_SAMPLE_RATE_HZ, language, signal };
  if (stt.mode === 'batch') return (await stt.transcribe(audio, opts)).text;
  let text = '';
  // A streaming STT gets the finished turn in 100 ms chunks (live streaming during speech: not yet).
  const chunks = (async function* () {
    for (let i = 0; i < audio.length; i += 1600) yield await Promise.resolve(audio.subarray(i, i + 1600));
  })();
  for await (const e of stt.listen(chunks, opts)) if (e.kind === 'final') text += (text ? ' ' : '') + e.text;
  return text;
}
