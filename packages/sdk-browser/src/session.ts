/**
 * LiveAvatarSession: the LiveAvatar web SDK's public surface over Liveface's transports. Media and the
 * §8 data-channel protocol travel on one RTCPeerConnection (`webrtc_url`); LITE audio and commands on
 * the WebSocket (`ws_url`), as in the official SDK.
 *
 * start():  CONNECTING → REST start → WebSocket (LITE) → microphone (voiceChat) → WebRTC → CONNECTED
 * stop():   DISCONNECTING → close WebSocket → DELETE the viewer, close the peer → REST stop → DISCONNECTED
 */
import { SessionApiClient, sessionModeOf } from './api.js';
import { TypedEmitter } from './emitter.js';
import {
  AgentEventsEnum,
  CommandEventsEnum,
  ConnectionQuality,
  LivefaceEvent,
  SessionDisconnectReason,
  SessionEvent,
  SessionMode,
  SessionState,
  type AgentEvent,
  type SessionConfig,
  type SessionInfo,
  type VoiceChatConfig,
} from './types.js';
import { WhepConnection } from './webrtc.js';

/** Listener signatures, by event name. */
export type SessionEventCallbacks = {
  [SessionEvent.SESSION_STATE_CHANGED]: (state: SessionState) => void;
  /** Video and audio tracks are both there; `stream` is what {@link LiveAvatarSession.attach} plays. */
  [SessionEvent.SESSION_STREAM_READY]: (stream: MediaStream) => void;
  [SessionEvent.SESSION_CONNECTION_QUALITY_CHANGED]: (quality: ConnectionQuality) => void;
  [SessionEvent.SESSION_DISCONNECTED]: (reason: SessionDisconnectReason) => void;
  [LivefaceEvent.WS_MESSAGE]: (message: Record<string, unknown>) => void;
  [LivefaceEvent.DATA_MESSAGE]: (event: AgentEvent) => void;
} & { [K in AgentEventsEnum]: (event: AgentEvent) => void };

/** The official SDK's slicing of repeatAudio's base64 (≈300 ms, then ≈750 ms of audio). */
const FIRST_SLICE_CHARS = 19_200;
const SLICE_CHARS = 48_000;
/** How often connection quality is sampled, ms. */
const QUALITY_INTERVAL_MS = 2000;
/** Speak events remembered for de-duplication across the WebSocket and the data channel. */
const SPOKEN_MEMORY = 64;
/**
 * How long, after the WebSocket closed at the session's end, to wait for the data channel's
 * `session.stopped` (the server sends it as it closes the socket; it arrives within milliseconds).
 */
const GOODBYE_WAIT_MS = 1000;

/** The microphone sent to the server (when `voiceChat` is set). */
export interface VoiceChat {
  readonly isActive: boolean;
  /** The microphone track (Liveface), e.g. to also stream it as LITE audio. */
  readonly track: MediaStreamTrack | null;
  readonly isMuted: boolean;
  mute(): void;
  unmute(): void;
  /**
   * FULL PUSH_TO_TALK sessions: opens a window (`user.start_push_to_talk`), resolves on
   * `user.push_to_talk_started` and unmutes the microphone; rejects on `_start_failed`.
   */
  startPushToTalk(): Promise<void>;
  /** Closes the window: mutes the microphone, resolves on `user.push_to_talk_stopped`. */
  stopPushToTalk(): Promise<void>;
}

/** One avatar session, driven from the browser with a session token. */
export class LiveAvatarSession extends TypedEmitter<SessionEventCallbacks> {
  /** Mode of the session token (`start_session_data.mode`). */
  readonly mode: SessionMode;
  private readonly api: SessionApiClient;
  private readonly config: SessionConfig;
  private _state = SessionState.INACTIVE;
  private _info: SessionInfo | null = null;
  private _quality = ConnectionQuality.UNKNOWN;
  private ws: WebSocket | null = null;
  private rtc: WhepConnection | null = null;
  private mic: MediaStreamTrack | null = null;
  private streamReady = false;
  /** The WebSocket announced the session's end (`closing`/`closed`) before closing. */
  private serverEnding = false;
  /** Waiting, after the WebSocket closed at the session's end, for the data channel's goodbye. */
  private goodbyeTimer: ReturnType<typeof setTimeout> | null = null;
  private qualityTimer: ReturnType<typeof setInterval> | null = null;
  private lastLoss: { lost: number; received: number } | null = null;
  private readonly spoken = new Set<string>();
  private starting: Promise<void> | null = null;
  /** The connection broke or the server ended the session while start() was running. */
  private endedWhileStarting = false;

