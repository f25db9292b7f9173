/**
 * The conversational agent of one FULL session: turns text into the avatar's speech (spec §8).
 *
 * Follow one answer: `respond(text)` (the data channel's `avatar.speak_response`, or later the user's
 * transcribed speech) adds the user's line to the history and streams the LLM's answer. Each text
 * delta goes out at once as `avatar.transcription.chunk`; the sentence splitter hands whole sentences
 * to the TTS, and its audio is appended to the session runtime as it arrives, so the first sentence is
 * playing while the rest is still being generated. When the answer is complete, `avatar.transcription`
 * carries it whole and the utterance is committed (the runtime's playout then ends it with
 * `avatar.speak_ended`). `speakText(text)` (`avatar.speak_text`, the opening text) skips the LLM.
 *
 * When the TTS gives word timings, the utterance is appended as timed and its words go to the
 * text-aware lip-sync as they arrive (`SpokenUtterance`).
 *
 * Turns run one after another, in the order they were asked for. Every turn belongs to an epoch;
 * `interrupt()` starts a new epoch: the turn in progress is aborted everywhere (its LLM request and TTS
 * stream through their AbortSignal, its queued audio in the runtime), and turns queued behind it are
 * dropped ("disrupts the entire sequence of queued calls"). The history then keeps only what the user
 * heard of the cut answer (its sentences up to the one playing, that one cut at the word reached and
 * marked "…"), so the LLM knows where it was stopped.
 *
 * A provider failure ends the turn with an `error` event naming the provider and a stable code; the
 * session goes on.
 */
import type { Logger } from 'pino';
import type { SessionRuntime } from '../sessions/runtime.js';
import { AsyncQueue } from './async-queue.js';
import {
  ProviderError,
  SentenceSplitter,
  TTS_SAMPLE_RATE_HZ,
  type AudioChunk,
  type ChatMessage,
  type LlmProvider,
  type TtsProvider,
  type WordTiming,
} from './providers/index.js';

/** An event for the viewers' data channels (`agent-response`), without envelope ids. */
export interface AgentOutEvent {
  event_type: string;
  source_event_id?: string | null;
  text?: string;
  /** Why a push-to-talk command failed. */
  reason?: string;
  error?: { code: string; message: string; provider?: string };
}

/** Options of a {@link ConversationAgent}. */
export interface ConversationAgentOptions {
  runtime: SessionRuntime;
  tts: TtsProvider;
  /** The chat model; null when none is configured (the agent then only speaks given text). */
  llm: LlmProvider | null;
  /** The context's prompt (variables filled); null: no context, restricted mode (no answers). */
  prompt: string | null;
  /** Spoken once when the first viewer is ready (variables filled); empty for none. */
  openingText: string;
  /** Sends an event to the session's viewers. */
  emit: (event: AgentOutEvent) => void;
  /** Stores a transcript line. */
  record: (role: 'user' | 'avatar', text: string) => void;
  log: Logger;
}

/** Most history messages sent to the LLM (the system prompt comes on top). */
const MAX_HISTORY = 40;

type TurnBody = (signal: AbortSignal) => Promise<void>;

/** See the module comment. */
export class ConversationAgent {
  private epoch = 0;
  private current: AbortController | null = null;
  private tail: Promise<void> = Promise.resolve();
  private readonly history: ChatMessage[] = [];
  private opened = false;
  private closed = false;
  /** The utterance spoken last (its audio may still be playing), for what an interrupt leaves heard. */
  private spoken: SpokenUtterance | null = null;

  constructor(private readonly o: ConversationAgentOptions) {}

