/**
 * The live part of one session: the avatar pipeline driven by a real-time (or manual) clock.
 *
 * Follow one audio chunk: the LITE gateway calls `append`, and the scheduler queues it in its utterance
 * and runs lip-sync on it at once. If the avatar was silent, the clock re-phases so the chunk starts
 * playing now rather than up to a frame later (this is most of the latency budget). Every 40 ms the
 * clock ticks: the scheduler takes
 * one frame of audio off the timeline and computes the pose that depicts it (mouth, eyes, head). While
 * someone watches, the tick's audio leaves for the media sinks (the WebRTC viewers) at once, on the
 * clock, and the pose goes to this session's slot on a render worker (opened at start, so the renderer
 * is warm when the first viewer comes); the frame follows its audio as soon as it is drawn (a few ms).
 * Audio is the master clock: it leaves on fixed deadlines whatever the workers do (render-time jitter
 * on the audio would grow the viewer's jitter buffer and hold the sound back behind the picture),
 * behaviour events go to listeners (the LITE gateway) on the tick that plays them, and while a worker
 * is busy only the newest pose waits for it: a frame that cannot be drawn in time is skipped, never
 * queued behind.
 */
import {
  createAvatarPipeline,
  type AppendOptions,
  type AvatarPose,
  type FrameScheduler,
  type PlayoutEvent,
} from '@liveface/engine';
import type { Clock, Timer } from '../clock.js';
import type { I420Frame, RenderPool, RenderSlot, RenderTarget } from '../media/render-pool.js';

/** Options of a {@link SessionRuntime}. */
export interface SessionRuntimeOptions {
  sessionId: string;
  clock: Clock;
  fps: 25 | 30;
  underrunGraceMs: number;
  newTurnId: () => string;
  /** Draws frames for media sinks; without it the session has no video. */
  render?: { pool: RenderPool; target: RenderTarget };
  /** Seeds the avatar's behaviour. */
  seed?: number;
  /** Called when the session is doing something (talking counts), to hold off the idle timeout. */
  onActivity: () => void;
  /** Called when the clock stalled and ticks were dropped (event-loop blocked). */
  onStall?: (droppedMs: number) => void;
  /** Called for each frame that was not drawn in time (worker slow or crashed). */
  onFrameLate?: (reason: 'busy' | 'failed') => void;
  /** Called when an utterance opens, with its lip-sync path (text: timed, see FrameScheduler.append). */
  onUtterance?: (lipSync: 'audio' | 'text') => void;
}

/** Receives each tick's audio at the tick and its frame when drawn, both stamped with the tick's pts. */
export interface MediaSink {
  /**
   * PCM16 mono at the scheduler's rate, one tick of it, on the clock. `rephased`: the clock ran this
   * tick early (new speech after silence, or an interrupt), so audio of earlier ticks not yet sent is
   * superseded (silence, or the speech that was cut).
   */
  audio(ptsMs: number, samples: Int16Array, sampleRateHz: number, rephased: boolean): void;
  /**
   * The frame depicting the audio of `ptsMs`, a few ms after that audio. Frames of ticks the workers
   * could not draw are skipped (viewers keep the last). The buffer is reused two frames later.
   */
  video(ptsMs: number, frame: I420Frame): void;
}
/** Receives behaviour events as they happen. */
export type EventListener = (event: PlayoutEvent) => void;

/** Ticks behind schedule we make up by running back-to-back; beyond this the clock skips forward. */
const MAX_CATCH_UP_TICKS = 5;

/** The per-session runtime; see the module comment. */
export class SessionRuntime {
  readonly scheduler: FrameScheduler;
  private readonly clock: Clock;
  private readonly frameMs: number;
  private readonly media = new Set<MediaSink>();
  private readonly listeners = new Set<EventListener>();
  private slot: RenderSlot | null = null;
  /** The newest pose waiting while the worker draws the previous one. */
  private queued: { ptsMs: number; pose: AvatarPose } | null = null;
  private lastPose: AvatarPose | null = null;
  private readonly frameBuffers: Uint8Array[] = [];
  private drawn = 0;
  /** The next tick runs early (see MediaSink.audio). */
  private rephased = false;
  private timer: Timer | null = null;
  private startedAt = 0;
  private ticks = 0;
  private closed = false;

  constructor(private readonly opts: SessionRuntimeOptions) {
    this.clock = opts.clock;
    this.frameMs = 1000 / opts.fps;
    const target = opts.render?.target;
    this.scheduler = createAvatarPipeline({
      avatarId: target?.avatarId ?? '',
      quality: target?.quality ?? 'medium',
      fps: opts.fps,
      seed: opts.seed ?? 1,
      underrunGraceMs: opts.underrunGraceMs,
      newTurnId: opts.newTurnId,
      renderer: null,
    });
    // The renderer is built on its worker now, so the first viewer does not wait for it.
    if (opts.render) this.slot = opts.render.pool.open(opts.render.target);
  }

