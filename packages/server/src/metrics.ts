/** Prometheus metrics, one registry per server instance (so tests can run several servers in one process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's metrics. */
export class Metrics {
  readonly registry = new Registry();
  /** Sessions by status, refreshed on each scrape by the session manager. */
  readonly sessions = new Gauge({
    name: 'liveface_sessions',
    help: 'Sessions by status',
    labelNames: ['status', 'mode'] as const,
    registers: [this.registry],
  });
  readonly sessionsEnded = new Counter({
    name: 'liveface_sessions_ended_total',
    help: 'Sessions ended, by end reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly wsMessages = new Counter({
    name: 'liveface_ws_messages_total',
    help: 'LITE WebSocket messages, by direction and type',
    labelNames: ['direction', 'type'] as const,
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: 'liveface_ws_connections',
    help: 'Open LITE WebSocket connections',
    registers: [this.registry],
  });
  /** Refreshed on scrape: audio queued for playout over all sessions. */
  readonly audioBuffered = new Gauge({
    name: 'liveface_audio_buffered_seconds',
    help: 'Audio queued for playout, summed over sessions',
    registers: [this.registry],
  });
  readonly audioReceived = new Counter({
    name: 'liveface_audio_received_seconds_total',
    help: 'Audio received over LITE WebSockets',
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'liveface_errors_total',
    help: 'Errors returned to clients, by stable code',
    labelNames: ['code', 'channel'] as const,
    registers: [this.registry],
  });
  readonly lipSyncUtterances = new Counter({
    name: 'liveface_lipsync_utterances_total',
    help: 'Utterances by lip-sync path (audio: audio-only; text: text-aware, TTS word timings)',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });
  readonly clockStalls = new Counter({
    name: 'liveface_playout_stalled_ms_total',
    help: 'Playout time skipped because the event loop stalled',
    registers: [this.registry],
  });
  readonly webrtcViewers = new Gauge({
    name: 'liveface_webrtc_viewers',
    help: 'Connected WebRTC viewers (peer connections)',
    registers: [this.registry],
  });
  readonly webrtcStreams = new Gauge({
    name: 'liveface_webrtc_streams',
    help: 'Sessions streaming to at least one WebRTC viewer',
    registers: [this.registry],
  });
  readonly webrtcFrames = new Counter({
    name: 'liveface_webrtc_frames_total',
    help: 'Video frames handed to WebRTC encoders',
    registers: [this.registry],
  });
  readonly webrtcIceFailures = new Counter({
    name: 'liveface_webrtc_ice_failures_total',
    help: 'Viewers whose ICE connection failed',
    registers: [this.registry],
  });
  readonly dataChannelMessages = new Counter({
    name: 'liveface_datachannel_messages_total',
    help: 'Data-channel messages, by direction',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });
  readonly framesLate = new Counter({
    name: 'liveface_frames_late_total',
    help: 'Video frames skipped (busy: replaced by a newer pose while the worker drew the previous frame; failed: worker error or crash)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly renderWorkerCrashes = new Counter({
    name: 'liveface_render_worker_crashes_total',
    help: 'Render worker threads that died and were replaced',
    registers: [this.registry],
  });
  readonly renderDuration = new Histogram({
    name: 'liveface_render_duration_seconds',
    help: 'Time to draw one frame and convert it to I420 on a render worker',
    buckets: [0.002, 0.004, 0.008, 0.016, 0.033, 0.066],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'liveface_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'liveface_' });
  }
}
