/**
 * The live part of one session: the audio playout timeline driven by a real-time (or manual) clock.
 *
 * One tick per frame interval. Each tick takes one frame of audio off the timeline and hands it, with
 * the behaviour events at its presentation time, to the frame sinks (media transports; none in the
 * control plane) and to the event listeners (the LITE gateway). Audio is the master clock: events are
 * emitted when the audio they describe is played, not when it arrives.
 */
import { AudioPlayout, type PlayoutEvent, type PlayoutTick } from '@liveface/engine';
import type { Clock, Timer } from '../clock.js';

/** Options of a {@link SessionRuntime}. */
export interface SessionRuntimeOptions {
  sessionId: string;
  clock: Clock;
  fps: 25 | 30;
  underrunGraceMs: number;
  newTurnId: () => string;
  /** Called when the session is doing something (talking counts), to hold off the idle timeout. */
  onActivity: () => void;
  /** Called when the clock stalled and ticks were dropped (event-loop blocked). */
  onStall?: (droppedMs: number) => void;
}

/** Receives every tick: audio frame plus the events at its time. */
export type FrameSink = (tick: PlayoutTick) => void;
/** Receives behaviour events as they happen. */
export type EventListener = (event: PlayoutEvent) => void;

/** Ticks behind schedule we make up by running back-to-back; beyond this the clock skips forward. */
const MAX_CATCH_UP_TICKS = 5;

/** The per-session runtime; see the module comment. */
export class SessionRuntime {
  readonly playout: AudioPlayout;
  private readonly clock: Clock;
  private readonly frameMs: number;
  private readonly sinks = new Set<FrameSink>();
  private readonly listeners = new Set<EventListener>();
  private timer: Timer | null = null;
  private startedAt = 0;
  private ticks = 0;
  private closed = false;

  constructor(private readonly opts: SessionRuntimeOptions) {
    this.clock = opts.clock;
    this.frameMs = 1000 / opts.fps;
    this.playout = new AudioPlayout({
      fps: opts.fps,
      underrunGraceMs: opts.underrunGraceMs,
      newTurnId: opts.newTurnId,
    });
  }

  /** Resolves when the runtime can take commands (media workers ready, later). */
  readonly ready: Promise<void> = Promise.resolve();

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts the playout clock. */
  start(): void {
    if (this.timer || this.closed) return;
    this.startedAt = this.clock.now();
    this.schedule();
  }

  /** Subscribes to every tick; returns the unsubscribe function. */
  addSink(sink: FrameSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Subscribes to behaviour events; returns the unsubscribe function. */
  addListener(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the clock and drops all audio and subscribers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    this.playout.reset();
    this.sinks.clear();
    this.listeners.clear();
  }

  private schedule(): void {
    const due = this.startedAt + (this.ticks + 1) * this.frameMs;
    this.timer = this.clock.setTimeout(() => this.onTimer(), Math.max(0, due - this.clock.now()));
  }

  private onTimer(): void {
    if (this.closed) return;
    const now = this.clock.now();
    // Ticks that are due: normally one; a few after a short stall; beyond that, skip ahead.
    // Tick k is due at startedAt + (k + 1) · frameMs; a timer never runs fewer than one.
    let due = Math.max(1, Math.floor((now - this.startedAt) / this.frameMs) - this.ticks);
    if (due > MAX_CATCH_UP_TICKS) {
      const dropped = (due - 1) * this.frameMs;
      this.startedAt += dropped;
      due = 1;
      this.opts.onStall?.(dropped);
    }
    for (let i = 0; i < due && !this.closed; i++) this.tick();
    if (!this.closed) this.schedule();
  }

  /** Runs exactly one tick (the clock calls this; offline rendering may too). */
  tick(): PlayoutTick {
    this.ticks++;
    const t = this.playout.tick();
    if (t.state === 'talking') this.opts.onActivity();
    for (const sink of this.sinks) sink(t);
    for (const e of t.events) for (const l of this.listeners) l(e);
    return t;
  }
}
