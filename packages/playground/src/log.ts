/** The live event log: one row per event, newest at the bottom, capped. */

/** Where an event came from. */
export type LogSource = 'ws' | 'dc' | 'sdk' | 'out';

const MAX_ROWS = 400;
/** Frequent LITE acknowledgements, shown only when "audio buffer" is ticked. */
const VERBOSE = new Set(['agent.audio_buffer_appended', 'agent.audio_buffer_committed']);

/** Appends events to an <ol>. */
export class EventLog {
  private t0 = performance.now();
  verbose = false;

  constructor(private readonly list: HTMLOListElement) {}

  /** Restarts the clock (a new session). */
  reset(): void {
    this.t0 = performance.now();
  }

  /** Removes every row. */
  clear(): void {
    this.list.replaceChildren();
  }

  /** Adds a row; `detail` is shown compactly (JSON without the envelope fields). */
  add(source: LogSource, type: string, detail?: Record<string, unknown> | string): void {
    if (VERBOSE.has(type) && !this.verbose) return;
    const row = document.createElement('li');
    row.dataset.type = type;
    row.dataset.source = source;
    if (type === 'error' || type === 'warning' || type.endsWith('failed')) row.className = 'log-error';
    const time = document.createElement('span');
    time.className = 'log-time';
    time.textContent = `${((performance.now() - this.t0) / 1000).toFixed(2)}s`;
    const src = document.createElement('span');
    src.className = `log-src log-src-${source}`;
    src.textContent = source === 'out' ? '→' : source.toUpperCase();
    src.title = {
      ws: 'LITE WebSocket',
      dc: 'WebRTC data channel',
      sdk: 'SDK event',
      out: 'sent by this page',
    }[source];
    const body = document.createElement('span');
    const name = document.createElement('span');
    name.className = 'log-type';
    name.textContent = type;
    body.append(name);
    const text = typeof detail === 'string' ? detail : compact(detail);
    if (text) {
      const d = document.createElement('span');
      d.className = 'log-detail';
      d.textContent = ` ${text}`;
      body.append(d);
    }
    row.append(time, src, body);
    const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 8;
    this.list.append(row);
    while (this.list.childElementCount > MAX_ROWS) this.list.firstElementChild?.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }
}

/** JSON of an event without the fields every event has. */
function compact(e: Record<string, unknown> | undefined): string {
  if (!e) return '';
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type' || k === 'event_type' || k === 'event_id' || k === 'session_id') continue;
    if (v === null || v === undefined) continue;
    rest[k] = v;
  }
  const text = JSON.stringify(rest);
  return text === '{}' ? '' : text;
}
