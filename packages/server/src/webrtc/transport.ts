/**
 * The built-in WebRTC transport: viewers connect to a session with WHEP-style signalling (POST an SDP
 * offer to the session's capability URL, get the answer) and receive the avatar's video (VP8) and voice
 * (Opus). Each viewer may send its microphone (for FULL mode) and opens a data channel that carries the
 * JSON commands and events of LiveAvatar's `agent-control` / `agent-response` topics.
 *
 * Per session there is one {@link SessionStream}: a video source and an audio source fed by the
 * session runtime's media ticks, shared by all its viewers (each peer connection encodes for itself).
 * It exists while the session has viewers; the last viewer leaving releases it and the render slot.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SessionEndReason } from '@liveface/protocol';
import type { PlayoutEvent } from '@liveface/engine';
import { LivefaceError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { SessionManager } from '../sessions/manager.js';
import type { I420Frame } from '../media/render-pool.js';
import type { SessionRuntime } from '../sessions/runtime.js';
import { handleCommand, playoutToEvent, type AgentEvent } from './data-channel.js';
import { applyCandidatePolicy, withStartBitrate, type CandidatePolicy } from './sdp.js';
import {
  wrtc,
  type AudioSink,
  type AudioSource,
  type DataChannel,
  type IceServer,
  type MediaStream,
  type MediaStreamTrack,
  type PeerConnection,
  type VideoSource,
} from './wrtc.js';

/** What the transport needs. */
export interface WebRtcTransportDeps {
  sessions: SessionManager;
  metrics: Metrics;
  log: Logger;
  iceServers: IceServer[];
  candidates: CandidatePolicy;
  /** Viewers one session may have at once. */
  maxViewers: number;
  /** Longest wait for ICE gathering before answering with the candidates found so far, ms. */
  gatherTimeoutMs?: number;
}

/** Microphone audio from a viewer: PCM16 mono frames as libwebrtc delivers them (10 ms, usually 48 kHz). */
export type UserAudioListener = (samples: Int16Array, sampleRateHz: number, viewerId: string) => void;

/** Counters of one viewer, for tests and diagnostics. */
export interface ViewerStats {
  id: string;
  connectionState: string;
  micSamples: number;
  micSampleRateHz: number;
  dataChannelOpen: boolean;
}

const AUDIO_CHUNK_MS = 10;
/** Initial video bandwidth estimate: a first key frame of the avatar (tens of KB) leaves in ~100 ms. */
const START_BITRATE_KBPS = 2000;
/** FULL: longest wait after a viewer connects for its data channel before the opening text starts, ms. */
const OPENING_WAIT_MS = 500;
/** Grace for the goodbye event on the data channel before peer connections close at session end, ms. */
const CLOSE_GRACE_MS = 100;

/** See the module comment. */
export class WebRtcTransport {
  private readonly streams = new Map<string, SessionStream>();

  constructor(private readonly deps: WebRtcTransportDeps) {
    // libwebrtc starts its threads and codec factories with the first peer connection: pay that at
    // boot rather than on the first viewer.
    new wrtc.RTCPeerConnection({ iceServers: [] }).close();
  }

  /** Answers a viewer's SDP offer; returns the answer and the viewer id (for its resource URL). */
  async connect(sessionId: string, offerSdp: string): Promise<{ answer: string; viewerId: string }> {
    if (!/^v=0/m.test(offerSdp) || !/^m=video /m.test(offerSdp)) {
      throw new LivefaceError(
        'invalid_sdp',
        'The body must be an SDP offer (application/sdp) with a video section to receive the avatar.',
      );
    }
    const stream = this.stream(sessionId);
    return stream.addViewer(offerSdp);
  }

  /** Closes one viewer (WHEP DELETE). */
  disconnect(sessionId: string, viewerId: string): void {
    const stream = this.streams.get(sessionId);
    if (!stream?.removeViewer(viewerId)) {
      throw new LivefaceError('viewer_not_found', `No viewer ${viewerId} in session ${sessionId}.`);
    }
  }

  /** Subscribes to viewers' microphone audio of a session (FULL mode). */
  onUserAudio(sessionId: string, listener: UserAudioListener): () => void {
    return this.stream(sessionId).onUserAudio(listener);
  }

  /** Viewers of a session (tests, diagnostics). */
  viewers(sessionId: string): ViewerStats[] {
    return this.streams.get(sessionId)?.stats() ?? [];
  }

