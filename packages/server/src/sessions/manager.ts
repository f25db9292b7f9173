/**
 * Session lifecycle: token → start → (keep-alive, activity) → end. Every way a session can end (stop,
 * idle timeout, max duration, avatar deleted, shutdown, error) goes through `end()`, which records the
 * reason once, stops the runtime and tells the session's subscribers (the LITE gateway).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  SANDBOX_AVATAR_ID,
  resolveVideo,
  type SessionEndReason,
  type SessionTokenClaims,
  type StartResponse,
  type TokenRequest,
  type VideoEncoding,
  type VideoQuality,
} from '@liveface/protocol';
import type { Clock, Timer } from '../clock.js';
import type { Config } from '../config.js';
import { LivefaceError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { signJwt } from '../auth/jwt.js';
import { capability } from '../auth/secrets.js';
import type { RenderPool } from '../media/render-pool.js';
import type { Db } from '../store/db.js';
import { getAvatar } from '../store/avatars.js';
import * as store from '../store/sessions.js';
import { ConversationAgent, type AgentOutEvent } from '../agent/agent.js';
import { ProviderError } from '../agent/providers/index.js';
import { UserListener } from '../agent/listener.js';
import { llmFor, resolveFullSetup, sttFor, ttsForVoice } from '../agent/session-agent.js';
import { VadThread, type RemoteVad } from '../agent/vad-thread.js';
import { SessionRuntime } from './runtime.js';

/** Called once when a session ends. */
export type EndHook = (reason: SessionEndReason) => void;

/** A session that has not ended, as held in memory. */
interface LiveSession {
  id: string;
  avatarId: string;
  quality: VideoQuality;
  mode: 'FULL' | 'LITE';
  status: 'created' | 'active' | 'ending';
  maxDurationS: number;
  lastActivity: number;
  idleTimer: Timer | null;
  maxTimer: Timer | null;
  runtime: SessionRuntime | null;
  /** FULL sessions: the agent, from start to end. */
  agent: ConversationAgent | null;
  /** FULL sessions: the microphone's VAD → STT (null when the VAD cannot load). */
  listener: UserListener | null;
  /** FULL sessions: receivers of the agent's events (the WebRTC data channels). */
  agentListeners: Set<(event: AgentOutEvent) => void>;
  /** The token request, as stored (FULL: to build the agent at start). */
  request: TokenRequest;
  endHooks: Set<EndHook>;
  /** Late frames since the last warning, and when that was. */
  lateFrames: number;
  lateLoggedAt: number;
  encoding: VideoEncoding;
}

const LATE_LOG_INTERVAL_MS = 10_000;

/** What the manager needs from the composition root. */
export interface SessionManagerDeps {
  db: Db;
  clock: Clock;
  config: Config;
  tokenKey: Buffer;
  wsKey: Buffer;
  /** Key of the WebRTC capability URLs. */
  rtcKey: Buffer;
  /** Key of the stored provider secrets (FULL sessions' LLM and voices). */
  secretsKey: Buffer;
  /** Draws the sessions' frames; without it sessions have audio and events but no video. */
  renderPool?: RenderPool;
  metrics: Metrics;
  log: Logger;
}

/** Owns every live session; see the module comment. */
export class SessionManager {
  private readonly live = new Map<string, LiveSession>();
  /** FULL sessions' VADs, on their own thread (started with the first FULL session). */
  private readonly vadThread = new VadThread();

  constructor(private readonly deps: SessionManagerDeps) {}

  /** Closes sessions a previous process left live (a crash); their records stay. */
  async recover(): Promise<number> {
    const { db, clock, log } = this.deps;
    const leftovers = await store.listLive(db);
    for (const row of leftovers) {
      await store.markEnded(db, row.id, 'ZOMBIE_SESSION_REAP', clock.now());
      this.deps.metrics.sessionsEnded.inc({ reason: 'ZOMBIE_SESSION_REAP' });
    }
    if (leftovers.length)
      log.warn({ count: leftovers.length }, 'closed sessions left live by a previous process');
    return leftovers.length;
  }

