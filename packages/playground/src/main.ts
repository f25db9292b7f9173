/**
 * The playground page: gets a session token (key-less from `POST /v1/playground/session` when the server
 * allows it, else with an API key from `POST /v1/sessions/token`), runs a LiveAvatarSession from the
 * browser SDK, and offers the LITE controls, a live event log and WebRTC readouts.
 */
import { EventLog } from './log.js';
import { MicCapture } from './mic.js';
import { Liveface, type AgentEvent, type LiveAvatarSession } from './sdk.js';
import { StatsSampler, type Readouts } from './stats.js';

const { AgentEventsEnum, LivefaceEvent, SessionEvent, SessionState, SessionApiError } = Liveface;

/** Longest file the page sends (the server buffers it whole). */
const MAX_FILE_S = 300;
/** Keep-alive period while the tab is visible, ms (the server's idle timeout is minutes). */
const KEEP_ALIVE_MS = 60_000;

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

const ui = {
  state: byId<HTMLSpanElement>('state-label'),
  video: byId<HTMLVideoElement>('video'),
  stageEmpty: byId<HTMLDivElement>('stage-empty'),
  stageMessage: byId<HTMLParagraphElement>('stage-message'),
  timer: byId<HTMLDivElement>('stage-timer'),
  talking: byId<HTMLSpanElement>('badge-talking'),
  listeningBadge: byId<HTMLSpanElement>('badge-listening'),
  micBadge: byId<HTMLSpanElement>('badge-mic'),
  avatar: byId<HTMLSelectElement>('avatar'),
  quality: byId<HTMLDivElement>('quality'),
  mode: byId<HTMLDivElement>('mode'),
  conversation: byId<HTMLElement>('conversation'),
  providers: byId<HTMLParagraphElement>('providers'),
  transcript: byId<HTMLOListElement>('transcript'),
  askForm: byId<HTMLFormElement>('ask-form'),
  ask: byId<HTMLInputElement>('ask'),
  askSend: byId<HTMLButtonElement>('ask-send'),
  ptt: byId<HTMLButtonElement>('ptt'),
  keyField: byId<HTMLDivElement>('key-field'),
  apiKey: byId<HTMLInputElement>('api-key'),
  voiceChat: byId<HTMLInputElement>('voice-chat'),
  start: byId<HTMLButtonElement>('start'),
  stop: byId<HTMLButtonElement>('stop'),
  error: byId<HTMLParagraphElement>('error'),
  meta: byId<HTMLDListElement>('meta'),
  sessionId: byId<HTMLElement>('session-id'),
  drop: byId<HTMLLabelElement>('drop'),
  file: byId<HTMLInputElement>('audio-file'),
  fileTitle: byId<HTMLSpanElement>('file-title'),
  fileHint: byId<HTMLSpanElement>('file-hint'),
  speakFile: byId<HTMLButtonElement>('speak-file'),
  repeat: byId<HTMLButtonElement>('repeat'),
  repeatLabel: byId<HTMLSpanElement>('repeat-label'),
  micLevel: byId<HTMLDivElement>('mic-level'),
  interrupt: byId<HTMLButtonElement>('interrupt'),
  listening: byId<HTMLInputElement>('listening'),
  logVerbose: byId<HTMLInputElement>('log-verbose'),
  clearLog: byId<HTMLButtonElement>('clear-log'),
  log: byId<HTMLOListElement>('log'),
  stats: {
    fps: byId<HTMLSpanElement>('stat-fps'),
    bitrate: byId<HTMLSpanElement>('stat-bitrate'),
    resolution: byId<HTMLSpanElement>('stat-resolution'),
    rtt: byId<HTMLSpanElement>('stat-rtt'),
    latency: byId<HTMLSpanElement>('stat-latency'),
    av: byId<HTMLSpanElement>('stat-av'),
    loss: byId<HTMLSpanElement>('stat-loss'),
  },
};

const STATE_LABEL: Record<string, string> = {
  INACTIVE: 'Not connected',
  CONNECTING: 'Connecting…',
  CONNECTED: 'Live',
  DISCONNECTING: 'Stopping…',
  DISCONNECTED: 'Ended',
};