  /** Open peer connections over all sessions. */
  get peerConnections(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.size;
    return n;
  }

  /** Sessions with a media stream (tests, diagnostics). */
  get activeStreams(): number {
    return this.streams.size;
  }

  /** Closes every viewer (server shutdown). */
  close(): void {
    for (const s of [...this.streams.values()]) s.close('UNKNOWN', false);
  }

  private stream(sessionId: string): SessionStream {
    const existing = this.streams.get(sessionId);
    if (existing) return existing;
    const runtime = this.deps.sessions.runtime(sessionId);
    if (!runtime) {
      // Created but not started, ended, or unknown: the manager says which.
      throw this.deps.sessions.notStreamable(sessionId);
    }
    const stream = new SessionStream(sessionId, runtime, this.deps, () => {
      this.streams.delete(sessionId);
      this.deps.metrics.webrtcStreams.set(this.streams.size);
    });
    const off = this.deps.sessions.onEnd(sessionId, (reason) => stream.close(reason, true));
    if (!off) throw this.deps.sessions.notStreamable(sessionId);
    stream.onClosed(off);
    this.streams.set(sessionId, stream);
    this.deps.metrics.webrtcStreams.set(this.streams.size);
    return stream;
  }
}

interface Viewer {
  id: string;
  pc: PeerConnection;
  channels: Set<DataChannel>;
  mic: AudioSink | null;
  micSamples: number;
  micSampleRateHz: number;
}