  /** Creates a session record and its signed token (`POST /v1/sessions/token`). */
  async create(
    req: TokenRequest,
    apiKeyId: string | null,
  ): Promise<{ session_id: string; session_token: string }> {
    const { db, clock, config } = this.deps;
    if (req.mode === 'LITE') {
      for (const field of [
        'agora_config',
        'elevenlabs_agent_config',
        'openai_realtime_config',
        'gemini_realtime_config',
      ] as const) {
        if (req[field]) {
          throw new LivefaceError('mode_not_supported', `${field} is not supported by this server.`, {
            field,
          });
        }
      }
    } else {
      // Refuse now what would fail at start: unknown context, voice or LLM configuration, a missing
      // dynamic variable, a voice of a provider this server cannot call.
      const setup = await resolveFullSetup(db, this.deps.secretsKey, config, req);
      await (await ttsForVoice(db, this.deps.secretsKey, setup.voice)).close?.();
    }
    if (req.is_sandbox && req.avatar_id !== SANDBOX_AVATAR_ID) {
      throw new LivefaceError(
        'sandbox_avatar_required',
        `Sandbox sessions can only use the sandbox avatar ${SANDBOX_AVATAR_ID}.`,
        { field: 'avatar_id' },
      );
    }
    if (!(await getAvatar(db, req.avatar_id))) {
      throw new LivefaceError('avatar_not_found', `No avatar with id ${req.avatar_id}.`, {
        field: 'avatar_id',
      });
    }
    const requested = req.max_session_duration ?? null;
    if (requested !== null && requested > config.maxSessionDurationS) {
      throw new LivefaceError(
        'max_session_duration_exceeded',
        `max_session_duration ${requested} s exceeds this server's limit of ${config.maxSessionDurationS} s.`,
        { field: 'max_session_duration' },
      );
    }
    const maxDurationS = req.is_sandbox
      ? config.sandboxDurationS
      : (requested ?? config.defaultSessionDurationS);

    const now = clock.now();
    const id = randomUUID();
    await store.insertSession(db, {
      id,
      mode: req.mode,
      status: 'created',
      avatar_id: req.avatar_id,
      is_sandbox: req.is_sandbox ? 1 : 0,
      max_duration_s: maxDurationS,
      request_json: JSON.stringify({ ...req, video: resolveVideo(req) }),
      api_key_id: apiKeyId,
      created_at: now,
      updated_at: now,
      started_at: null,
      ended_at: null,
      end_reason: null,
      last_activity_at: now,
    });
    const session: LiveSession = {
      id,
      avatarId: req.avatar_id,
      quality: resolveVideo(req).quality,
      encoding: resolveVideo(req).encoding,
      lateFrames: 0,
      lateLoggedAt: -Infinity,
      mode: req.mode,
      status: 'created',
      maxDurationS,
      lastActivity: now,
      idleTimer: null,
      maxTimer: null,
      runtime: null,
      agent: null,
      listener: null,
      agentListeners: new Set(),
      request: req,
      endHooks: new Set(),
    };
    this.live.set(id, session);
    this.armIdle(session);

    const iat = Math.floor(now / 1000);
    const claims: SessionTokenClaims = {
      iss: 'liveface',
      typ: 'session',
      sub: id,
      session_id: id,
      iat,
      // Valid to start within the idle window, then through the whole session plus time to stop it.
      exp: iat + config.idleTimeoutS + maxDurationS + 300,
      start_session_data: {
        mode: req.mode,
        avatar_id: req.avatar_id,
        is_sandbox: req.is_sandbox,
        ...(req.mode === 'FULL'
          ? {
              interactivity_type: req.interactivity_type,
              ...(req.avatar_persona.voice_id ? { voice_id: req.avatar_persona.voice_id } : {}),
            }
          : {}),
      },
    };
    return { session_id: id, session_token: signJwt(claims, this.deps.tokenKey) };
  }

