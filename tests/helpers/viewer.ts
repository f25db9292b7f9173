/**
 * A WebRTC viewer in Node (the same libwebrtc as the server): offers to receive video and audio, sends
 * an optional microphone, opens the `agent-control` data channel, and records what arrives.
 */
import { createRequire } from 'node:module';

const wrtc: any = createRequire(import.meta.url)('@roamhq/wrtc');

/** A decoded video frame as received. */
export interface ReceivedFrame {
  at: number;
  width: number;
  height: number;
  /** I420. */
  data: Uint8Array;
}

/** A connected viewer. */
export interface Viewer {
  frames: ReceivedFrame[];
  /** Audio as received: 10 ms chunks with arrival times. */
  audio: { at: number; samples: Int16Array; sampleRate: number }[];
  events: Record<string, unknown>[];
  location: string;
  answer: string;
  /** Sends a JSON command on the data channel (waits for it to open). */
  send(msg: Record<string, unknown>): Promise<void>;
  /** Feeds 10 ms of microphone audio (48 kHz mono) if the viewer has a mic. */
  mic(samples: Int16Array): void;
  /** Resolves when `pred` holds, polling. */
  until(pred: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  connectionState(): string;
  close(): void;
}

/** Options of {@link connectViewer}. */
export interface ViewerOptions {
  withMic?: boolean;
  keepFrames?: number;
}

/** Joins a session through its webrtc_url. */
export async function connectViewer(webrtcUrl: string, opts: ViewerOptions = {}): Promise<Viewer> {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const frames: ReceivedFrame[] = [];
  const audio: Viewer['audio'] = [];
  const events: Record<string, unknown>[] = [];
  const sinks: { stop(): void }[] = [];
  const keep = opts.keepFrames ?? 2000;
  pc.addTransceiver('video', { direction: 'recvonly' });
  let micSource: { onData(d: unknown): void } | null = null;
  if (opts.withMic) {
    micSource = new wrtc.nonstandard.RTCAudioSource();
    const track = (micSource as unknown as { createTrack(): unknown }).createTrack();
    pc.addTransceiver(track, { direction: 'sendrecv' });
  } else {
    pc.addTransceiver('audio', { direction: 'recvonly' });
  }
  const dc = pc.createDataChannel('agent-control');
  dc.onmessage = (e: { data: string }) => events.push(JSON.parse(e.data) as Record<string, unknown>);
  const dcOpen = new Promise<void>((resolve) => (dc.onopen = () => resolve()));
  pc.ontrack = (e: { track: { kind: string } }) => {
    if (e.track.kind === 'video') {
      const sink = new wrtc.nonstandard.RTCVideoSink(e.track);
      sink.onframe = ({ frame }: { frame: { width: number; height: number; data: Uint8Array } }) => {
        frames.push({
          at: performance.now(),
          width: frame.width,
          height: frame.height,
          data: new Uint8Array(frame.data),
        });
        if (frames.length > keep) frames.shift();
      };
      sinks.push(sink);
    } else {
      const sink = new wrtc.nonstandard.RTCAudioSink(e.track);
      sink.ondata = (d: { samples: Int16Array; sampleRate: number }) =>
        audio.push({ at: performance.now(), samples: new Int16Array(d.samples), sampleRate: d.sampleRate });
      sinks.push(sink);
    }
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const t = setTimeout(resolve, 2000);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(t);
        resolve();
      }
    };
  });
  const res = await fetch(webrtcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  const answer = await res.text();
  if (res.status !== 201) {
    pc.close();
    throw Object.assign(new Error(`WHEP POST answered ${res.status}: ${answer}`), {
      status: res.status,
      body: answer,
    });
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  const location = new URL(res.headers.get('location')!, webrtcUrl).toString();
  const until: Viewer['until'] = async (pred, timeoutMs = 10_000, what = 'condition') => {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`viewer: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    frames,
    audio,
    events,
    location,
    answer,
    send: async (msg) => {
      await dcOpen;
      dc.send(JSON.stringify(msg));
    },
    mic: (samples) =>
      micSource?.onData({
        samples,
        sampleRate: 48_000,
        bitsPerSample: 16,
        channelCount: 1,
        numberOfFrames: samples.length,
      }),
    until,
    connectionState: () => pc.connectionState as string,
    close: () => {
      for (const s of sinks) s.stop();
      pc.close();
    },
  };
}
