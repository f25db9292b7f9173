/**
 * The viewer side of Liveface's WHEP-style transport: one RTCPeerConnection that receives the avatar's
 * video and voice, optionally sends the microphone, and carries the §8 data-channel protocol.
 *
 *   POST {webrtc_url}  application/sdp offer → 201, SDP answer, Location (the viewer)
 *   DELETE {Location}  leave
 *
 * Signalling is non-trickle: the offer is posted once ICE gathering completes (or after a short wait).
 */
import { readEnvelope, timeoutSignal } from './api.js';
import { SessionApiError, type IceServer } from './types.js';

/** Label of the data channel (the LiveKit topic the commands travel on). */
const CHANNEL_LABEL = 'agent-control';
/** Longest wait for ICE gathering before posting what has been gathered, ms. */
const GATHER_TIMEOUT_MS = 2000;
/** Longest wait for the server to confirm a viewer left; closing goes on regardless, ms. */
const LEAVE_TIMEOUT_MS = 5000;

/** Callbacks of a {@link WhepConnection}. */
export interface WhepHandlers {
  /** A remote track arrived; `stream` holds every remote track so far. */
  onTrack(stream: MediaStream): void;
  /** A text message on the data channel. */
  onMessage(text: string): void;
  /** The connection failed or was closed by the other side. */
  onClosed(): void;
}

/** One viewer connection to a session. */
export class WhepConnection {
  readonly pc: RTCPeerConnection;
  readonly channel: RTCDataChannel;
  /** Remote video and audio, as one stream (one element plays both, in sync). */
  readonly stream = new MediaStream();
  private location: string | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    iceServers: IceServer[],
    mic: MediaStreamTrack | null,
    private readonly handlers: WhepHandlers,
  ) {
    this.pc = new RTCPeerConnection({ iceServers });
    this.pc.addTransceiver('video', { direction: 'recvonly' });
    if (mic) this.pc.addTransceiver(mic, { direction: 'sendrecv', streams: [new MediaStream([mic])] });
    else this.pc.addTransceiver('audio', { direction: 'recvonly' });
    this.channel = this.pc.createDataChannel(CHANNEL_LABEL);
    this.channel.onmessage = (e: MessageEvent) => {
      if (typeof e.data === 'string') handlers.onMessage(e.data);
    };
    this.pc.ontrack = (e) => {
      if (!this.stream.getTracks().includes(e.track)) this.stream.addTrack(e.track);
      handlers.onTrack(this.stream);
    };
    this.pc.onconnectionstatechange = () => {
      // `disconnected` can heal by itself; `failed` and `closed` cannot.
      const s = this.pc.connectionState;
      if (!this.closed && (s === 'failed' || s === 'closed')) handlers.onClosed();
    };
    this.channel.onclose = () => {
      if (!this.closed) handlers.onClosed();
    };
  }

  /** Offers, posts the offer, applies the answer, and waits until media flows (or `timeoutMs`). */
  async connect(timeoutMs: number): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await this.gathered();
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: this.pc.localDescription?.sdp ?? '',
    });
    if (res.status !== 201) {
      await readEnvelope(res);
      throw new SessionApiError(`WebRTC signalling failed with status ${res.status}`, 500, res.status);
    }
    const answer = await res.text();
    const location = res.headers.get('location');
    if (location) this.location = new URL(location, this.url).toString();
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await this.connected(timeoutMs);
  }

  /** Sends a JSON command on the data channel; false when the channel is not open. */
  send(msg: Record<string, unknown>): boolean {
    if (this.channel.readyState !== 'open') return false;
    this.channel.send(JSON.stringify(msg));
    return true;
  }

  /** Leaves: closes the peer connection and deletes the viewer on the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.channel.onmessage = null;
    this.channel.onclose = null;
    for (const t of this.stream.getTracks()) t.stop();
    const location = this.location;
    // Delete first: the server then closes its side at once instead of waiting for ICE to time out.
    if (location) {
      try {
        await fetch(location, { method: 'DELETE', signal: timeoutSignal(LEAVE_TIMEOUT_MS) });
      } catch {
        // The server is gone or the session ended: nothing left to leave.
      }
    }
    this.channel.close();
    this.pc.close();
  }

  private gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = () => {
        if (this.pc.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, GATHER_TIMEOUT_MS);
      this.pc.addEventListener('icegatheringstatechange', check);
    });
  }

  private connected(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = this.pc.connectionState;
        if (s === 'connected') finish(null);
        else if (s === 'failed' || s === 'closed') finish(new Error(`WebRTC connection ${s}`));
      };
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        this.pc.removeEventListener('connectionstatechange', check);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error(`WebRTC connection not established within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pc.addEventListener('connectionstatechange', check);
      check();
    });
  }
}