  /** Starts a created session (`POST /v1/sessions/start`); `base` is `http(s)://host` as the client sees it. */
  async start(id: string, base: string): Promise<StartResponse> {
    const session = await this.requireLive(id);
    if (session.status !== 'created') {
      throw new LivefaceError('session_already_started', `Session ${id} has already been started.`);
    }
    const { db, clock, config } = this.deps;
    if (!(await store.markStarted(db, id, clock.now()))) {
      throw new LivefaceError('session_already_started', `Session ${id} has already been started.`);
    }
    session.status = 'active';
    const { renderPool, metrics, log } = this.deps;
    session.runtime = new SessionRuntime({
      sessionId: id,
      clock,
      fps: config.fps,
      underrunGraceMs: config.underrunGraceMs,
      newTurnId: randomUUID,
      onActivity: () => this.touch(id),
      onStall: (ms) => {
        metrics.clockStalls.inc(ms);
        log.warn({ sessionId: id, droppedMs: ms }, 'playout clock stalled');
      },
      ...(renderPool
        ? { render: { pool: renderPool, target: { avatarId: session.avatarId, quality: session.quality } } }
        : {}),
      onFrameLate: (reason) => {
        metrics.framesLate.inc({ reason });
        this.noteLateFrame(session, reason);
      },
      onUtterance: (path) => metrics.lipSyncUtterances.inc({ path }),
    });
    if (session.encoding === 'H264') {
      log.info(
        { sessionId: id },
        'H.264 was requested; the built-in WebRTC transport sends VP8 (no H.264 encoder in libwebrtc here)',
      );
    }
    if (session.request.mode === 'FULL') {
      try {
        session.agent = await this.makeAgent(session, session.runtime);
        session.listener = await this.makeListener(session, session.agent);
      } catch (e) {
        session.runtime.close();
        session.runtime = null;
        this.endSoon(id, 'DISPATCH_FAILED');
        throw e instanceof ProviderError ? new LivefaceError(e.code, e.message, { cause: e }) : e;
      }
    }
    session.runtime.start();
    session.maxTimer = clock.setTimeout(
      () => this.endSoon(id, 'MAX_DURATION_REACHED'),
      session.maxDurationS * 1000,
    );
    this.touch(id);
    this.deps.log.info({ sessionId: id, mode: session.mode }, 'session started');
    return {
      session_id: id,
      max_session_duration: session.maxDurationS,
      // FULL sessions take commands on the data channel only; the web SDK routes every command to the
      // WebSocket when a ws_url is present (spec §4.3).
      ...(session.mode === 'LITE'
        ? { ws_url: `${base.replace(/^http/, 'ws')}/v1/ws/lite/${id}/${capability(this.deps.wsKey, id)}` }
        : {}),
      webrtc_url: `${base}/v1/webrtc/${id}/${capability(this.deps.rtcKey, id)}`,
      ice_servers: config.iceServers,
    };
  }

  /** Ends a session on request; stopping an ended session succeeds and changes nothing. */
  async stop(id: string, reason: SessionEndReason): Promise<void> {
    if (this.live.has(id)) return this.end(id, reason);
    if (!(await store.getSession(this.deps.db, id))) {
      throw new LivefaceError('session_not_found', `No session with id ${id}.`);
    }
  }

  /** Resets the idle timer (`POST /v1/sessions/keep-alive`, WS `session.keep_alive`). */
  async keepAlive(id: string): Promise<void> {
    await this.requireLive(id);
    this.touch(id);
    await store.touchSession(this.deps.db, id, this.deps.clock.now());
  }

  /** Notes activity on a session (cheap: no timer or store work). */
  touch(id: string): void {
    const s = this.live.get(id);
    if (s) s.lastActivity = this.deps.clock.now();
  }