/** One session's media: shared sources, its viewers, its data channels. */
class SessionStream {
  private readonly video: VideoSource = new wrtc.nonstandard.RTCVideoSource();
  private readonly audio: AudioSource = new wrtc.nonstandard.RTCAudioSource();
  private readonly videoTrack: MediaStreamTrack;
  private readonly audioTrack: MediaStreamTrack;
  private readonly mediaStream: MediaStream = new wrtc.MediaStream();
  private readonly viewers = new Map<string, Viewer>();
  private readonly userAudio = new Set<UserAudioListener>();
  private readonly cleanups: (() => void)[] = [];
  private lastFrame: I420Frame | null = null;
  private readonly pendingAudio: Int16Array[] = [];
  private audioRate = 24_000;
  /** When the current tick's audio arrived (performance.now()); its chunk j is due 10·j ms later. */
  private audioT0 = 0;
  /** Index of the next chunk of the current tick (pendingAudio[0]). */
  private audioSent = 0;
  private audioTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly sessionId: string,
    private readonly runtime: SessionRuntime,
    private readonly deps: WebRtcTransportDeps,
    private readonly onGone: () => void,
  ) {
    this.videoTrack = this.video.createTrack();
    this.audioTrack = this.audio.createTrack();
    this.cleanups.push(
      runtime.addMediaSink({
        audio: (_pts, samples, rate, rephased) => this.sendAudio(samples, rate, rephased),
        video: (_pts, frame) => this.sendVideo(frame),
      }),
      runtime.addListener((e) => this.onPlayout(e)),
      deps.sessions.onAgentEvent(sessionId, (e) => this.broadcast({ ...e })),
    );
    // FULL: the microphone goes to the session's listener (VAD → STT → agent).
    const ears = deps.sessions.listener(sessionId);
    if (ears) this.userAudio.add((samples, rate, viewer) => ears.push(samples, rate, viewer));
  }

  get size(): number {
    return this.viewers.size;
  }

  onClosed(f: () => void): void {
    this.cleanups.push(f);
  }

  onUserAudio(listener: UserAudioListener): () => void {
    this.userAudio.add(listener);
    return () => this.userAudio.delete(listener);
  }

  stats(): ViewerStats[] {
    return [...this.viewers.values()].map((v) => ({
      id: v.id,
      connectionState: v.pc.connectionState,
      micSamples: v.micSamples,
      micSampleRateHz: v.micSampleRateHz,
      dataChannelOpen: [...v.channels].some((c) => c.readyState === 'open'),
    }));
  }

  async addViewer(offerSdp: string): Promise<{ answer: string; viewerId: string }> {
    if (this.viewers.size >= this.deps.maxViewers) {
      throw new LivefaceError(
        'too_many_viewers',
        `Session ${this.sessionId} already has ${this.deps.maxViewers} viewers; close one first.`,
      );
    }
    const { log, metrics } = this.deps;
    const id = randomUUID();
    const pc = new wrtc.RTCPeerConnection({ iceServers: this.deps.iceServers });
    const viewer: Viewer = { id, pc, channels: new Set(), mic: null, micSamples: 0, micSampleRateHz: 0 };
    this.viewers.set(id, viewer);
    metrics.webrtcViewers.inc();
    pc.ondatachannel = ({ channel }) => this.attachChannel(viewer, channel);
    pc.ontrack = ({ track }) => {
      if (track.kind === 'audio') this.attachMic(viewer, track);
    };
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      log.debug({ sessionId: this.sessionId, viewer: id, state }, 'viewer connection state');
      if (state === 'connected') {
        // The newest frame at once, so the viewer's decoder does not wait for the next tick.
        if (this.lastFrame) this.video.onFrame(this.lastFrame);
        // FULL: the opening text, once someone can hear it (and, normally, read its transcript: a
        // data channel opens a few ms after the connection and opens it sooner).
        setTimeout(() => this.openAgent(), OPENING_WAIT_MS);
      } else if (state === 'failed') {
        log.warn(
          { sessionId: this.sessionId, viewer: id },
          'WebRTC viewer failed to connect (ICE): no candidate pair worked. Behind NAT, set ' +
            'LIVEFACE_ICE_PUBLIC_IP or LIVEFACE_ICE_SERVERS (STUN/TURN); check LIVEFACE_ICE_ADDRESSES.',
        );
        metrics.webrtcIceFailures.inc();
        this.removeViewer(id);
      } else if (state === 'closed') {
        this.removeViewer(id);
      }
    };
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: withStartBitrate(offerSdp, START_BITRATE_KBPS) });
    } catch (e) {
      this.removeViewer(id);
      throw new LivefaceError('invalid_sdp', `The SDP offer was refused: ${(e as Error).message}`);
    }
    if (this.closed) throw this.deps.sessions.notStreamable(this.sessionId);
    pc.addTrack(this.videoTrack, this.mediaStream);
    pc.addTrack(this.audioTrack, this.mediaStream);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await this.gathered(pc);
    if (this.closed || !this.viewers.has(id)) throw this.deps.sessions.notStreamable(this.sessionId);
    const local = pc.localDescription?.sdp ?? answer.sdp;
    const { sdp, kept } = applyCandidatePolicy(local, this.deps.candidates);
    if (kept === 0) {
      log.warn(
        { sessionId: this.sessionId, viewer: id },
        'no ICE candidate left to announce after LIVEFACE_ICE_ADDRESSES; the viewer cannot connect',
      );
    }
    log.info({ sessionId: this.sessionId, viewer: id, viewers: this.viewers.size }, 'viewer joined');
    return { answer: sdp, viewerId: id };
  }

  removeViewer(id: string): boolean {
    const v = this.viewers.get(id);
    if (!v) return false;
    this.viewers.delete(id);
    this.deps.metrics.webrtcViewers.dec();
    v.mic?.stop();
    for (const c of v.channels) c.close();
    v.pc.onconnectionstatechange = null;
    v.pc.close();
    this.deps.log.info({ sessionId: this.sessionId, viewer: id }, 'viewer left');
    if (this.viewers.size === 0 && !this.closed) this.close(null, false);
    return true;
  }

  /** Ends the stream: tells the viewers why (if the session ended), then closes everything. */
  close(reason: SessionEndReason | null, goodbye: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.cleanups.splice(0)) f();
    if (this.audioTimer) clearTimeout(this.audioTimer);
    this.pendingAudio.length = 0;
    this.userAudio.clear();
    const finish = () => {
      for (const id of [...this.viewers.keys()]) this.removeViewer(id);
      this.videoTrack.stop();
      this.audioTrack.stop();
      this.onGone();
    };
    if (goodbye && reason) {
      this.broadcast({ event_type: 'session.stopped', stop_reason: reason, end_reason: reason });
      setTimeout(finish, CLOSE_GRACE_MS);
    } else {
      finish();
    }
  }

  /** A drawn frame: to the encoders now (each peer connection copies it). */
  private sendVideo(frame: I420Frame): void {
    this.lastFrame = frame;
    this.video.onFrame(frame);
    this.deps.metrics.webrtcFrames.inc();
  }

  /**
   * One tick's audio, handed over at the tick: the first 10 ms now, the rest 10 ms at a time on fixed
   * deadlines from now (not chained timers, whose lateness adds up). Audio paced this evenly keeps the
   * receiver's jitter buffer, and so the delay of the sound behind the picture, small; a 40 ms burst
   * every 40 ms would look like 30 ms of jitter.
   */
  private sendAudio(samples: Int16Array, rate: number, rephased: boolean): void {
    this.flushAudio(rephased);
    const n = (rate * AUDIO_CHUNK_MS) / 1000;
    for (let i = 0; i + n <= samples.length; i += n) this.pendingAudio.push(samples.subarray(i, i + n));
    this.audioRate = rate;
    this.audioT0 = performance.now();
    this.audioSent = 0;
    this.sendAudioChunk();
  }

  private sendAudioChunk(): void {
    this.audioTimer = null;
    const chunk = this.pendingAudio.shift();
    if (chunk) this.emitAudio(chunk);
    if (this.pendingAudio.length > 0 && !this.closed) {
      const due = this.audioT0 + ++this.audioSent * AUDIO_CHUNK_MS;
      this.audioTimer = setTimeout(() => this.sendAudioChunk(), Math.max(0, due - performance.now()));
    }
  }

  /**
   * The previous tick's audio still waiting when the next tick comes: overdue chunks (timers ran late)
   * leave now. Chunks not yet due are dropped when the clock re-phased (they are an idle tick's silence
   * cut short for new speech, or speech cut by an interrupt): sending them would put the next audio as
   * many ms behind the wall clock as the re-phase saved, and the viewer would read that as a jump in
   * audio timing (a bigger jitter buffer, and lip sync re-aligned against it).
   */
  private flushAudio(rephased = false): void {
    if (this.audioTimer) clearTimeout(this.audioTimer);
    this.audioTimer = null;
    const now = performance.now();
    this.pendingAudio.splice(0).forEach((chunk, i) => {
      const due = this.audioT0 + (this.audioSent + i) * AUDIO_CHUNK_MS;
      if (due <= now || !rephased) this.emitAudio(chunk);
    });
  }

  private emitAudio(chunk: Int16Array): void {
    this.audio.onData({
      samples: chunk.slice(),
      sampleRate: this.audioRate,
      bitsPerSample: 16,
      channelCount: 1,
      numberOfFrames: chunk.length,
    });
  }

  private onPlayout(e: PlayoutEvent): void {
    const event = playoutToEvent(e);
    if (event) this.broadcast(event);
  }

  private broadcast(event: Omit<AgentEvent, 'event_id' | 'session_id'> & Partial<AgentEvent>): void {
    const text = JSON.stringify({ event_id: randomUUID(), session_id: this.sessionId, ...event });
    for (const v of this.viewers.values()) {
      for (const c of v.channels) if (c.readyState === 'open') c.send(text);
    }
  }

  private openAgent(): void {
    if (!this.closed) this.deps.sessions.agent(this.sessionId)?.open();
  }

  private attachChannel(viewer: Viewer, channel: DataChannel): void {
    viewer.channels.add(channel);
    if (channel.readyState === 'open') this.openAgent();
    else channel.onopen = () => this.openAgent();
    channel.onclose = () => viewer.channels.delete(channel);
    channel.onmessage = ({ data }) => {
      const reply = handleCommand(data, this.runtime, this.deps.sessions, this.sessionId);
      this.deps.metrics.dataChannelMessages.inc({ direction: 'in' });
      if (reply && channel.readyState === 'open') {
        channel.send(JSON.stringify({ event_id: randomUUID(), session_id: this.sessionId, ...reply }));
      }
    };
  }

  private attachMic(viewer: Viewer, track: MediaStreamTrack): void {
    viewer.mic?.stop();
    const sink = new wrtc.nonstandard.RTCAudioSink(track);
    viewer.mic = sink;
    sink.ondata = ({ samples, sampleRate, channelCount }) => {
      const mono = channelCount === 1 ? samples : downmix(samples, channelCount);
      viewer.micSamples += mono.length;
      viewer.micSampleRateHz = sampleRate;
      for (const l of this.userAudio) l(mono, sampleRate, viewer.id);
    };
  }

  /** Waits until ICE gathering is complete (non-trickle answer), at most the configured time. */
  private gathered(pc: PeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.deps.gatherTimeoutMs ?? 2000);
      function done() {
        clearTimeout(timer);
        pc.onicegatheringstatechange = null;
        resolve();
      }
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
    });
  }
}

function downmix(samples: Int16Array, channels: number): Int16Array {
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += samples[i * channels + c]!;
    out[i] = Math.round(s / channels);
  }
  return out;
}