  constructor(sessionAccessToken: string, config: SessionConfig = {}) {
    super();
    this.config = config;
    this.mode = sessionModeOf(sessionAccessToken);
    const origin = typeof location === 'undefined' ? '' : location.origin;
    this.api = new SessionApiClient(sessionAccessToken, (config.apiUrl ?? origin).replace(/\/+$/, ''));
  }

  /** Current state. */
  get state(): SessionState {
    return this._state;
  }

  /** Session id, once started. */
  get sessionId(): string | null {
    return this._info?.session_id ?? null;
  }

  /** `max_session_duration` of the start answer, seconds. */
  get maxSessionDuration(): number | null {
    return this._info?.max_session_duration ?? null;
  }

  /** Last measured connection quality. */
  get connectionQuality(): ConnectionQuality {
    return this._quality;
  }

  /** The avatar's video and voice (null before the media connection). */
  get mediaStream(): MediaStream | null {
    return this.rtc?.stream ?? null;
  }

  /** The microphone sent to the server. */
  get voiceChat(): VoiceChat {
    const mic = () => this.mic;
    return {
      get isActive() {
        return mic() !== null;
      },
      get track() {
        return mic();
      },
      get isMuted() {
        return !(mic()?.enabled ?? false);
      },
      mute: () => {
        if (this.mic) this.mic.enabled = false;
      },
      unmute: () => {
        if (this.mic) this.mic.enabled = true;
      },
      startPushToTalk: async () => {
        await this.pushToTalk(
          'user.start_push_to_talk',
          'user.push_to_talk_started',
          'user.push_to_talk_start_failed',
        );
        if (this.mic) this.mic.enabled = true;
      },
      stopPushToTalk: async () => {
        if (this.mic) this.mic.enabled = false;
        await this.pushToTalk(
          'user.stop_push_to_talk',
          'user.push_to_talk_stopped',
          'user.push_to_talk_stop_failed',
        );
      },
    };
  }

  /** Sends a push-to-talk command and waits for its acknowledgement (`…_failed` rejects). */
  private pushToTalk(command: string, ok: string, failed: string): Promise<void> {
    if (!this.rtc?.send({ event_type: command })) {
      return Promise.reject(new Error('Push-to-talk needs a started session with its data channel open'));
    }
    return new Promise((resolve, reject) => {
      const done = (e: AgentEvent) => {
        if (e.event_type !== ok && e.event_type !== failed) return;
        this.off(LivefaceEvent.DATA_MESSAGE, done);
        if (e.event_type === ok) resolve();
        else reject(new Error(`${command} failed: ${typeof e.reason === 'string' ? e.reason : 'refused'}`));
      };
      this.on(LivefaceEvent.DATA_MESSAGE, done);
    });
  }

  /** Starts the session and connects its media; rejects (after cleaning up) if any step fails. */
  start(): Promise<void> {
    if (this._state !== SessionState.INACTIVE) {
      console.warn('liveface: session is already started');
      return Promise.resolve();
    }
    this.starting = this.run();
    return this.starting;
  }

  /** Stops the session: leaves the media connection and ends the session on the server. */
  async stop(): Promise<void> {
    if (this._state === SessionState.CONNECTING) {
      // start() notices, cleans up and reports CLIENT_INITIATED.
      this.setState(SessionState.DISCONNECTING);
      await this.starting?.catch(() => undefined);
      return;
    }
    if (!this.assertConnected()) return;
    this.setState(SessionState.DISCONNECTING);
    await this.teardown();
    this.finish(SessionDisconnectReason.CLIENT_INITIATED);
  }

  /** Resets the server's idle timer (REST keep-alive). */
  async keepAlive(): Promise<void> {
    if (!this.assertConnected()) return;
    await this.api.keepAlive();
  }

  /** Plays the avatar's video and voice in `element` (a <video>; audio plays through it). */
  attach(element: HTMLMediaElement): void {
    const stream = this.rtc?.stream;
    if (!stream || !this.streamReady) {
      console.warn('liveface: stream is not yet ready');
      return;
    }
    element.autoplay = true;
    if (element.srcObject !== stream) element.srcObject = stream;
    element.play().catch((err: unknown) => console.warn('liveface: playback did not start', err));
  }

