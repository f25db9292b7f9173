/**
 * The audio playout timeline, sans-IO.
 *
 * Audio arrives in bursts, grouped into utterances (one per LITE speak…speak_end); the timeline plays it
 * out one frame interval at a time. Each `tick()` returns exactly one frame of audio (40 ms at 25 fps)
 * plus the behaviour events that happen at that frame's presentation time. Audio is the master clock:
 * whoever calls `tick()` on a real-time clock gets real-time events; an offline renderer may call it as
 * fast as it likes.
 *
 * Invariants:
 * - Utterances play strictly in arrival order; an utterance never interleaves with another.
 * - `speak_started` is reported on the tick whose audio holds the utterance's first sample;
 *   `speak_ended` on the tick right after its last sample, i.e. at the time the sound actually stops.
 * - An utterance that runs dry before `commit()` keeps talking (silence) instead of flapping
 *   started/ended per chunk; after `underrunGraceMs` of silence it ends on its own.
 * - Listening requests while talking are remembered and applied when playback ends.
 */

import type { AgentState } from './types.js';

/** Options of an {@link AudioPlayout}. */
export interface AudioPlayoutOptions {
  /** Sample rate of the pushed audio. */
  sampleRateHz?: number;
  /** Output frame rate; one tick per frame. */
  fps?: number;
  /** How long an uncommitted utterance may run dry before it is ended. */
  underrunGraceMs?: number;
  /** Mints turn ids (LiveAvatar `task.id`). */
  newTurnId?: () => string;
}

/** A behaviour event produced by the timeline. `sourceEventId` is the client command it answers. */
export type PlayoutEvent =
  | { kind: 'speak_started'; turnId: string; sourceEventId: string | null; ptsMs: number }
  | { kind: 'speak_ended'; turnId: string; sourceEventId: string | null; ptsMs: number }
  | { kind: 'speak_interrupted'; turnId: string; sourceEventId: string | null; ptsMs: number }
  | {
      kind: 'state';
      previous: AgentState;
      next: AgentState;
      sourceEventId: string | null;
      ptsMs: number;
    };

/** One frame interval of output. */
export interface PlayoutTick {
  kind: 'audio';
  /** Presentation time of the first sample of `samples`, from the start of the timeline. */
  ptsMs: number;
  /** Turn whose audio this is, or null when silent. */
  turnId: string | null;
  /** Exactly one frame of mono PCM16, silence-padded. Owned by the caller. */
  samples: Int16Array;
  /** How many of `samples` are speech (the rest is padding). */
  speechSamples: number;
  /** Behaviour state during this frame (after `events`). */
  state: AgentState;
  /** Events that take effect at `ptsMs`, in order. */
  events: PlayoutEvent[];
}

interface Utterance {
  turnId: string;
  /** Command id of the first chunk (the LiveAvatar correlation key besides the task id). */
  sourceEventId: string | null;
  chunks: Int16Array[];
  /** Read offset into chunks[0]. */
  offset: number;
  /** Samples queued and not yet played. */
  queued: number;
  committed: boolean;
  started: boolean;
  /** Consecutive silent samples emitted while dry and uncommitted. */
  drySamples: number;
}

/** Result of appending audio. */
export interface AppendResult {
  turnId: string;
  /** True when this chunk opened a new utterance. */
  opened: boolean;
}

let turnCounter = 0;
const defaultTurnId = () => `turn-${++turnCounter}`;

/** Real-time audio playout of queued utterances; see the module comment. */
export class AudioPlayout {
  readonly sampleRateHz: number;
  readonly fps: number;
  /** Samples per output frame (960 at 24 kHz, 25 fps). */
  readonly frameSamples: number;
  private readonly underrunGraceSamples: number;
  private readonly newTurnId: () => string;

  private readonly queue: Utterance[] = [];
  private tickIndex = 0;
  private state: AgentState = 'idle';
  private listening = false;
  /** Events produced between ticks (listening changes, interrupts) and reported with the next tick. */
  private pending: PlayoutEvent[] = [];
  /** The utterance whose last sample went out on the previous tick; it ends on this tick. */
  private finishing: Utterance | null = null;

  constructor(options: AudioPlayoutOptions = {}) {
    this.sampleRateHz = options.sampleRateHz ?? 24_000;
    this.fps = options.fps ?? 25;
    const frameSamples = this.sampleRateHz / this.fps;
    if (!Number.isInteger(frameSamples)) {
      throw new RangeError(`${this.sampleRateHz} Hz does not divide into ${this.fps} fps frames`);
    }
    this.frameSamples = frameSamples;
    this.underrunGraceSamples = Math.round(((options.underrunGraceMs ?? 3000) * this.sampleRateHz) / 1000);
    this.newTurnId = options.newTurnId ?? defaultTurnId;
  }

  /** Current behaviour state. */
  get agentState(): AgentState {
    return this.state;
  }

  /** Presentation time of the next tick. */
  get nowMs(): number {
    return (this.tickIndex * 1000) / this.fps;
  }

  /** Audio queued and not yet played, in milliseconds. */
  get bufferedMs(): number {
    let samples = 0;
    for (const u of this.queue) samples += u.queued;
    return (samples * 1000) / this.sampleRateHz;
  }

  /** The open (uncommitted) utterance new audio goes to, if any. */
  private get open(): Utterance | undefined {
    const last = this.queue.at(-1);
    return last && !last.committed ? last : undefined;
  }