  /** Speaks the opening text, once (called when the first viewer can hear it). */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    if (this.o.openingText.trim()) this.speakText(this.o.openingText, null);
  }

  /** `avatar.speak_text`: speaks `text` verbatim; it joins the history as the avatar's line. */
  speakText(text: string, sourceEventId: string | null): void {
    this.enqueue(async (signal) => {
      this.o.emit({ event_type: 'avatar.transcription', source_event_id: sourceEventId, text });
      this.o.record('avatar', text);
      const line: ChatMessage = { role: 'assistant', content: text };
      this.remember(line);
      const splitter = new SentenceSplitter();
      await this.speak([...splitter.push(text), ...splitter.flush()], signal, sourceEventId, line);
    });
  }

  /** Whether the avatar is answering or speaking (what a user's speech would interrupt). */
  get busy(): boolean {
    return this.current !== null || this.o.runtime.scheduler.playout.agentState === 'talking';
  }

  /** `avatar.speak_response` (and the user's finished speech): answers `text` with the LLM and speaks it. */
  respond(text: string, sourceEventId: string | null): void {
    this.enqueue(async (signal) => {
      const { llm, prompt } = this.o;
      if (!llm || prompt === null) {
        this.o.emit({
          event_type: 'error',
          source_event_id: sourceEventId,
          error: llm
            ? {
                code: 'no_context',
                message: 'This session has no context (restricted mode): the avatar does not answer.',
              }
            : {
                code: 'llm_not_configured',
                message:
                  'No LLM for this session: give the token an llm_configuration_id, or set LIVEFACE_LLM_BASE_URL.',
              },
        });
        return;
      }
      this.o.record('user', text);
      this.remember({ role: 'user', content: text });
      await this.answer(llm, prompt, signal, sourceEventId);
    });
  }

  /** `avatar.interrupt`: stops the turn in progress everywhere and drops the queued ones. */
  interrupt(sourceEventId: string | null): void {
    this.epoch++;
    const answering = this.current !== null;
    this.current?.abort(new Error('interrupted'));
    this.current = null;
    const playout = this.o.runtime.scheduler.playout;
    const unplayed = Math.round((playout.bufferedMs * playout.sampleRateHz) / 1000);
    if (this.spoken && (unplayed > 0 || answering)) this.keepHeard(this.spoken, unplayed);
    this.spoken = null;
    this.o.runtime.interrupt(sourceEventId);
  }

  /** Ends every turn; the agent takes no more. */
  close(): void {
    this.closed = true;
    this.epoch++;
    this.current?.abort(new Error('session ended'));
    this.current = null;
  }

  /** Resolves when every turn asked for so far has finished (tests). */
  idle(): Promise<void> {
    return this.tail;
  }

  private enqueue(body: TurnBody): void {
    if (this.closed) return;
    const epoch = this.epoch;
    this.tail = this.tail.then(async () => {
      if (epoch !== this.epoch || this.closed) return; // dropped by an interrupt
      const turn = new AbortController();
      this.current = turn;
      try {
        await body(turn.signal);
      } catch (e) {
        if (!turn.signal.aborted) this.fail(e);
      } finally {
        if (this.current === turn) this.current = null;
      }
    });
  }

  private async answer(
    llm: LlmProvider,
    prompt: string,
    signal: AbortSignal,
    source: string | null,
  ): Promise<void> {
    const splitter = new SentenceSplitter();
    let said = '';
    // Sentences are spoken in order while the answer streams; speaking one waits for its audio only
    // as fast as the TTS delivers it, so generation and speech overlap.
    const sentences = new AsyncQueue<string>();
    // The answer's history line, remembered once it is complete (or, when cut, as far as it was heard).
    const line: ChatMessage = { role: 'assistant', content: '' };
    // Settled here so a TTS failure while the LLM still streams is not an unhandled rejection.
    const speaker = this.speak(sentences, signal, source, line).then(
      () => null,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    try {
      for await (const delta of llm.chat(this.history, { signal, system: prompt })) {
        if (signal.aborted) break;
        said += delta;
        this.o.emit({ event_type: 'avatar.transcription.chunk', source_event_id: source, text: delta });
        sentences.push(...splitter.push(delta));
      }
      sentences.push(...splitter.flush());
    } finally {
      sentences.end();
    }
    const ttsError = await speaker;
    if (ttsError) throw ttsError;
    if (signal.aborted) return;
    const text = said.trim();
    this.o.emit({ event_type: 'avatar.transcription', source_event_id: source, text });
    if (text) {
      this.o.record('avatar', text);
      line.content = text;
      this.remember(line);
    }
  }

  /** After an interrupt: the utterance's history line becomes what the user heard of it. */
  private keepHeard(u: SpokenUtterance, unplayed: number): void {
    const heard = u.heard(unplayed);
    const at = this.history.indexOf(u.line);
    if (at >= 0) {
      if (heard) u.line.content = heard;
      else this.history.splice(at, 1);
    } else if (heard) {
      // An answer cut while it was still being generated was never stored: store what was heard.
      u.line.content = heard;
      this.remember(u.line);
      this.o.record('avatar', heard);
    }
  }

  /**
   * Synthesizes sentences in order and appends their audio as one utterance, then commits it. `line`
   * is the history message it voices.
   */
  private async speak(
    sentences: AsyncIterable<string> | Iterable<string>,
    signal: AbortSignal,
    source: string | null,
    line: ChatMessage,
  ): Promise<void> {
    const { runtime, tts } = this.o;
    const utterance = new SpokenUtterance(runtime, tts.wordTimings, source, line);
    this.spoken = utterance;
    try {
      for await (const sentence of sentences as AsyncIterable<string>) {
        if (signal.aborted) return;
        utterance.startSentence(sentence);
        for await (const chunk of tts.synthesize(sentence, { signal })) {
          if (signal.aborted) return;
          utterance.add(chunk);
        }
        utterance.endSentence();
      }
    } finally {
      if (utterance.spoke && !signal.aborted) runtime.scheduler.commit();
    }
  }

  private remember(m: ChatMessage): void {
    this.history.push(m);
    if (this.history.length > MAX_HISTORY) this.history.splice(0, this.history.length - MAX_HISTORY);
  }

  private fail(e: unknown): void {
    const err =
      e instanceof ProviderError
        ? { code: e.code, message: e.message, provider: e.provider }
        : { code: 'agent_error', message: (e as Error).message ?? String(e) };
    this.o.log.warn({ err: e }, 'FULL-mode turn failed');
    this.o.emit({ event_type: 'error', source_event_id: null, error: err });
  }
}