const log = new EventLog(ui.log);
let keyless = document.querySelector<HTMLMetaElement>('meta[name="liveface-keyless"]')?.content === 'on';
let session: LiveAvatarSession | null = null;
let stats: StatsSampler | null = null;
let mic: MicCapture | null = null;
let micEventId: string | null = null;
let fileAudio: { name: string; pcm: Int16Array } | null = null;
let timers: ReturnType<typeof setInterval>[] = [];
let stopRequested = false;

/** A JSON call to this server; returns `data` or throws the SDK's SessionApiError. */
async function api(path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(path, init);
  const body = (await res.json().catch(() => null)) as {
    code?: number;
    message?: string;
    data?: { error?: string } & Record<string, unknown>;
  } | null;
  if (!res.ok || body?.code !== 1000) {
    throw new SessionApiError(
      body?.message ?? `Request failed with status ${res.status}`,
      body?.code ?? 500,
      res.status,
      body?.data?.error ?? null,
    );
  }
  return body.data;
}

function showError(err: unknown): void {
  const e = err as { message?: string; code?: string | null };
  ui.error.textContent = `${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
  ui.error.hidden = false;
}

/** LITE, FULL (conversational) or PTT (FULL push-to-talk). */
function mode(): string {
  return ui.mode.querySelector<HTMLInputElement>('input:checked')?.value ?? 'LITE';
}

/** FULL: one transcript line per turn; chunks update the open line of their side. */
function transcript(role: 'user' | 'avatar', text: string, final: boolean, append = false): void {
  const last = ui.transcript.lastElementChild as HTMLLIElement | null;
  const open = last && last.dataset.role === role && last.dataset.final === 'false' ? last : null;
  const li = open ?? document.createElement('li');
  li.dataset.role = role;
  li.dataset.final = String(final);
  li.textContent = append && open ? (li.textContent ?? '') + text : text;
  if (!open) ui.transcript.append(li);
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

function quality(): string {
  return ui.quality.querySelector<HTMLInputElement>('input:checked')?.value ?? 'medium';
}

async function loadAvatars(): Promise<void> {
  try {
    const data = (await api('/v1/avatars/public?page_size=100')) as {
      results: { id: string; name: string; status: string }[];
    };
    ui.avatar.replaceChildren(
      ...data.results.filter((a) => a.status === 'ACTIVE').map((a) => new Option(a.name, a.id)),
    );
  } catch (err) {
    showError(err);
  }
}

function useApiKey(): void {
  keyless = false;
  ui.keyField.hidden = false;
}

/** A session token for the chosen avatar and quality. */
async function sessionToken(): Promise<string> {
  const avatarId = ui.avatar.value;
  if (keyless) {
    try {
      const m = mode();
      const data = (await api('/v1/playground/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          avatar_id: avatarId,
          quality: quality(),
          mode: m === 'LITE' ? 'LITE' : 'FULL',
          interactivity_type: m === 'PTT' ? 'PUSH_TO_TALK' : 'CONVERSATIONAL',
        }),
      })) as { session_token: string; providers?: { llm: boolean; stt: string | null } };
      if (data.providers) {
        const p = data.providers;
        ui.providers.textContent = [
          p.llm ? 'LLM: the server default.' : 'No LLM: set LIVEFACE_LLM_BASE_URL to get answers.',
          p.stt
            ? `Speech-to-text: ${p.stt}.`
            : 'No speech-to-text: set LIVEFACE_STT_PROVIDER to be understood (typing works).',
        ].join(' ');
      }
      return data.session_token;
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
      // The key-less endpoint is off for this request (e.g. reached through a proxy): ask for a key.
      useApiKey();
    }
  }
  if (mode() !== 'LITE') {
    throw new Error(
      'FULL mode here uses the key-less playground session of a local server; with an API key, mint a FULL token on your backend.',
    );
  }
  const key = ui.apiKey.value.trim();
  if (!key) {
    ui.apiKey.focus();
    throw new Error('Enter an API key: this server does not offer key-less playground sessions.');
  }
  const data = (await api('/v1/sessions/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ mode: 'LITE', avatar_id: avatarId, video_settings: { quality: quality() } }),
  })) as { session_token: string };
  return data.session_token;
}

function render(state: string): void {
  document.body.dataset.state = state;
  ui.state.textContent = STATE_LABEL[state] ?? state;
  const idle = state === 'INACTIVE' || state === 'DISCONNECTED';
  const live = state === 'CONNECTED';
  ui.start.disabled = !idle;
  ui.stop.disabled = !(live || state === 'CONNECTING');
  for (const el of [
    ui.avatar,
    ui.apiKey,
    ui.voiceChat,
    ...ui.quality.querySelectorAll('input'),
    ...ui.mode.querySelectorAll('input'),
  ]) {
    el.disabled = !idle;
  }
  const full = live && String(session?.mode) === 'FULL';
  ui.askSend.disabled = !full;
  ui.ptt.disabled = !full;
  for (const el of [ui.repeat, ui.interrupt, ui.listening]) el.disabled = !live;
  ui.speakFile.disabled = !live || !fileAudio;
  if (state === 'CONNECTING') ui.stageMessage.textContent = 'Connecting…';
}

function wire(s: LiveAvatarSession): void {
  s.on(SessionEvent.SESSION_STATE_CHANGED, (state) => {
    render(state);
    log.add('sdk', SessionEvent.SESSION_STATE_CHANGED, { state });
  });
  s.on(SessionEvent.SESSION_STREAM_READY, () => {
    log.add('sdk', SessionEvent.SESSION_STREAM_READY);
    s.attach(ui.video);
    ui.stageEmpty.hidden = true;
    stats?.stop();
    stats = new StatsSampler(() => s.getStats(), ui.video, showStats);
    stats.start();
  });
  s.on(SessionEvent.SESSION_CONNECTION_QUALITY_CHANGED, (q) =>
    log.add('sdk', SessionEvent.SESSION_CONNECTION_QUALITY_CHANGED, { quality: q }),
  );
  s.on(SessionEvent.SESSION_DISCONNECTED, (reason) => {
    log.add('sdk', SessionEvent.SESSION_DISCONNECTED, { reason });
    ended(reason);
  });
  s.on(LivefaceEvent.WS_MESSAGE, (msg) => {
    log.add('ws', String(msg.type), msg);
    if (msg.type === 'agent.state_updated') {
      ui.listeningBadge.hidden = msg.new_state !== 'listening';
    }
  });
  s.on(LivefaceEvent.DATA_MESSAGE, (e: AgentEvent) => log.add('dc', e.event_type, e));
  s.on(AgentEventsEnum.USER_TRANSCRIPTION_CHUNK, (e: AgentEvent) =>
    transcript('user', String(e.text), false),
  );
  s.on(AgentEventsEnum.USER_TRANSCRIPTION, (e: AgentEvent) => transcript('user', String(e.text), true));
  s.on(AgentEventsEnum.AVATAR_TRANSCRIPTION_CHUNK, (e: AgentEvent) =>
    transcript('avatar', String(e.text), false, true),
  );
  s.on(AgentEventsEnum.AVATAR_TRANSCRIPTION, (e: AgentEvent) => transcript('avatar', String(e.text), true));
  s.on(AgentEventsEnum.AVATAR_SPEAK_STARTED, () => (ui.talking.hidden = false));
  s.on(AgentEventsEnum.AVATAR_SPEAK_ENDED, () => (ui.talking.hidden = true));
}

async function start(): Promise<void> {
  stopRequested = false;
  ui.error.hidden = true;
  log.reset();
  render('CONNECTING');
  try {
    const m = mode();
    ui.transcript.replaceChildren();
    ui.providers.textContent = '';
    const token = await sessionToken();
    // FULL: the avatar listens to the microphone (muted outside push-to-talk windows).
    const s = new Liveface.LiveAvatarSession(token, {
      apiUrl: location.origin,
      voiceChat: m === 'PTT' ? { defaultMuted: true } : m === 'FULL' ? true : ui.voiceChat.checked,
    });
    ui.conversation.hidden = m === 'LITE';
    ui.ptt.hidden = m !== 'PTT';
    session = s;
    wire(s);
    await s.start();
    ui.sessionId.textContent = s.sessionId ?? '';
    ui.meta.hidden = false;
    startTimers(s);
  } catch (err) {
    // Pressing Stop while connecting makes start() reject: that is no error to show.
    if (!stopRequested) showError(err);
    if (!session || session.state === SessionState.INACTIVE) render('INACTIVE');
  }
}

function startTimers(s: LiveAvatarSession): void {
  const endsAt = s.maxSessionDuration ? performance.now() + s.maxSessionDuration * 1000 : null;
  const tick = () => {
    if (endsAt === null) return;
    const left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
    ui.timer.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    ui.timer.hidden = false;
  };
  tick();
  timers.push(setInterval(tick, 1000));
  timers.push(
    setInterval(() => {
      if (document.visibilityState === 'visible')
        s.keepAlive().catch((err) => log.add('sdk', 'keep_alive_failed', String(err)));
    }, KEEP_ALIVE_MS),
  );
}

/** The session is over, whoever ended it: reset the page to start another. */
function ended(reason: string): void {
  void stopMic(false);
  stats?.stop();
  stats = null;
  for (const t of timers) clearInterval(t);
  timers = [];
  ui.video.srcObject = null;
  ui.stageEmpty.hidden = false;
  ui.timer.hidden = true;
  ui.talking.hidden = ui.listeningBadge.hidden = true;
  ui.listening.checked = false;
  ui.stageMessage.textContent =
    reason === 'SERVER_INITIATED'
      ? 'The server ended the session. Press Start session for a new one.'
      : 'Session ended. Press Start session for a new one.';
  session = null;
}

async function stop(): Promise<void> {
  stopRequested = true;
  await stopMic(true);
  await session?.stop();
}

async function onFile(file: File): Promise<void> {
  ui.fileTitle.textContent = file.name;
  ui.fileHint.textContent = 'Decoding…';
  try {
    const pcm = await Liveface.decodeAudioToPcm24k(file);
    const seconds = pcm.length / Liveface.LITE_SAMPLE_RATE_HZ;
    if (seconds > MAX_FILE_S)
      throw new Error(`The file is ${Math.round(seconds)} s long; the limit here is ${MAX_FILE_S} s.`);
    fileAudio = { name: file.name, pcm };
    ui.fileHint.textContent = `${seconds.toFixed(1)} s · 24 kHz mono PCM16`;
    ui.speakFile.disabled = session?.state !== SessionState.CONNECTED;
    if (session?.state === SessionState.CONNECTED) speakFile();
  } catch (err) {
    fileAudio = null;
    ui.fileHint.textContent = 'Could not decode this file.';
    showError(err);
  }
}

function speakFile(): void {
  if (!session || !fileAudio) return;
  session.repeatAudio(Liveface.pcm16ToBase64(fileAudio.pcm));
  const seconds = (fileAudio.pcm.length / Liveface.LITE_SAMPLE_RATE_HZ).toFixed(1);
  log.add('out', 'agent.speak', `${seconds} s of ${fileAudio.name}, then agent.speak_end`);
}

async function toggleMic(): Promise<void> {
  if (mic) return stopMic(true);
  const s = session;
  if (!s) return;
  ui.repeat.disabled = true;
  try {
    const id = crypto.getRandomValues(new Uint32Array(2)).join('-');
    micEventId = `mic-${id}`;
    let chunks = 0;
    mic = await MicCapture.start(s.voiceChat.track, (pcm, rms) => {
      if (s.appendAudio(Liveface.pcm16ToBase64(pcm), micEventId ?? undefined)) chunks++;
      ui.micLevel.style.width = `${Math.min(100, rms * 400).toFixed(0)}%`;
      if (chunks === 1) log.add('out', 'agent.speak', 'streaming the microphone in 200 ms chunks');
    });
    ui.repeat.setAttribute('aria-pressed', 'true');
    ui.repeatLabel.textContent = 'Stop repeating';
    ui.micBadge.hidden = false;
  } catch (err) {
    mic = null;
    showError(err);
  } finally {
    ui.repeat.disabled = session?.state !== SessionState.CONNECTED;
  }
}

async function stopMic(commit: boolean): Promise<void> {
  const m = mic;
  if (!m) return;
  mic = null;
  await m.stop();
  if (commit && session?.commitAudio(micEventId ?? undefined)) log.add('out', 'agent.speak_end');
  micEventId = null;
  ui.repeat.setAttribute('aria-pressed', 'false');
  ui.repeatLabel.textContent = 'Repeat after me';
  ui.micBadge.hidden = true;
  ui.micLevel.style.width = '0';
}

function showStats(r: Readouts): void {
  const fmt = (v: number | null, unit: string, digits = 0) =>
    v === null ? '–' : `${v.toFixed(digits)} ${unit}`;
  ui.stats.fps.textContent = fmt(r.fps, 'fps');
  ui.stats.bitrate.textContent =
    r.kbps === null
      ? '–'
      : r.kbps >= 1000
        ? `${(r.kbps / 1000).toFixed(2)} Mb/s`
        : `${r.kbps.toFixed(0)} kb/s`;
  ui.stats.resolution.textContent = r.width && r.height ? `${r.width}×${r.height}` : '–';
  ui.stats.rtt.textContent = fmt(r.rttMs, 'ms', 1);
  ui.stats.latency.textContent = fmt(r.latencyMs, 'ms');
  ui.stats.av.textContent =
    r.avOffsetMs === null ? '–' : `${r.avOffsetMs > 0 ? '+' : ''}${r.avOffsetMs.toFixed(0)} ms`;
  ui.stats.loss.textContent = fmt(r.lossPct, '%', 1);
}

byId<HTMLFormElement>('session-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!ui.start.disabled) void start();
});
ui.stop.addEventListener('click', () => void stop());
ui.file.addEventListener('change', () => {
  const f = ui.file.files?.[0];
  if (f) void onFile(f);
});
ui.drop.addEventListener('dragenter', () => ui.drop.classList.add('dragging'));
for (const type of ['dragleave', 'drop'])
  ui.drop.addEventListener(type, () => ui.drop.classList.remove('dragging'));
ui.speakFile.addEventListener('click', speakFile);
ui.repeat.addEventListener('click', () => void toggleMic());
ui.interrupt.addEventListener('click', () => {
  void stopMic(false);
  session?.interrupt();
  log.add('out', 'agent.interrupt');
});
ui.listening.addEventListener('change', () => {
  if (ui.listening.checked) session?.startListening();
  else session?.stopListening();
  log.add('out', ui.listening.checked ? 'agent.start_listening' : 'agent.stop_listening');
});
ui.askForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ui.ask.value.trim();
  if (!session || !text || ui.askSend.disabled) return;
  session.message(text);
  transcript('user', text, true);
  log.add('out', 'avatar.speak_response', text);
  ui.ask.value = '';
});
ui.ptt.addEventListener('click', () => {
  if (!session) return;
  const on = ui.ptt.getAttribute('aria-pressed') !== 'true';
  ui.ptt.setAttribute('aria-pressed', String(on));
  ui.ptt.textContent = on ? 'Release (send)' : 'Push to talk';
  const step = on ? session.voiceChat.startPushToTalk() : session.voiceChat.stopPushToTalk();
  log.add('out', on ? 'user.start_push_to_talk' : 'user.stop_push_to_talk');
  step.catch((err: unknown) => showError(err));
});
ui.logVerbose.addEventListener('change', () => (log.verbose = ui.logVerbose.checked));
ui.clearLog.addEventListener('click', () => log.clear());
window.addEventListener('pagehide', () => void session?.stop());

byId<HTMLElement>('snippet').textContent = [
  `<script src="${location.origin}/sdk/liveface.js"></script>`,
  '<video id="avatar" playsinline></video>',
  '<script type="module">',
  `  const session = new Liveface.LiveAvatarSession(token, { apiUrl: '${location.origin}' });`,
  "  session.on('session.stream_ready', () => session.attach(document.getElementById('avatar')));",
  '  await session.start();',
  '  session.repeatAudio(base64Pcm24k); // your TTS audio: PCM16, 24 kHz, mono',
  '</script>',
].join('\n');

if (!keyless) useApiKey();
render('INACTIVE');
void loadAvatars();