  /** Appends audio to the open utterance, or opens a new one. */
  append(samples: Int16Array, sourceEventId: string | null): AppendResult {
    let u = this.open;
    const opened = !u;
    if (!u) {
      u = {
        turnId: this.newTurnId(),
        sourceEventId,
        chunks: [],
        offset: 0,
        queued: 0,
        committed: false,
        started: false,
        drySamples: 0,
      };
      this.queue.push(u);
    }
    if (samples.length > 0) {
      u.chunks.push(samples);
      u.queued += samples.length;
    }
    return { turnId: u.turnId, opened };
  }

  /** Closes the open utterance: it plays out and then ends. Returns its turn, or null if none was open. */
  commit(): string | null {
    const u = this.open;
    if (!u) return null;
    u.committed = true;
    if (u.queued === 0 && !u.started) {
      // Nothing was ever heard of it: drop it silently rather than start and end on one tick.
      this.queue.pop();
    }
    return u.turnId;
  }

  /**
   * Drops every queued utterance at once. Returns the turn that was audible (and is now reported as
   * interrupted), or null when the avatar was not talking.
   */
  interrupt(sourceEventId: string | null): string | null {
    const active = this.queue.find((u) => u.started) ?? this.finishing;
    this.queue.length = 0;
    this.finishing = null;
    if (!active) {
      // Nothing was audible; a listening change deferred for the dropped audio applies now.
      this.setState(this.restingState(), sourceEventId);
      return null;
    }
    this.pending.push({
      kind: 'speak_interrupted',
      turnId: active.turnId,
      sourceEventId: active.sourceEventId,
      ptsMs: this.nowMs,
    });
    this.setState(this.restingState(), sourceEventId);
    return active.turnId;
  }

  /** Enters or leaves the listening pose; while talking, takes effect when playback ends. */
  setListening(on: boolean, sourceEventId: string | null): void {
    this.listening = on;
    // Audio queued but not yet on air counts as talking too (LiveKit sends speak_end + start_listening at once).
    if (this.state !== 'talking' && !this.queue.some((u) => u.queued > 0)) {
      this.setState(this.restingState(), sourceEventId);
    }
  }

  /** Produces the next frame of audio and the events at its presentation time. */
  tick(): PlayoutTick {
    const ptsMs = this.nowMs;
    const events = this.pending;
    this.pending = [];
    for (const e of events) e.ptsMs = ptsMs;

    if (this.finishing) {
      this.end(this.finishing, events, ptsMs);
      this.finishing = null;
    }

    const samples = new Int16Array(this.frameSamples);
    let filled = 0;
    let turnId: string | null = null;
    const head = this.queue[0];
    if (head && (head.queued > 0 || head.started)) {
      turnId = head.turnId;
      if (!head.started) {
        head.started = true;
        if (this.state !== 'talking') this.pushState(events, 'talking', null, ptsMs);
        events.push({
          kind: 'speak_started',
          turnId: head.turnId,
          sourceEventId: head.sourceEventId,
          ptsMs,
        });
      }
      filled = this.read(head, samples);
      // Silence already played while dry; compared before counting this tick so the end lands at
      // exactly `underrunGraceMs` after the last sample.
      const graceOver = filled === 0 && head.drySamples >= this.underrunGraceSamples;
      head.drySamples = filled > 0 ? 0 : head.drySamples + this.frameSamples;
      if (head.queued === 0 && (head.committed || graceOver)) {
        this.queue.shift();
        if (filled > 0) this.finishing = head;
        else {
          // Nothing audible this tick: the sound already stopped.
          this.end(head, events, ptsMs);
          turnId = null;
        }
      }
    }

    this.tickIndex++;
    return { kind: 'audio', ptsMs, turnId, samples, speechSamples: filled, state: this.state, events };
  }

  /** Clears everything, including the clock, as if newly made. */
  reset(): void {
    this.queue.length = 0;
    this.pending = [];
    this.finishing = null;
    this.tickIndex = 0;
    this.state = 'idle';
    this.listening = false;
  }

  private read(u: Utterance, out: Int16Array): number {
    let filled = 0;
    while (filled < out.length && u.chunks.length > 0) {
      const chunk = u.chunks[0]!;
      const n = Math.min(out.length - filled, chunk.length - u.offset);
      out.set(chunk.subarray(u.offset, u.offset + n), filled);
      filled += n;
      u.offset += n;
      u.queued -= n;
      if (u.offset === chunk.length) {
        u.chunks.shift();
        u.offset = 0;
      }
    }
    return filled;
  }

  private end(u: Utterance, events: PlayoutEvent[], ptsMs: number): void {
    events.push({ kind: 'speak_ended', turnId: u.turnId, sourceEventId: u.sourceEventId, ptsMs });
    const next = this.queue[0];
    // Back-to-back utterances stay `talking`; otherwise return to rest.
    if (!(next && next.queued > 0)) this.pushState(events, this.restingState(), null, ptsMs);
  }

  private restingState(): AgentState {
    return this.listening ? 'listening' : 'idle';
  }

  private setState(next: AgentState, sourceEventId: string | null): void {
    this.pushState(this.pending, next, sourceEventId, this.nowMs);
  }

  private pushState(
    events: PlayoutEvent[],
    next: AgentState,
    sourceEventId: string | null,
    ptsMs: number,
  ): void {
    if (next === this.state) return;
    events.push({ kind: 'state', previous: this.state, next, sourceEventId, ptsMs });
    this.state = next;
  }
}
