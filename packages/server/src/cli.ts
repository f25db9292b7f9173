#!/usr/bin/env node
/**
 * `liveface` command line: `serve`, `keys create|list|revoke`. Flags override environment variables,
 * which override the config file (see config.ts).
 */
import { parseArgs } from 'node:util';
import type { Config } from './config.js';
import type * as RenderCommandModule from './offline/render-command.js';
import { VERSION } from './version.js';
// Each command loads its modules when it runs: `render` needs neither the HTTP server nor the store
// (0.3 s of start-up) nor the config schema (zod, ~70 ms), `keys` needs no renderer.

const USAGE = `liveface ${VERSION} — self-hosted real-time avatar server

Usage:
  liveface serve [--host H] [--port N] [--data-dir DIR] [--config FILE]
  liveface keys create [--name NAME]    create an API key (printed once)
  liveface keys list                    list API keys (never the keys themselves)
  liveface keys revoke <id|prefix>      revoke an API key
  liveface render --audio in.wav [--avatar ID] [--quality low|medium|high|very_high]
                  [--orientation landscape|portrait|square] [--fps 25|30] [--text "what is said"]
                  [--preset ultrafast|superfast|veryfast|faster|fast|medium] [--ffmpeg PATH] -o out.mp4
                                        render a talking-avatar video (H.264 + AAC) from a WAV
  liveface --version | --help

Every setting is also an environment variable (LIVEFACE_PORT, LIVEFACE_DATA_DIR, …; see docs/configuration.md).`;

const out = (s: string) => process.stdout.write(s + '\n');
/** offline/render-command.ts bundled with what it imports (build.mjs). */
const RENDER_COMMAND_BUNDLE = './offline/render-command.bundle.js';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      name: { type: 'string' },
      audio: { type: 'string' },
      avatar: { type: 'string' },
      quality: { type: 'string' },
      orientation: { type: 'string' },
      fps: { type: 'string' },
      output: { type: 'string', short: 'o' },
      text: { type: 'string' },
      preset: { type: 'string' },
      ffmpeg: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.version) return (out(VERSION), 0);
  const [command, sub, arg] = positionals;
  if (values.help || !command) return (out(USAGE), values.help ? 0 : 2);

  if (command === 'render') return render(values);
  const overrides: Record<string, unknown> = {};
  if (values.host !== undefined) overrides.host = values.host;
  if (values.port !== undefined) overrides.port = values.port;
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
  if (values.config !== undefined) overrides.configFile = values.config;
  const { loadConfig } = await import('./config.js');
  const config = loadConfig(overrides);

  if (command === 'serve') return serve(config);
  if (command === 'keys') return keys(config, sub, arg, values.name);
  process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
  return 2;
}

async function render(values: Record<string, string | boolean | undefined>): Promise<number> {
  const started = performance.now();
  // The render workers take 0.1–0.2 s to start (a Node isolate, Skia, the renderer's plate): started
  // first, they boot while this thread loads the command's modules and reads the audio.
  const { RenderPool, offlineRenderWorkers } = await import('./media/render-pool.js');
  const pool = new RenderPool({ size: offlineRenderWorkers() });
  // The command as one bundled module (build.mjs): ~30 ms less loading than its ~60 files.
  const { renderCommand } = (await import(RENDER_COMMAND_BUNDLE)) as typeof RenderCommandModule;
  const str = (k: string) => {
    const v = values[k];
    return typeof v === 'string' ? v : undefined;
  };
  return renderCommand(
    {
      audio: str('audio'),
      output: str('output'),
      avatar: str('avatar'),
      quality: str('quality'),
      orientation: str('orientation'),
      fps: str('fps'),
      text: str('text'),
      preset: str('preset'),
      ffmpeg: str('ffmpeg'),
    },
    { out: process.stdout, err: process.stderr },
    { pool, started },
  );
}

async function serve(config: Config): Promise<number> {
  const { startServer } = await import('./server.js');
  const server = await startServer(config);
  if (server.createdApiKey) {
    out(`\nCreated your first API key (shown once, store it now):\n\n  ${server.createdApiKey}\n`);
  }
  out(`Liveface ${VERSION} listening on ${server.url}  (API docs: ${server.url}/docs)`);
  const stop = (signal: string) => {
    out(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return new Promise<number>(() => {}); // runs until a signal
}

async function keys(
  config: Config,
  sub: string | undefined,
  arg: string | undefined,
  name: string | undefined,
): Promise<number> {
  const [{ dbFile }, { openDb }, { createKey, listKeys, revokeKey }] = await Promise.all([
    import('./server.js'),
    import('./store/db.js'),
    import('./store/keys.js'),
  ]);
  // Only the key table: opening the store the way `serve` does would create a hidden "first key".
  const db = await openDb(dbFile(config.dataDir));
  try {
    switch (sub) {
      case 'create': {
        const { key, info } = await createKey(db, name ?? 'cli', Date.now());
        out(`Created API key ${info.id} (${info.name}). It is shown once:\n\n  ${key}\n`);
        return 0;
      }
      case 'list': {
        const rows = await listKeys(db);
        if (!rows.length) out('No API keys.');
        for (const k of rows) {
          const status = k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active';
          const used = k.lastUsedAt ? new Date(k.lastUsedAt).toISOString() : 'never';
          out(`${k.id}  ${k.prefix}…  ${status.padEnd(32)}  last used ${used}  ${k.name}`);
        }
        return 0;
      }
      case 'revoke': {
        if (!arg) return (process.stderr.write('Usage: liveface keys revoke <id|prefix>\n'), 2);
        const k = await revokeKey(db, arg, Date.now());
        if (!k) return (process.stderr.write(`No single API key matches "${arg}".\n`), 1);
        out(`Revoked ${k.id} (${k.prefix}…).`);
        return 0;
      }
      default:
        process.stderr.write(`Usage: liveface keys create|list|revoke\n`);
        return 2;
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof Error && err.name === 'ConfigError') process.stderr.write(err.message + '\n');
    else process.stderr.write(`liveface: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
