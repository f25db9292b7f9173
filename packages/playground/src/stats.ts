/**
 * Readouts from the browser's own WebRTC statistics, sampled once a second. Every figure covers the
 * last interval (deltas of the cumulative counters), not the whole session.
 *
 * - fps: frames presented (requestVideoFrameCallback), else frames decoded.
 * - bitrate: bytes received, video + audio.
 * - RTT: the selected ICE candidate pair's current round-trip time.
 * - latency (est.): RTT/2 + video jitter-buffer delay + decode time — server to screen, minus the
 *   compositor (about one display frame).
 * - A/V offset: (video jitter buffer + decode) − (audio jitter buffer + audio playout delay). The
 *   server sends each 40 ms frame together with its own audio, so what differs is this browser's
 *   buffering of the two; positive means the picture lags the voice.
 */

/** One set of readouts; null where the browser has no figure yet. */
export interface Readouts {
  fps: number | null;
  kbps: number | null;
  width: number | null;
  height: number | null;
  rttMs: number | null;
  latencyMs: number | null;
  avOffsetMs: number | null;
  lossPct: number | null;
}

type Stat = Record<string, unknown> & { type: string; id: string };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Samples a peer connection's stats and the video element's presented frames. */
export class StatsSampler {
  private prev: Map<string, Stat> | null = null;
  private prevAt = 0;
  private presented = 0;
  private prevPresented = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly getStats: () => Promise<RTCStatsReport | null>,
    private readonly video: HTMLVideoElement,
    private readonly onUpdate: (r: Readouts) => void,
  ) {}

  /** Starts sampling. */
  start(): void {
    this.stopped = false;
    this.countFrames();
    this.timer = setInterval(() => void this.sample(), 1000);
  }

  /** Stops sampling. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.prev = null;
  }

  private countFrames(): void {
    if (!('requestVideoFrameCallback' in this.video)) return;
    const tick = () => {
      if (this.stopped) return;
      this.presented++;
      this.video.requestVideoFrameCallback(tick);
    };
    this.video.requestVideoFrameCallback(tick);
  }

  private async sample(): Promise<void> {
    const report = await this.getStats();
    if (!report || this.stopped) return;
    const now = performance.now();
    const cur = new Map<string, Stat>();
    report.forEach((s: Stat) => cur.set(s.id, s));
    const prev = this.prev;
    const dt = (now - this.prevAt) / 1000;
    const presentedNow = this.presented;
    this.prev = cur;
    this.prevAt = now;
    const presented = presentedNow - this.prevPresented;
    this.prevPresented = presentedNow;
    if (!prev || dt <= 0) return;

    const delta = (s: Stat, key: string) => num(s[key]) - num(prev.get(s.id)?.[key]);
    const find = (pred: (s: Stat) => boolean) => [...cur.values()].find(pred);
    const video = find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
    const audio = find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
    const playout = find((s) => s.type === 'media-playout');
    const transport = find((s) => s.type === 'transport');
    const pair =
      (transport && cur.get(String(transport.selectedCandidatePairId))) ??
      find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');

    const perItemMs = (s: Stat | undefined, total: string, count: string): number | null => {
      if (!s) return null;
      const n = delta(s, count);
      return n > 0 ? (delta(s, total) / n) * 1000 : null;
    };
    const videoJbMs = perItemMs(video, 'jitterBufferDelay', 'jitterBufferEmittedCount');
    const decodeMs = perItemMs(video, 'totalDecodeTime', 'framesDecoded');
    const audioJbMs = perItemMs(audio, 'jitterBufferDelay', 'jitterBufferEmittedCount');
    const playoutMs = perItemMs(playout, 'totalPlayoutDelay', 'totalSamplesCount') ?? 0;
    const rttMs =
      pair && typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null;

    const decoded = video ? delta(video, 'framesDecoded') / dt : null;
    const bytes = (video ? delta(video, 'bytesReceived') : 0) + (audio ? delta(audio, 'bytesReceived') : 0);
    const lost = (video ? delta(video, 'packetsLost') : 0) + (audio ? delta(audio, 'packetsLost') : 0);
    const received =
      (video ? delta(video, 'packetsReceived') : 0) + (audio ? delta(audio, 'packetsReceived') : 0);
    const videoDelayMs = videoJbMs === null ? null : videoJbMs + (decodeMs ?? 0);

    this.onUpdate({
      fps: presented > 0 ? presented / dt : decoded,
      kbps: video || audio ? (bytes * 8) / dt / 1000 : null,
      width: video ? num(video.frameWidth) || null : null,
      height: video ? num(video.frameHeight) || null : null,
      rttMs,
      latencyMs: videoDelayMs === null ? null : (rttMs ?? 0) / 2 + videoDelayMs,
      avOffsetMs: videoDelayMs === null || audioJbMs === null ? null : videoDelayMs - (audioJbMs + playoutMs),
      lossPct: lost + received > 0 ? (100 * Math.max(0, lost)) / (lost + received) : null,
    });
  }
}
