/**
 * Test helpers: a real Liveface server on 127.0.0.1, port 0, with a fresh SQLite file in a temp folder,
 * and a real `ws` client that records every event it receives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import {
  parseConfig,
  startServer,
  type Clock,
  type ConfigInput,
  type LivefaceServer,
} from '@liveface/server';

/** The API key every test server accepts. */
export const TEST_KEY = 'lf_test_key_0123456789abcdef0123456789';

/** A started test server plus helpers bound to it. */
export interface TestServer extends LivefaceServer {
  dataDir: string;
  /** fetch against the server with JSON in and out. */
  api(
    path: string,
    init?: {
      method?: string;
      body?: unknown;
      key?: string | null;
      token?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Creates a LITE session (token) with the given body fields. */
  createSession(fields?: Record<string, unknown>): Promise<{ sessionId: string; token: string }>;
  /** Creates and starts a LITE session. */
  startSession(fields?: Record<string, unknown>): Promise<{
    sessionId: string;
    token: string;
    wsUrl: string;
    webrtcUrl: string;
    maxSessionDuration: number;
  }>;
  /** Stops the server and deletes its data folder (unless `keepData`). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** Starts a server for one test file. */
export async function startTestServer(
  config: Partial<ConfigInput> = {},
  opts: { clock?: Clock; dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'liveface-test-'));
  const server = await startServer(
    parseConfig({ host: '127.0.0.1', port: 0, dataDir, apiKey: TEST_KEY, logLevel: 'silent', ...config }),
    opts.clock ? { clock: opts.clock } : {},
  );
  const api: TestServer['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.key !== null) headers['x-api-key'] = init.key ?? TEST_KEY;
    if (init.token) {
      delete headers['x-api-key'];
      headers.authorization = `Bearer ${init.token}`;
    }
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(server.url + path, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const createSession: TestServer['createSession'] = async (fields = {}) => {
    const r = await api('/v1/sessions/token', {
      body: { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID, ...fields },
    });
    if (r.status !== 200) throw new Error(`token failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { sessionId: r.body.data.session_id, token: r.body.data.session_token };
  };
  const startSession: TestServer['startSession'] = async (fields = {}) => {
    const s = await createSession(fields);
    const r = await api('/v1/sessions/start', { method: 'POST', token: s.token, key: null });
    if (r.status !== 200) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
    return {
      ...s,
      wsUrl: r.body.data.ws_url,
      webrtcUrl: r.body.data.webrtc_url,
      maxSessionDuration: r.body.data.max_session_duration,
    };
  };
  return Object.assign(server, {
    dataDir,
    api,
    createSession,
    startSession,
    stop: async (o: { keepData?: boolean } = {}) => {
      await server.close();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** A received LITE event with the local receive time. */
export type Received = Record<string, any> & { type: string; receivedAt: number };

/** A real WebSocket client that records events and can wait for them. */
export class LiteClient {
  readonly ws: WebSocket;
  readonly events: Received[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      this.events.push({
        ...JSON.parse(Buffer.from(data as Buffer).toString('utf8')),
        receivedAt: performance.now(),
      });
      this.notify();
    });
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.notify();
    });
    this.ws.on('error', () => this.notify());
  }

  /** Resolves once the socket is open. */
  opened(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** Sends one JSON command (or a raw string). */
  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Waits until `pred` holds for some event (after index `from`), and returns that event. */
  async waitFor(pred: (e: Received) => boolean, timeoutMs = 5000, from = 0): Promise<Received> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(pred);
      if (found) return found;
      if (this.closeCode !== null)
        throw new Error(
          `socket closed (${this.closeCode}) before the awaited event; got ${this.types().join(', ')}`,
        );
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for an event; got ${this.types().join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for an event of `type`. */
  waitType(type: string, timeoutMs?: number): Promise<Received> {
    return this.waitFor((e) => e.type === type, timeoutMs);
  }

  /** Waits for the socket to close. */
  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.closeCode === null) {
      if (performance.now() > deadline) throw new Error('socket did not close');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.closeCode;
  }

  /** Types of all events so far. */
  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Base64 of `ms` of PCM16 24 kHz mono: a 220 Hz tone (non-zero, so playback can be told from silence). */
export function pcmBase64(ms: number, amplitude = 8000): string {
  const n = Math.round((ms * 24_000) / 1000);
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++)
    buf.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / 24_000)), i * 2);
  return buf.toString('base64');
}