/**
 * One utterance's audio into the runtime, and, when the TTS gives word timings, its words into the
 * text-aware lip-sync. Each sentence is its own TTS request timed from its own audio start, so its
 * words move by the audio of the utterance before it. It remembers where each sentence's audio lies,
 * so an interrupt can tell how much of it was heard.
 */
class SpokenUtterance {
  /** Some audio was appended. */
  spoke = false;
  /** Each sentence and the span of its audio in all the audio appended, samples. */
  private readonly sentences: { text: string; from: number; to: number }[] = [];
  /** Samples appended in all (across a playout restart, unlike `appended`). */
  private total = 0;
  private turnId: string | null = null;
  /** Samples of the runtime's utterance appended so far. */
  private appended = 0;
  /** Where the current sentence starts in the runtime's utterance, samples. */
  private sentenceAt = 0;
  /** Words that came before any audio opened the utterance. */
  private early: WordTiming[] = [];

  constructor(
    private readonly runtime: SessionRuntime,
    private readonly timed: boolean,
    private readonly source: string | null,
    /** The history message this utterance voices. */
    readonly line: ChatMessage,
  ) {}

  startSentence(text: string): void {
    this.sentenceAt = this.appended;
    this.sentences.push({ text, from: this.total, to: this.total });
  }

  /**
   * The text heard when the last `unplayed` samples appended go unplayed: whole sentences, then the one
   * playing cut at the share of its words its played audio reached, marked "…". Empty when none played.
   */
  heard(unplayed: number): string {
    const played = this.total - unplayed;
    const said: string[] = [];
    for (const s of this.sentences) {
      if (s.from >= played) break;
      if (s.to === s.from) continue; // no audio (a TTS with nothing to say)
      const words = s.text.trim().split(/\s+/u);
      if (played >= s.to) {
        said.push(...words);
        continue;
      }
      const share = (played - s.from) / (s.to - s.from);
      said.push(...words.slice(0, Math.max(1, Math.round(share * words.length))));
      return `${said.join(' ')}…`;
    }
    return said.join(' ');
  }

  add(chunk: AudioChunk): void {
    // Words before the audio they describe, so the lip-sync never waits for them.
    if (this.timed && chunk.words) {
      if (this.turnId) this.giveWords(chunk.words);
      else this.early.push(...chunk.words);
    }
    if (chunk.pcm.length === 0) return;
    const r = this.runtime.append(chunk.pcm, this.source, { timed: this.timed });
    if (r.opened && this.appended > 0) {
      // The playout ended the utterance while it ran dry (the LLM stalled): a new one starts here.
      this.sentenceAt -= this.appended;
      this.appended = 0;
    }
    this.turnId = r.turnId;
    this.appended += chunk.pcm.length;
    this.total += chunk.pcm.length;
    this.sentences[this.sentences.length - 1]!.to = this.total;
    this.spoke = true;
    if (this.early.length) this.giveWords(this.early.splice(0));
  }

  /** The request is over: its audio gets no more words, so the lip-sync need not wait for any. */
  endSentence(): void {
    if (this.timed && this.turnId)
      this.runtime.scheduler.words(this.turnId, [], { knownUntilMs: ms(this.appended) });
  }

  private giveWords(words: readonly WordTiming[]): void {
    const at = ms(this.sentenceAt);
    const timed = words.map((w) => ({ text: w.word, startMs: at + w.startMs, endMs: at + w.endMs }));
    this.runtime.scheduler.words(this.turnId!, timed);
  }
}

/** Samples of TTS audio → ms. */
const ms = (samples: number): number => (samples * 1000) / TTS_SAMPLE_RATE_HZ;