  /** The agent of an active FULL session, if any. */
  agent(id: string): ConversationAgent | null {
    return this.live.get(id)?.agent ?? null;
  }

  /** The microphone listener of an active FULL session, if any. */
  listener(id: string): UserListener | null {
    return this.live.get(id)?.listener ?? null;
  }

  /** Subscribes to the agent events of a FULL session (transcripts, errors); returns the unsubscribe. */
  onAgentEvent(id: string, listener: (event: AgentOutEvent) => void): () => void {
    const s = this.live.get(id);
    if (!s) return () => undefined;
    s.agentListeners.add(listener);
    return () => s.agentListeners.delete(listener);
  }

  /** Builds a FULL session's agent; a misconfigured provider fails the start, not a sentence. */
  private async makeAgent(s: LiveSession, runtime: SessionRuntime): Promise<ConversationAgent> {
    if (s.request.mode !== 'FULL') throw new Error('not a FULL session');
    const { db, secretsKey, config, log } = this.deps;
    const setup = await resolveFullSetup(db, secretsKey, config, s.request);
    const tts = await ttsForVoice(db, secretsKey, setup.voice);
    const llm = llmFor(setup);
    await Promise.all([tts.check(), llm?.check()]);
    return new ConversationAgent({
      runtime,
      tts,
      llm,
      prompt: setup.prompt,
      openingText: setup.openingText,
      emit: (event) => this.emitAgent(s, event),
      record: (role, text) => this.recordLine(s.id, role, text),
      log: log.child({ sessionId: s.id }),
    });
  }

  /**
   * The ears of a FULL session. Without the VAD (its optional packages failed to install) the session
   * still takes text commands; the log says why the microphone is ignored.
   */
  private async makeListener(s: LiveSession, agent: ConversationAgent): Promise<UserListener | null> {
    if (s.request.mode !== 'FULL') return null;
    const { config, log } = this.deps;
    let vad: RemoteVad;
    try {
      vad = await this.vadThread.open();
    } catch (err) {
      log.warn({ err, sessionId: s.id }, 'no voice activity detection: the microphone is ignored');
      return null;
    }
    const stt = sttFor(config);
    if (stt) await stt.check();
    const restricted = s.request.avatar_persona.context_id == null;
    return new UserListener({
      vad,
      stt,
      language: s.request.avatar_persona.language,
      mode: s.request.interactivity_type,
      emit: (event) => this.emitAgent(s, event),
      // Barge-in: the user's voice stops the avatar (and drops what was queued).
      onSpeechStart: () => {
        if (agent.busy) agent.interrupt(null);
      },
      onUserTurn: (text) => {
        // Restricted mode (no context): transcripts, no answers.
        if (restricted) this.recordLine(s.id, 'user', text);
        else agent.respond(text, null);
      },
      log: log.child({ sessionId: s.id }),
    });
  }

  private emitAgent(s: LiveSession, event: AgentOutEvent): void {
    for (const l of s.agentListeners) l(event);
  }

  private recordLine(id: string, role: 'user' | 'avatar', text: string): void {
    const { db, clock, log } = this.deps;
    store
      .addTranscript(db, id, role, text, clock.now())
      .catch((err: unknown) => log.error({ err, sessionId: id }, 'storing a transcript line failed'));
  }

  /** The running runtime of an active session, if any. */
  runtime(id: string): SessionRuntime | null {
    return this.live.get(id)?.runtime ?? null;
  }

  /** Logs a session's late frames at most once per 10 s, with how many there were. */
  private noteLateFrame(s: LiveSession, reason: 'busy' | 'failed'): void {
    s.lateFrames++;
    const now = this.deps.clock.now();
    if (now - s.lateLoggedAt < LATE_LOG_INTERVAL_MS) return;
    this.deps.log.warn(
      { sessionId: s.id, lateFrames: s.lateFrames, reason },
      'video frames were not drawn in time (render workers overloaded or restarting); the audio went on',
    );
    s.lateLoggedAt = now;
    s.lateFrames = 0;
  }

