/**
 * The native WebRTC stack (@roamhq/wrtc: libwebrtc with VP8/VP9/AV1 and Opus), loaded once, typed with
 * just what Liveface uses (its own typings lean on the DOM library, which the server does not load).
 */
import { createRequire } from 'node:module';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface MediaStreamTrack {
  readonly kind: 'audio' | 'video';
  readonly id: string;
  stop(): void;
}

export interface MediaStream {
  readonly id: string;
}

export interface DataChannel {
  readonly label: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  send(data: string): void;
  close(): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface PeerConnection {
  readonly connectionState: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
  readonly iceGatheringState: 'new' | 'gathering' | 'complete';
  readonly localDescription: SessionDescription | null;
  setRemoteDescription(d: SessionDescription): Promise<void>;
  setLocalDescription(d: SessionDescription): Promise<void>;
  createAnswer(): Promise<SessionDescription>;
  addTrack(track: MediaStreamTrack, stream: MediaStream): unknown;
  getTransceivers(): { mid: string | null; receiver: { track: MediaStreamTrack } }[];
  close(): void;
  onconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  onicecandidate: ((e: { candidate: unknown }) => void) | null;
  ondatachannel: ((e: { channel: DataChannel }) => void) | null;
  ontrack: ((e: { track: MediaStreamTrack }) => void) | null;
}

export interface VideoSource {
  createTrack(): MediaStreamTrack;
  onFrame(frame: { width: number; height: number; data: Uint8Array }): void;
}

export interface AudioSource {
  createTrack(): MediaStreamTrack;
  onData(data: {
    samples: Int16Array;
    sampleRate: number;
    bitsPerSample: 16;
    channelCount: 1;
    numberOfFrames: number;
  }): void;
}

export interface AudioSink {
  ondata: ((d: { samples: Int16Array; sampleRate: number; channelCount: number }) => void) | null;
  stop(): void;
}

interface Wrtc {
  RTCPeerConnection: new (config: { iceServers: IceServer[] }) => PeerConnection;
  MediaStream: new () => MediaStream;
  nonstandard: {
    RTCVideoSource: new () => VideoSource;
    RTCAudioSource: new () => AudioSource;
    RTCAudioSink: new (track: MediaStreamTrack) => AudioSink;
  };
}

/** The loaded binding. */
export const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc;