  /** LLM answer to `text`, then speak it (FULL only). */
  message(text: string): void {
    this.fullCommand(CommandEventsEnum.AVATAR_SPEAK_RESPONSE, text);
  }

  /** Speak `text` verbatim (FULL only). */
  repeat(text: string): void {
    this.fullCommand(CommandEventsEnum.AVATAR_SPEAK_TEXT, text);
  }

  /**
   * Speaks base64 PCM16 24 kHz mono (LITE): `agent.speak` chunks sliced as the official SDK does, then
   * `agent.speak_end`, all with one event id.
   */
  repeatAudio(audio: string): void {
    if (!this.assertConnected()) return;
    if (!this.socketOpen()) {
      console.warn("liveface: cannot repeat audio; check you're using a supported mode (LITE).");
      return;
    }
    const id = newEventId();
    let off = 0;
    for (let size = FIRST_SLICE_CHARS; off < audio.length; off += size, size = SLICE_CHARS) {
      this.sendWs({ type: 'agent.speak', event_id: id, audio: audio.slice(off, off + size) });
    }
    this.sendWs({ type: 'agent.speak_end', event_id: id });
  }

  /**
   * Liveface: appends one chunk of base64 PCM16 24 kHz mono to the current utterance (`agent.speak`),
   * for streaming sources; end the utterance with {@link commitAudio}. False when not sent.
   */
  appendAudio(audio: string, eventId?: string): boolean {
    if (this._state !== SessionState.CONNECTED || !this.socketOpen()) return false;
    this.sendWs({ type: 'agent.speak', event_id: eventId ?? newEventId(), audio });
    return true;
  }

  /** Liveface: ends the current utterance (`agent.speak_end`); it plays to its end. */
  commitAudio(eventId?: string): boolean {
    if (this._state !== SessionState.CONNECTED || !this.socketOpen()) return false;
    this.sendWs({ type: 'agent.speak_end', event_id: eventId ?? newEventId() });
    return true;
  }

  /** Stops the avatar speaking and drops queued audio. */
  interrupt(): void {
    this.command('agent.interrupt', CommandEventsEnum.AVATAR_INTERRUPT);
  }

  /** Listening pose. */
  startListening(): void {
    this.command('agent.start_listening', CommandEventsEnum.AVATAR_START_LISTENING);
  }

  /** Back to idle. */
  stopListening(): void {
    this.command('agent.stop_listening', CommandEventsEnum.AVATAR_STOP_LISTENING);
  }

  /** Liveface: WebRTC statistics of the media connection (null before it exists). */
  async getStats(): Promise<RTCStatsReport | null> {
    return this.rtc ? this.rtc.pc.getStats() : null;
  }

  private async run(): Promise<void> {
    this.setState(SessionState.CONNECTING);
    const timeoutMs = this.config.connectTimeoutMs ?? 15_000;
    try {
      const info = await this.api.startSession();
      this._info = info;
      this.checkStarting();
      if (info.ws_url) await this.openSocket(info.ws_url, timeoutMs);
      this.checkStarting();
      if (info.webrtc_url) {
        if (this.config.voiceChat) await this.openMic(this.config.voiceChat);
        this.checkStarting();
        this.rtc = new WhepConnection(info.webrtc_url, info.ice_servers ?? [], this.mic, {
          onTrack: (stream) => this.onTrack(stream),
          onMessage: (text) => this.onDataMessage(text),
          onClosed: () => this.remoteEnd(SessionDisconnectReason.UNKNOWN_REASON),
        });
        await this.rtc.connect(timeoutMs);
      } else if (info.livekit_url) {
        throw new Error('The server answered with a LiveKit room; this SDK uses webrtc_url (Liveface).');
      } else if (!info.ws_url) {
        throw new Error('The start answer has neither webrtc_url nor ws_url.');
      }
      this.checkStarting();
      this.startQualityMonitor();
      this.setState(SessionState.CONNECTED);
    } catch (err) {
      const stopped = this._state === SessionState.DISCONNECTING;
      await this.teardown();
      this.finish(
        stopped ? SessionDisconnectReason.CLIENT_INITIATED : SessionDisconnectReason.SESSION_START_FAILED,
      );
      throw err;
    }
  }

  /** Throws if stop() (or the server) ended the session while start() was awaiting. */
  private checkStarting(): void {
    if (this._state !== SessionState.CONNECTING) throw new Error('The session stopped while starting.');
    if (this.endedWhileStarting) throw new Error('The connection closed while starting.');
  }