  /** Why a session has no media to stream (its URL came from start, so it has ended since). */
  notStreamable(id: string): LivefaceError {
    return new LivefaceError('session_ended', `Session ${id} has ended; start a new session.`);
  }

  /** Subscribes to a live session's end; returns false if it is not live. */
  onEnd(id: string, hook: EndHook): (() => void) | null {
    const s = this.live.get(id);
    if (!s || s.status === 'ending') return null;
    s.endHooks.add(hook);
    return () => s.endHooks.delete(hook);
  }

  /** Ends every live session using this avatar (it was deleted). */
  async endByAvatar(avatarId: string): Promise<void> {
    const ids = [...this.live.values()].filter((s) => s.avatarId === avatarId).map((s) => s.id);
    await Promise.all(ids.map((id) => this.end(id, 'AVATAR_DELETED')));
  }

  /** Releases what the manager holds besides sessions (the VAD thread); after `endAll`. */
  async close(): Promise<void> {
    await this.vadThread.close();
  }

  /** Ends every live session (graceful shutdown). */
  async endAll(reason: SessionEndReason): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.end(id, reason)));
  }

  /** Counts of live sessions and buffered audio, for metrics. */
  snapshot(): { created: number; active: number; bufferedSeconds: number } {
    let created = 0;
    let active = 0;
    let bufferedMs = 0;
    for (const s of this.live.values()) {
      if (s.status === 'created') created++;
      else if (s.status === 'active') active++;
      bufferedMs += s.runtime?.scheduler.playout.bufferedMs ?? 0;
    }
    return { created, active, bufferedSeconds: bufferedMs / 1000 };
  }

  /** The one way a session ends. Idempotent: the first reason wins. */
  async end(id: string, reason: SessionEndReason): Promise<void> {
    const s = this.live.get(id);
    if (!s || s.status === 'ending') return;
    s.status = 'ending';
    s.idleTimer?.cancel();
    s.maxTimer?.cancel();
    for (const hook of s.endHooks) {
      try {
        hook(reason);
      } catch (err) {
        this.deps.log.error({ err, sessionId: id }, 'session end hook failed');
      }
    }
    s.endHooks.clear();
    s.listener?.close();
    s.agent?.close();
    s.agentListeners.clear();
    s.runtime?.close();
    try {
      await store.markEnded(this.deps.db, id, reason, this.deps.clock.now());
    } finally {
      this.live.delete(id);
    }
    this.deps.metrics.sessionsEnded.inc({ reason });
    this.deps.log.info({ sessionId: id, reason }, 'session ended');
  }

  /** `end()` from a timer or socket callback: failures are logged, never unhandled. */
  endSoon(id: string, reason: SessionEndReason): void {
    this.end(id, reason).catch((err: unknown) =>
      this.deps.log.error({ err, sessionId: id }, 'ending session failed'),
    );
  }

  private async requireLive(id: string): Promise<LiveSession> {
    const s = this.live.get(id);
    if (s && s.status !== 'ending') return s;
    const row = await store.getSession(this.deps.db, id);
    if (!row) throw new LivefaceError('session_not_found', `No session with id ${id}.`);
    throw new LivefaceError('session_ended', `Session ${id} has ended (${row.end_reason ?? 'ending'}).`);
  }

  /** Idle timer: fires at the earliest possible expiry and re-arms while there was activity since. */
  private armIdle(s: LiveSession): void {
    const { clock, config } = this.deps;
    const idleMs = config.idleTimeoutS * 1000;
    const wait = Math.max(0, s.lastActivity + idleMs - clock.now());
    s.idleTimer = clock.setTimeout(() => {
      if (s.status === 'ending') return;
      if (clock.now() - s.lastActivity >= idleMs) this.endSoon(s.id, 'IDLE_TIMEOUT');
      else this.armIdle(s);
    }, wait);
  }
}
