/**
 * The built CLI as real child processes on 127.0.0.1: restart after a crash (SIGKILL) reaps live
 * sessions with ZOMBIE_SESSION_REAP and keeps records, keys and the signing secret; SIGTERM shuts down
 * cleanly; the first boot prints one API key and later boots none; `keys create|list|revoke` against a
 * running server; config errors; and what the SQLite file holds (keys only hashed).
 *
 * Every child is started with LIVEFACE_PORT=0 and found through the `listening on` line it prints; each
 * is stopped by PID by its test, and any left over is killed after each test.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { LiteClient } from './helpers/server.js';
import { ofType } from './helpers/lite.js';
import { expectError, expectOk, raw, type ApiAnswer } from './helpers/rest.js';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'packages/server/dist/cli.js');
const BOOT_TIMEOUT_MS = 20_000;
const KEY_RE = /lf_[A-Za-z0-9_-]{20,}/g;

/** A fresh 40-character API key. */
const newKey = () => ('lf_' + randomBytes(40).toString('base64url')).slice(0, 40);

/** The environment of every child: the parent's, minus any LIVEFACE_* setting, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LIVEFACE_')) env[k] = v;
  return { ...env, LIVEFACE_LOG_LEVEL: 'warn', ...extra };
}

/** A `liveface serve` child. */
interface Served {
  child: ChildProcess;
  pid: number;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code and signal. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `liveface-lifecycle-${tag}-`));
  dirs.push(d);
  return d;
}

/** Kills a child by its PID if it is still running. */
function killChild(c: ChildProcess): void {
  if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

beforeAll(() => {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b'], { cwd: root, stdio: 'pipe' });
}, 180_000);
afterEach(() => {
  for (const c of children) killChild(c);
  children.clear();
});
afterAll(() => {
  for (const c of children) killChild(c);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts `liveface serve` on `dataDir` and waits for its `listening on` line. */
async function serve(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'serve'], {
    cwd: root,
    env: childEnv({ LIVEFACE_HOST: '127.0.0.1', LIVEFACE_PORT: '0', LIVEFACE_DATA_DIR: dataDir, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start in time:\n${out}\n${err}`)),
      BOOT_TIMEOUT_MS,
    );
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m && Number(m[2]) > 0) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}) before listening:\n${out}\n${err}`));
    });
  });
  return { child, pid: child.pid!, url, stdout: () => out, stderr: () => err, exit };
}

/** Stops a served child by PID with `signal` and waits for it to exit. */
async function stop(
  s: Served,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  process.kill(s.pid, signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`serve did not exit on ${signal}:\n${s.stdout()}\n${s.stderr()}`)),
      BOOT_TIMEOUT_MS,
    );
  });
  try {
    const r = await Promise.race([s.exit, timeout]);
    children.delete(s.child);
    return r;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a one-shot CLI command; never rejects. */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, ...args],
      { cwd: root, env: childEnv(env), timeout: 60_000 },
      (error, stdout, stderr) => {
        children.delete(child);
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    children.add(child);
  });
}