  private openSocket(url: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      this.ws = ws;
      let open = false;
      const timer = setTimeout(() => reject(new Error('The WebSocket did not open in time.')), timeoutMs);
      ws.onopen = () => {
        open = true;
        clearTimeout(timer);
        resolve();
      };
      ws.onmessage = (e: MessageEvent) => {
        if (typeof e.data === 'string') this.onSocketMessage(e.data);
      };
      ws.onclose = (e: CloseEvent) => {
        clearTimeout(timer);
        if (!open) reject(new Error(`The WebSocket closed (${e.code}) before opening.`));
        else if (this.serverEnding && this.rtc?.channel.readyState === 'open') {
          // The server also says goodbye on the data channel (`session.stopped`, with the reason),
          // and the socket's close can overtake it: tearing down now would lose that event.
          this.goodbyeTimer = setTimeout(
            () => this.remoteEnd(SessionDisconnectReason.SERVER_INITIATED),
            GOODBYE_WAIT_MS,
          );
        } else
          this.remoteEnd(
            this.serverEnding
              ? SessionDisconnectReason.SERVER_INITIATED
              : SessionDisconnectReason.UNKNOWN_REASON,
          );
      };
    });
  }

  private async openMic(cfg: VoiceChatConfig | boolean): Promise<void> {
    const opts = typeof cfg === 'boolean' ? {} : cfg;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
        ...(opts.deviceId ? { deviceId: { exact: opts.deviceId } } : {}),
      },
    });
    this.mic = stream.getAudioTracks()[0] ?? null;
    if (this.mic && opts.defaultMuted) this.mic.enabled = false;
  }

  private onTrack(stream: MediaStream): void {
    if (this.streamReady || !stream.getVideoTracks().length || !stream.getAudioTracks().length) return;
    this.streamReady = true;
    this.emit(SessionEvent.SESSION_STREAM_READY, stream);
  }

  private onSocketMessage(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    this.emit(LivefaceEvent.WS_MESSAGE, msg);
    const task = (msg.task as { id?: unknown } | undefined)?.id;
    const synthesized = (type: AgentEventsEnum, extra: Partial<AgentEvent> = {}): AgentEvent => ({
      event_type: type,
      event_id: typeof msg.event_id === 'string' ? msg.event_id : newEventId(),
      ...(this.sessionId ? { session_id: this.sessionId } : {}),
      source_event_id: typeof msg.source_event_id === 'string' ? msg.source_event_id : null,
      ...(typeof task === 'string' ? { task_id: task } : {}),
      ...extra,
    });
    switch (msg.type) {
      case 'agent.speak_started':
        return this.emitSpeak(synthesized(AgentEventsEnum.AVATAR_SPEAK_STARTED), 'ws');
      case 'agent.speak_ended':
        return this.emitSpeak(synthesized(AgentEventsEnum.AVATAR_SPEAK_ENDED), 'ws');
      case 'agent.speak_interrupted':
        return this.emitSpeak(synthesized(AgentEventsEnum.AVATAR_SPEAK_ENDED, { interrupted: true }), 'ws');
      case 'session.state_updated':
        if (msg.state === 'closing' || msg.state === 'closed' || msg.state === 'disconnected') {
          this.serverEnding = true;
        }
        return;
      default:
        return;
    }
  }

  private onDataMessage(text: string): void {
    let event: AgentEvent;
    try {
      event = JSON.parse(text) as AgentEvent;
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null || typeof event.event_type !== 'string') return;
    this.emit(LivefaceEvent.DATA_MESSAGE, event);
    switch (event.event_type) {
      case 'avatar.speak_started':
      case 'avatar.speak_ended':
        return this.emitSpeak(event, 'dc');
      case 'session.stopped':
        this.emit(AgentEventsEnum.SESSION_STOPPED, event);
        return this.remoteEnd(SessionDisconnectReason.SERVER_INITIATED);
      default:
        // Every other event under its wire name (user.*, avatar.transcription*, error, …).
        this.emit(event.event_type as AgentEventsEnum, event);
    }
  }

  /**
   * `avatar.speak_started/ended` once per utterance: from the data channel when it is open, else
   * synthesized from the WebSocket's `agent.speak_*` (as the official SDK does in LITE).
   */
  private emitSpeak(event: AgentEvent, via: 'ws' | 'dc'): void {
    if (via === 'ws' && this.rtc?.channel.readyState === 'open') return;
    if (event.task_id) {
      const key = `${event.event_type}/${event.task_id}`;
      if (this.spoken.has(key)) return;
      this.spoken.add(key);
      if (this.spoken.size > SPOKEN_MEMORY) this.spoken.delete(this.spoken.values().next().value!);
    }
    this.emit(event.event_type as AgentEventsEnum.AVATAR_SPEAK_STARTED, event);
  }

  /** The server ended the session or the connection broke. */
  private remoteEnd(reason: SessionDisconnectReason): void {
    if (this._state === SessionState.CONNECTING) {
      // start() notices at its next step and reports SESSION_START_FAILED.
      this.endedWhileStarting = true;
      return;
    }
    if (this._state !== SessionState.CONNECTED) return;
    this.setState(SessionState.DISCONNECTING);
    void this.teardown().then(() => this.finish(reason));
  }

  private async teardown(): Promise<void> {
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    this.qualityTimer = null;
    if (this.goodbyeTimer) clearTimeout(this.goodbyeTimer);
    this.goodbyeTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    }
    const rtc = this.rtc;
    this.rtc = null;
    await rtc?.close();
    this.mic?.stop();
    this.mic = null;
    // Only a session this object started is stopped: a failed start call started nothing.
    if (this._info) {
      try {
        await this.api.stopSession();
      } catch (err) {
        console.warn('liveface: stopping the session failed', err);
      }
    }
  }

  private finish(reason: SessionDisconnectReason): void {
    if (this._state === SessionState.DISCONNECTED) return;
    this.setState(SessionState.DISCONNECTED);
    this.emit(SessionEvent.SESSION_DISCONNECTED, reason);
  }

  private setState(state: SessionState): void {
    if (this._state === state) return;
    this._state = state;
    this.emit(SessionEvent.SESSION_STATE_CHANGED, state);
  }

  private assertConnected(): boolean {
    if (this._state === SessionState.CONNECTED) return true;
    console.warn('liveface: session is not connected');
    return false;
  }

  private socketOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  private sendWs(msg: Record<string, unknown>): void {
    this.ws?.send(JSON.stringify(msg));
  }

  /** A command: on the WebSocket when open (LITE), else on the data channel. */
  private command(wsType: string, dcType: CommandEventsEnum): void {
    if (!this.assertConnected()) return;
    if (this.socketOpen()) this.sendWs({ type: wsType, event_id: newEventId() });
    else if (!this.rtc?.send({ event_type: dcType, event_id: newEventId() })) {
      console.warn('liveface: no open connection to send the command on');
    }
  }

  private fullCommand(type: CommandEventsEnum, text: string): void {
    if (this.mode === SessionMode.LITE || this.ws) throw new Error('Not permitted in LITE mode');
    if (!this.assertConnected()) return;
    if (!this.rtc?.send({ event_type: type, event_id: newEventId(), text })) {
      console.warn('liveface: no open connection to send the command on');
    }
  }

  /** Samples packet loss and round-trip time; BAD above 5 % loss or 500 ms RTT. */
  private startQualityMonitor(): void {
    this.qualityTimer = setInterval(() => {
      void this.sampleQuality();
    }, QUALITY_INTERVAL_MS);
  }

  private async sampleQuality(): Promise<void> {
    const report = await this.getStats();
    if (!report) return;
    let lost = 0;
    let received = 0;
    let rttS: number | null = null;
    report.forEach((s: { type: string; [k: string]: unknown }) => {
      if (s.type === 'inbound-rtp') {
        lost += Number(s.packetsLost ?? 0);
        received += Number(s.packetsReceived ?? 0);
      } else if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
        rttS = s.currentRoundTripTime;
      }
    });
    const prev = this.lastLoss;
    this.lastLoss = { lost, received };
    if (!prev) return;
    const dLost = lost - prev.lost;
    const total = dLost + received - prev.received;
    const loss = total > 0 ? dLost / total : 0;
    const quality =
      loss > 0.05 || (rttS !== null && rttS > 0.5) ? ConnectionQuality.BAD : ConnectionQuality.GOOD;
    if (quality !== this._quality && this._state === SessionState.CONNECTED) {
      this._quality = quality;
      this.emit(SessionEvent.SESSION_CONNECTION_QUALITY_CHANGED, quality);
    }
  }
}

/** A UUID v4; `crypto.randomUUID` needs a secure context, `getRandomValues` does not. */
function newEventId(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