  /** Resolves when the runtime can take commands. */
  readonly ready: Promise<void> = Promise.resolve();

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The pose of the last tick (tests, diagnostics). */
  get pose(): AvatarPose | null {
    return this.lastPose;
  }

  /** Starts the playout clock. */
  start(): void {
    if (this.timer || this.closed) return;
    this.startedAt = this.clock.now();
    this.schedule();
  }

  /** Appends speech to the current utterance (see FrameScheduler.append); a silent avatar starts at once. */
  append(
    samples: Int16Array,
    sourceEventId: string | null,
    opts: AppendOptions = {},
  ): { turnId: string; opened: boolean; timed: boolean } {
    const playout = this.scheduler.playout;
    const silent = playout.agentState !== 'talking' && playout.bufferedMs === 0;
    const r = this.scheduler.append(samples, sourceEventId, opts);
    if (r.opened) this.opts.onUtterance?.(r.timed ? 'text' : 'audio');
    // After the caller has answered the command (audio_buffer_appended comes before speak_started).
    if (silent && samples.length > 0) queueMicrotask(() => this.startNow());
    return r;
  }

  /**
   * Drops the queued speech (see FrameScheduler.interrupt) and plays the silence at once: the next tick
   * runs now rather than up to a frame later, and the cut tick's unsent audio is dropped.
   */
  interrupt(sourceEventId: string | null): string | null {
    const turnId = this.scheduler.interrupt(sourceEventId);
    queueMicrotask(() => this.startNow());
    return turnId;
  }

  /** Subscribes to audio + video; frames are drawn only while someone is subscribed. */
  addMediaSink(sink: MediaSink): () => void {
    if (this.closed) return () => undefined;
    this.media.add(sink);
    return () => {
      this.media.delete(sink);
      if (this.media.size === 0) this.queued = null;
    };
  }

  /** Subscribes to behaviour events; returns the unsubscribe function. */
  addListener(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the clock, releases the render slot and drops all audio and subscribers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    this.scheduler.playout.reset();
    this.slot?.close();
    this.slot = null;
    this.queued = null;
    this.media.clear();
    this.listeners.clear();
  }

  /** Runs the next tick now and re-phases the clock around it. */
  private startNow(): void {
    if (!this.timer || this.closed) return;
    this.timer.cancel();
    this.rephased = true;
    this.startedAt = this.clock.now() - (this.ticks + 1) * this.frameMs;
    this.onTimer();
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

  /** Runs exactly one tick (the clock calls this). */
  tick(): void {
    this.ticks++;
    const f = this.scheduler.tick();
    this.lastPose = f.pose;
    if (f.state === 'talking') this.opts.onActivity();
    if (this.media.size > 0) this.deliver(f.ptsMs, f.audio, f.pose);
    for (const e of f.events) for (const l of this.listeners) l(e);
  }

  /** Sends a tick's audio now and draws its frame (or, if the worker is busy, queues it as the newest). */
  private deliver(ptsMs: number, audio: Int16Array, pose: AvatarPose): void {
    const rate = this.scheduler.playout.sampleRateHz;
    const rephased = this.rephased;
    this.rephased = false;
    for (const sink of this.media) sink.audio(ptsMs, audio, rate, rephased);
    const slot = this.slot;
    if (!slot) return;
    if (slot.inFlight > 0) {
      if (this.queued) this.opts.onFrameLate?.('busy');
      this.queued = { ptsMs, pose };
      return;
    }
    this.draw(slot, ptsMs, pose);
  }

  private draw(slot: RenderSlot, ptsMs: number, pose: AvatarPose): void {
    // Two I420 buffers take turns: the encoders copy a frame when it is handed over, so the one
    // before last is free again (no 0.6 MB allocation per frame at 480p).
    const into = (this.frameBuffers[this.drawn++ % 2] ??= new Uint8Array((slot.width * slot.height * 3) / 2));
    const next = () => {
      const q = this.queued;
      this.queued = null;
      if (q && this.slot === slot && this.media.size > 0) this.draw(slot, q.ptsMs, q.pose);
    };
    slot.render(pose, into).then(
      (frame) => {
        if (this.slot !== slot) return;
        for (const sink of this.media) sink.video(ptsMs, frame);
        next();
      },
      () => {
        if (this.slot !== slot) return;
        this.opts.onFrameLate?.('failed');
        next();
      },
    );
  }
}