/** JSON request against a served child. */
function call(
  url: string,
  path: string,
  init: { method?: string; key?: string; token?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (init.key) headers['x-api-key'] = init.key;
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return raw(url, path, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

/** Creates a LITE session on the sandbox avatar; starts it unless `start` is false. */
async function newSession(
  url: string,
  key: string,
  start = true,
): Promise<{ id: string; token: string; wsUrl?: string }> {
  const t = expectOk(
    await call(url, '/v1/sessions/token', { key, body: { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID } }),
  );
  if (!start) return { id: t.session_id, token: t.session_token };
  const s = expectOk(await call(url, '/v1/sessions/start', { token: t.session_token, body: {} }));
  return { id: t.session_id, token: t.session_token, wsUrl: s.ws_url };
}

/** Every value of every row of every table of the SQLite file, as text. */
function dumpDb(file: string): { tables: string[]; text: string } {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    const rows = tables.flatMap((t) => db.prepare(`SELECT * FROM "${t}"`).raw().all());
    return { tables, text: JSON.stringify(rows) };
  } finally {
    db.close();
  }
}

describe('restart', () => {
  it('after a crash (SIGKILL) records, keys and tokens survive and live sessions are reaped as ZOMBIE_SESSION_REAP', async () => {
    const dataDir = tempDir('crash');
    const key = newKey();
    const first = await serve(dataDir, { LIVEFACE_API_KEY: key });
    expect(first.stdout().match(KEY_RE)).toBeNull(); // a configured key: nothing created or printed
    const started = await newSession(first.url, key);
    const created = await newSession(first.url, key, false);
    const stopped = await newSession(first.url, key);
    expectOk(
      await call(first.url, '/v1/sessions/stop', {
        key,
        body: { session_id: stopped.id, reason: 'USER_CLOSED' },
      }),
    );
    expect(expectOk(await call(first.url, `/v1/sessions/${started.id}`, { key })).status).toBe('active');

    const crashed = await stop(first, 'SIGKILL');
    expect(crashed.signal).toBe('SIGKILL');

    const second = await serve(dataDir, { LIVEFACE_API_KEY: key });
    expect(second.pid).not.toBe(first.pid);
    // The records survived; the ones left live are closed as zombies, the stopped one keeps its reason.
    const rec = expectOk(await call(second.url, `/v1/sessions/${started.id}`, { key }));
    expect(rec).toMatchObject({
      id: started.id,
      status: 'ended',
      end_reason: 'ZOMBIE_SESSION_REAP',
      avatar_id: SANDBOX_AVATAR_ID,
    });
    expect(typeof rec.end_at).toBe('string');
    expect(expectOk(await call(second.url, `/v1/sessions/${created.id}`, { key }))).toMatchObject({
      status: 'ended',
      end_reason: 'ZOMBIE_SESSION_REAP',
    });
    expect(expectOk(await call(second.url, `/v1/sessions/${stopped.id}`, { key }))).toMatchObject({
      status: 'ended',
      end_reason: 'USER_CLOSED',
    });

    const historic = expectOk(await call(second.url, '/v1/sessions?type=historic&page_size=100', { key }));
    const reasons = Object.fromEntries(historic.results.map((r: any) => [r.id, r.end_reason]));
    expect(reasons).toEqual({
      [started.id]: 'ZOMBIE_SESSION_REAP',
      [created.id]: 'ZOMBIE_SESSION_REAP',
      [stopped.id]: 'USER_CLOSED',
    });
    expect(expectOk(await call(second.url, '/v1/sessions?type=active', { key })).results).toEqual([]);

    // The API key still works; tokens minted before the crash still verify (the secret persisted) …
    expectOk(await call(second.url, '/v1/avatars', { key }));
    expect(
      expectOk(await call(second.url, `/v1/sessions/${started.id}`, { token: started.token })).status,
    ).toBe('ended');
    expectError(
      await call(second.url, '/v1/sessions/start', { token: created.token, body: {} }),
      'session_ended',
    );
    // … and a tampered one does not.
    const [h, p, sig] = started.token.split('.');
    const forged = `${h}.${p}.${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`;
    expectError(
      await call(second.url, `/v1/sessions/${started.id}`, { token: forged }),
      'invalid_session_token',
    );

    // The old ws_url still carries a valid capability; the socket is refused as ended (4009), not unknown (4001).
    const late = new LiteClient(started.wsUrl!.replace(/^ws:\/\/[^/]+/, second.url.replace(/^http/, 'ws')));
    expect(await late.closed(10_000)).toBe(4009);

    expect((await stop(second, 'SIGTERM')).code).toBe(0);
  }, 120_000);

  it('SIGTERM shuts down cleanly: exit 0, the socket is told, the session is recorded as ended (not a zombie)', async () => {
    const dataDir = tempDir('term');
    const key = newKey();
    const server = await serve(dataDir, { LIVEFACE_API_KEY: key });
    const s = await newSession(server.url, key);
    const c = new LiteClient(s.wsUrl!);
    await c.waitFor((e) => e.type === 'session.state_updated' && e.state === 'connected', 10_000);

    const exit = await stop(server, 'SIGTERM');
    expect(exit, server.stdout() + server.stderr()).toEqual({ code: 0, signal: null });
    expect(await c.closed(10_000)).toBe(1000);
    expect(ofType(c, 'session.state_updated').map((e) => e.state)).toEqual([
      'connected',
      'closing',
      'closed',
    ]);

    const again = await serve(dataDir, { LIVEFACE_API_KEY: key });
    const rec = expectOk(await call(again.url, `/v1/sessions/${s.id}`, { key }));
    expect(rec.status).toBe('ended');
    expect(rec.end_reason).not.toBe('ZOMBIE_SESSION_REAP');
    expect(rec.end_reason).toBe(ofType(c, 'session.state_updated')[1]!.reason);
    expect((await stop(again, 'SIGTERM')).code).toBe(0);
  }, 120_000);
});

describe('first boot', () => {
  it('prints one working API key once, creates secret.key (0600) and a SQLite file holding the key only hashed', async () => {
    const dataDir = tempDir('first');
    const first = await serve(dataDir);
    const keys = first.stdout().match(KEY_RE) ?? [];
    expect(keys, first.stdout()).toHaveLength(1);
    const key = keys[0]!;
    expect(first.stderr()).not.toContain(key);

    // The key works.
    expectOk(await call(first.url, '/v1/avatars', { key }));
    const s = await newSession(first.url, key, false);
    expectError(await call(first.url, '/v1/avatars', { key: newKey() }), 'invalid_api_key');

    // The signing secret: a file readable by the owner only.
    const secretFile = join(dataDir, 'secret.key');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8');
    expect(secret.trim().length).toBeGreaterThanOrEqual(32);

    expect((await stop(first, 'SIGTERM')).code).toBe(0);

    // Second boot, same data dir: no new key, same secret, the first key and the old token still work.
    const second = await serve(dataDir);
    expect(second.stdout().match(KEY_RE), second.stdout()).toBeNull();
    expect(second.stdout()).not.toMatch(/first API key/i);
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expectOk(await call(second.url, '/v1/avatars', { key }));
    expect(expectOk(await call(second.url, `/v1/sessions/${s.id}`, { token: s.token })).id).toBe(s.id);
    expect((await stop(second, 'SIGTERM')).code).toBe(0);

    // The store: a real SQLite file in the data dir, the key kept only as a hash.
    const dbPath = join(dataDir, 'liveface.db');
    expect(readFileSync(dbPath).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    const { tables, text } = dumpDb(dbPath);
    expect(tables).toEqual(expect.arrayContaining(['api_keys', 'sessions', 'avatars']));
    expect(text).toContain(s.id);
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(12));
    // Nor anywhere in the files on disk (database, WAL, journal).
    for (const f of readdirSync(dataDir).filter((n) => n.startsWith('liveface.db'))) {
      const bytes = readFileSync(join(dataDir, f)).toString('latin1');
      expect(bytes.includes(key), f).toBe(false);
      expect(bytes.includes(key.slice(12)), f).toBe(false);
    }
  }, 120_000);
});

describe('liveface keys', () => {
  it('create, list and revoke act on a running server', async () => {
    const dataDir = tempDir('keys');
    const configured = newKey();
    const server = await serve(dataDir, { LIVEFACE_API_KEY: configured });
    const env = { LIVEFACE_DATA_DIR: dataDir };

    const created = await runCli(['keys', 'create', '--name', 'ci'], env);
    expect(created.code, created.stderr).toBe(0);
    const printed = created.stdout.match(KEY_RE) ?? [];
    expect(printed).toHaveLength(1);
    const key = printed[0]!;
    const id = /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/.exec(created.stdout)?.[1];
    expect(id, created.stdout).toBeDefined();
    expectOk(await call(server.url, '/v1/avatars', { key }));

    const list = await runCli(['keys', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    const line = list.stdout.split('\n').find((l) => l.includes(id!));
    expect(line, list.stdout).toBeDefined();
    expect(line).toContain(key.slice(0, 9)); // its display prefix
    expect(line).toMatch(/\bci\b/);
    expect(line).toMatch(/active/);
    expect(list.stdout).not.toContain(key);
    expect(list.stdout).not.toContain(key.slice(9));
    expect(list.stdout).not.toContain(configured);
    expect(list.stdout.match(KEY_RE)).toBeNull();

    const revoked = await runCli(['keys', 'revoke', id!], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expectError(await call(server.url, '/v1/avatars', { key }), 'api_key_revoked');
    expectError(
      await call(server.url, '/v1/sessions/token', {
        key,
        body: { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID },
      }),
      'api_key_revoked',
    );
    expectOk(await call(server.url, '/v1/avatars', { key: configured })); // others unaffected
    const after = await runCli(['keys', 'list'], env);
    expect(after.stdout.split('\n').find((l) => l.includes(id!))).toMatch(/revoked/);

    const none = await runCli(['keys', 'revoke', 'no-such-key'], env);
    expect(none.code).not.toBe(0);
    expect((await stop(server, 'SIGTERM')).code).toBe(0);
  }, 180_000);

  it('keys commands on a fresh data dir create no hidden key: the first serve still prints one', async () => {
    const dataDir = tempDir('fresh-keys');
    const list = await runCli(['keys', 'list'], { LIVEFACE_DATA_DIR: dataDir });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/No API keys/);

    const server = await serve(dataDir);
    const keys = server.stdout().match(KEY_RE) ?? [];
    expect(keys, server.stdout()).toHaveLength(1);
    expectOk(await call(server.url, '/v1/avatars', { key: keys[0]! }));
    expect((await stop(server, 'SIGTERM')).code).toBe(0);
  }, 120_000);

  it('an unknown command or subcommand exits non-zero with the usage', async () => {
    const dataDir = tempDir('usage');
    const unknown = await runCli(['frobnicate'], { LIVEFACE_DATA_DIR: dataDir });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/Unknown command/);
    expect(unknown.stderr).toMatch(/Usage:/);
    expect(unknown.stderr).toMatch(/liveface serve/);

    const sub = await runCli(['keys', 'frobnicate'], { LIVEFACE_DATA_DIR: dataDir });
    expect(sub.code).not.toBe(0);
    expect(sub.stderr).toMatch(/Usage/);
  }, 60_000);
});

describe('configuration', () => {
  it('LIVEFACE_PORT=abc and LIVEFACE_IDLE_TIMEOUT_S=-5: exit 1, both problems on stderr, nothing started', async () => {
    const dataDir = join(tempDir('config'), 'not-created');
    const r = await runCli(['serve'], {
      LIVEFACE_DATA_DIR: dataDir,
      LIVEFACE_PORT: 'abc',
      LIVEFACE_IDLE_TIMEOUT_S: '-5',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LIVEFACE_PORT/);
    expect(r.stderr).toMatch(/LIVEFACE_IDLE_TIMEOUT_S/);
    expect(r.stdout).not.toMatch(/listening/);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
