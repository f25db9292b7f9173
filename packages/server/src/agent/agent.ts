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
 * Turns run one after another, in the order they were asked for. Every turn belongs to an epoch;
 * `interrupt()` starts a new epoch: the turn in progress is aborted everywhere (its LLM request and TTS
 * stream through their AbortSignal, its queued audio in the runtime), and turns queued behind it are
 * dropped ("disrupts the entire sequence of queued calls").
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
  type ChatMessage,
  type LlmProvider,
  type TtsProvider,
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
      this.remember({ role: 'assistant', content: text });
      const splitter = new SentenceSplitter();
      await this.speak([...splitter.push(text), ...splitter.flush()], signal, sourceEventId);
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
    this.current?.abort(new Error('interrupted'));
    this.current = null;
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
    // Settled here so a TTS failure while the LLM still streams is not an unhandled rejection.
    const speaker = this.speak(sentences, signal, source).then(
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
      this.remember({ role: 'assistant', content: text });
    }
  }

  /** Synthesizes sentences in order and appends their audio as one utterance, then commits it. */
  private async speak(
    sentences: AsyncIterable<string> | Iterable<string>,
    signal: AbortSignal,
    source: string | null,
  ): Promise<void> {
    const { runtime, tts } = this.o;
    let spoke = false;
    try {
      for await (const sentence of sentences as AsyncIterable<string>) {
        if (signal.aborted) return;
        for await (const chunk of tts.synthesize(sentence, { signal })) {
          if (signal.aborted) return;
          if (chunk.pcm.length === 0) continue;
          runtime.append(chunk.pcm, source);
          spoke = true;
        }
      }
    } finally {
      if (spoke && !signal.aborted) runtime.scheduler.commit();
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
