// @ts-check
/**
 * A WebRTC viewer for the benches: the same libwebrtc (@roamhq/wrtc) and WHEP exchange as the tests'
 * viewer (tests/helpers/viewer.ts), but it keeps no frames: each decoded frame and 10 ms of audio go
 * to callbacks with their arrival time, the phases of joining are timed, and with `sinks: false` no
 * frame crosses into JavaScript at all (libwebrtc still decodes; frames are counted from getStats).
 * With `video: false` no video sink is attached (frames are still decoded). With `audio: false` the
 * offer has no audio section, so the receiver has no audio to hold the video
 * back for lip sync (a diagnostic: the video path alone).
 */
/* global fetch -- Node 20's built-in */
import { createRequire } from 'node:module';
import { clearTimeout, setTimeout } from 'node:timers';
import { now } from './live.mjs';

/** @type {any} */
const wrtc = createRequire(import.meta.url)('@roamhq/wrtc');

/**
 * @typedef {{ width: number, height: number, data: Uint8Array }} I420
 * @typedef {{
 *   onFrame?: (frame: I420, at: number) => void,
 *   onAudio?: (samples: Int16Array, sampleRateHz: number, at: number) => void,
 *   sinks?: boolean,
 *   audio?: boolean,
 *   mic?: boolean,
 *   video?: boolean,
 *   onEvent?: (event: Record<string, any>, at: number) => void,
 * }} ViewerOptions
 */

/**
 * Joins a session through its webrtc_url. `t` holds the epoch times of each phase: `begin` (called),
 * `gathered` (offer made, local ICE gathering complete), `answered` (WHEP POST answered),
 * `connected` (ICE + DTLS: connectionState "connected"), `firstFrame` (first decoded frame; sinks only).
 * @param {string} webrtcUrl
 * @param {ViewerOptions} [opts]
 */
export async function connectViewer(webrtcUrl, opts = {}) {
  /** @type {Record<string, number>} */
  const t = { begin: now() };
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  /** @type {{ stop(): void }[]} */
  const sinks = [];
  pc.addTransceiver('video', { direction: 'recvonly' });
  /** @type {any} */
  let micSource = null;
  if (opts.mic) {
    micSource = new wrtc.nonstandard.RTCAudioSource();
    pc.addTransceiver(micSource.createTrack(), { direction: 'sendrecv' });
  } else if (opts.audio !== false) pc.addTransceiver('audio', { direction: 'recvonly' });
  const dc = pc.createDataChannel('agent-control');
  dc.onmessage = (/** @type {{ data: string }} */ e) => opts.onEvent?.(JSON.parse(e.data), now());
  /** @type {() => void} */
  let onConnected = () => undefined;
  const connected = new Promise((resolve) => (onConnected = () => resolve(null)));
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === 'connected' && !t.connected) {
      t.connected = now();
      onConnected();
    }
  };
  /** @type {() => void} */
  let onFirst = () => undefined;
  const firstFrame = new Promise((resolve) => (onFirst = () => resolve(null)));
  if (opts.sinks !== false) {
    pc.ontrack = (/** @type {{ track: { kind: string } }} */ e) => {
      if (e.track.kind === 'video') {
        if (opts.video === false) return;
        const sink = new wrtc.nonstandard.RTCVideoSink(e.track);
        sink.onframe = (/** @type {{ frame: I420 }} */ { frame }) => {
          const at = now();
          if (!t.firstFrame) {
            t.firstFrame = at;
            onFirst();
          }
          opts.onFrame?.(frame, at);
        };
        sinks.push(sink);
      } else {
        const sink = new wrtc.nonstandard.RTCAudioSink(e.track);
        sink.ondata = (/** @type {{ samples: Int16Array, sampleRate: number }} */ d) =>
          opts.onAudio?.(d.samples, d.sampleRate, now());
        sinks.push(sink);
      }
    };
  }
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve(null);
    const timer = setTimeout(resolve, 2000);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve(null);
    };
  });
  t.gathered = now();
  const res = await fetch(webrtcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  const answer = await res.text();
  t.answered = now();
  if (res.status !== 201) {
    pc.close();
    throw new Error(`WHEP POST answered ${res.status}: ${answer}`);
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  return {
    pc,
    t,
    connected,
    firstFrame,
    /** Sends one data-channel command (the channel must be open). */
    send: (/** @type {Record<string, unknown>} */ cmd) => dc.send(JSON.stringify(cmd)),
    /** Sends 10 ms of microphone audio (48 kHz mono PCM16); needs `mic: true`. */
    mic: (/** @type {Int16Array} */ samples) =>
      micSource.onData({
        samples,
        sampleRate: 48_000,
        bitsPerSample: 16,
        channelCount: 1,
        numberOfFrames: samples.length,
      }),
    /** Frames decoded so far, from libwebrtc's stats. */
    framesDecoded: async () => {
      /** @type {Map<string, any>} */
      const report = await pc.getStats();
      let n = 0;
      for (const s of report.values())
        if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0;
      return n;
    },
    close: () => {
      for (const s of sinks) s.stop();
      pc.close();
    },
  };
}
