/**
 * A local stand-in for a vendor: a real HTTP server on 127.0.0.1, port 0, whose behaviour each test
 * scripts, with WebSocket upgrades (the `ws` server) for streaming vendors. It records every request and
 * whether the client went away before the answer was complete, so tests can see cancellation on the wire.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ProviderError } from '../../packages/server/src/agent/providers/index.js';

/** A request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** True once the client closed the connection before the answer ended. */
  clientGone: boolean;
  /** Resolves when the answer ended or the client went away. */
  finished: Promise<void>;
}

/** Scripted answer to one HTTP request. */
export type HttpHandler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

/** A WebSocket connection as the fake server saw it. */
export interface SeenSocket {
  url: string;
  headers: IncomingHttpHeaders;
  ws: WebSocket;
  /** Text messages received, parsed as JSON when they are. */
  texts: unknown[];
  /** Binary frames received. */
  binary: Buffer[];
  /** Resolves with the close code when the socket closes. */
  closed: Promise<number>;
}

/**
 * Decides a WebSocket upgrade: return an HTTP refusal to reject the handshake, or nothing to accept
 * (then `onSocket` runs).
 */
export type UpgradeHandler = (
  req: IncomingMessage,
) => { status: number; headers?: Record<string, string>; body?: string } | undefined;

/** A running fake vendor. */
export interface FakeServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `ws://127.0.0.1:PORT`. */
  wsUrl: string;
  requests: SeenRequest[];
  sockets: SeenSocket[];
  /** Replaces the HTTP behaviour. */
  onHttp(h: HttpHandler): void;
  /** Replaces the upgrade decision. */
  onUpgrade(h: UpgradeHandler): void;
  /** Replaces the WebSocket behaviour (called for each accepted socket). */
  onSocket(h: (s: SeenSocket) => void): void;
  stop(): Promise<void>;
}

/** Starts a fake vendor on 127.0.0.1:0. */
export async function startFakeServer(): Promise<FakeServer> {
  let http: HttpHandler = (_req, res) => {
    res.writeHead(404).end();
  };
  let upgrade: UpgradeHandler = () => undefined;
  let onSocket: (s: SeenSocket) => void = () => undefined;
  const requests: SeenRequest[] = [];
  const sockets: SeenSocket[] = [];
  const open = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let finish!: () => void;
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
        clientGone: false,
        finished: new Promise<void>((r) => (finish = r)),
      };
      res.on('close', () => {
        if (!res.writableFinished) seen.clientGone = true;
        finish();
      });
      requests.push(seen);
      Promise.resolve(http(seen, res)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(err));
      });
    });
  });
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const refusal = upgrade(req);
    if (refusal) {
      const body = refusal.body ?? '';
      const headers = {
        'content-type': 'application/json',
        ...refusal.headers,
        'content-length': String(Buffer.byteLength(body)),
      };
      socket.end(
        `HTTP/1.1 ${refusal.status} Refused\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const seen: SeenSocket = {
        url: req.url ?? '/',
        headers: req.headers,
        ws,
        texts: [],
        binary: [],
        closed: new Promise<number>((r) => ws.once('close', (code) => r(code))),
      };
      ws.on('message', (data, isBinary) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
        if (isBinary) seen.binary.push(buf);
        else {
          const text = buf.toString('utf8');
          try {
            seen.texts.push(JSON.parse(text));
          } catch {
            seen.texts.push(text);
          }
        }
      });
      sockets.push(seen);
      onSocket(seen);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    requests,
    sockets,
    onHttp: (h) => void (http = h),
    onUpgrade: (h) => void (upgrade = h),
    onSocket: (h) => void (onSocket = h),
    stop: async () => {
      for (const c of wss.clients) c.terminate();
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Writes `bytes` in pieces of `size` bytes (splitting JSON and UTF-8 anywhere), `gapMs` apart; with 0,
 * one event-loop turn apart, so the client (same process) reads each piece on its own.
 */
export async function writeInPieces(
  res: ServerResponse,
  bytes: Buffer,
  size: number,
  gapMs = 1,
): Promise<void> {
  for (let i = 0; i < bytes.length; i += size) {
    if (res.destroyed) return;
    res.write(bytes.subarray(i, i + size));
    await (gapMs > 0 ? delay(gapMs) : new Promise<void>((r) => setImmediate(r)));
  }
}

/** Resolves after `ms`. */
export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `cond()` holds (polling), or fails after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Collects an async iterable into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Text of a `ws` message. */
export function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Retries fast enough for tests. */
export const FAST_RETRY = { retries: 2, baseDelayMs: 5, maxDelayMs: 200 };

/** One fake server for a test file, its request/socket log cleared before each test. */
export function useFakeServer(): { readonly server: FakeServer } {
  let server: FakeServer | undefined;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    if (!server) return;
    server.requests.length = 0;
    server.sockets.length = 0;
    server.onUpgrade(() => undefined);
  });
  return {
    get server() {
      if (!server) throw new Error('the fake server is not started yet');
      return server;
    },
  };
}

/** The ProviderError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function providerFailure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}
