/** The composition root: reads nothing from the environment itself, wires every part, listens. */
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { warmUpPipeline } from '@liveface/engine';
import { BUILTIN_AVATARS } from './avatars.js';
import { secretsAtRestKey } from './auth/secret-box.js';
import { deriveKey, loadSigningSecret } from './auth/secrets.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { Authenticator } from './http/auth.js';
import { buildHttpApp } from './http/app.js';
import { LiteGateway } from './lite/gateway.js';
import { RenderPool } from './media/render-pool.js';
import { candidatePolicy } from './webrtc/sdp.js';
import { WebRtcTransport } from './webrtc/transport.js';
import { Metrics } from './metrics.js';
import { SessionManager } from './sessions/manager.js';
import { seedBuiltins } from './store/avatars.js';
import { openDb, type Db } from './store/db.js';
import { countActiveKeys, createKey, findKey, insertKey } from './store/keys.js';
import { countForeignSecrets } from './store/secrets.js';
import { VERSION } from './version.js';

/** A running Liveface server. */
export interface LivefaceServer {
  /** `http://host:port` it listens on. */
  url: string;
  port: number;
  config: Config;
  db: Db;
  sessions: SessionManager;
  webrtc: WebRtcTransport;
  renderPool: RenderPool;
  /** The API key created on this boot (shown once), if one was. */
  createdApiKey: string | null;
  /** Stops listening and ends live sessions. */
  close(): Promise<void>;
}

/** Options that are not configuration: injected collaborators. */
export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
}

/** Path of the SQLite file in a data folder. */
export const dbFile = (dataDir: string): string => join(dataDir, 'liveface.db');

/** Opens the store and makes sure the configured or a first API key exists. */
export async function openStore(
  config: Config,
  clock: Clock,
  log: Logger,
): Promise<{ db: Db; createdApiKey: string | null }> {
  const db = await openDb(dbFile(config.dataDir));
  await seedBuiltins(db, BUILTIN_AVATARS, clock.now());
  let createdApiKey: string | null = null;
  if (config.apiKey) {
    const existing = await findKey(db, config.apiKey);
    if (!existing) await insertKey(db, config.apiKey, 'from configuration', clock.now());
    else if (existing.revokedAt !== null)
      log.warn('the configured API key (LIVEFACE_API_KEY) has been revoked');
  } else if ((await countActiveKeys(db)) === 0) {
    createdApiKey = (await createKey(db, 'first key', clock.now())).key;
  }
  return { db, createdApiKey };
}

/** Starts a server from a validated configuration. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<LivefaceServer> {
  const clock = opts.clock ?? systemClock;
  const log =
    opts.logger ??
    pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
  const secret = loadSigningSecret(config.secret, config.dataDir);
  const tokenKey = deriveKey(secret, 'session-token');
  const wsKey = deriveKey(secret, 'ws-capability');
  const rtcKey = deriveKey(secret, 'webrtc-capability');
  const secretsKey = secretsAtRestKey(config.secretsKey, secret);
  const metrics = new Metrics();
  const { db, createdApiKey } = await openStore(config, clock, log);
  const foreign = await countForeignSecrets(db, secretsKey);
  if (foreign > 0) {
    log.warn(
      { count: foreign },
      'stored secrets were encrypted under another key (LIVEFACE_SECRETS_KEY changed?)',
    );
  }

  const renderPool = new RenderPool({
    ...(config.renderWorkers ? { size: config.renderWorkers } : {}),
    log,
    observer: {
      frameRendered: (ms) => metrics.renderDuration.observe(ms / 1000),
      workerCrashed: () => metrics.renderWorkerCrashes.inc(),
    },
  });
  const sessions = new SessionManager({
    db,
    clock,
    config,
    tokenKey,
    wsKey,
    rtcKey,
    secretsKey,
    renderPool,
    metrics,
    log,
  });
  await sessions.recover();
  // Load and compile the lip-sync and behaviour code now: the first utterance should not pay for it.
  warmUpPipeline(config.fps);
  const webrtc = new WebRtcTransport({
    sessions,
    metrics,
    log,
    iceServers: config.iceServers,
    candidates: candidatePolicy(config.host, config.iceAddresses, config.icePublicIp),
    maxViewers: config.maxViewersPerSession,
  });
  const auth = new Authenticator(db, clock, tokenKey);
  const app = await buildHttpApp(
    { db, clock, config, auth, sessions, metrics, webrtc, rtcKey, secretsKey },
    log,
    VERSION,
  );
  const gateway = new LiteGateway({ db, clock, sessions, wsKey, metrics, log });
  app.server.on('upgrade', (req, socket, head: Buffer) => {
    if (!gateway.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });

  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info({ url, version: VERSION }, 'liveface listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    config,
    db,
    sessions,
    webrtc,
    renderPool,
    createdApiKey,
    close: () =>
      (closing ??= (async () => {
        await sessions.endAll('UNKNOWN');
        webrtc.close();
        gateway.close();
        await renderPool.close();
        await sessions.close();
        await app.close();
        await db.destroy();
      })()),
  };
}
