/**
 * The real CLI as a child process: first-boot key, restart after a crash (SIGKILL), graceful shutdown,
 * `keys create|list|revoke`, config validation, and what the SQLite file holds.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'packages/server/dist/cli.js');
const children: ChildProcess[] = [];
let dir: string;

beforeAll(() => {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b'], { cwd: root });
}, 120_000);
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts `liveface serve` on a free loopback port; resolves with its URL and everything it printed. */
async function boot(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: {
      ...process.env,
      LIVEFACE_PORT: '0',
      LIVEFACE_DATA_DIR: dataDir,
      LIVEFACE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
  return { child, url, out: () => out };
}
const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) =>
    c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code)),
  );
async function call(url: string, path: string, init: { key?: string; token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key) headers['x-api-key'] = init.key;
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(url + path, {
    method:
      init.body === undefined && !path.endsWith('start') && !path.endsWith('keep-alive') ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('liveface serve', () => {
  it('prints a first API key once, keeps records and the secret across a crash, and reaps live sessions', async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveface-life-'));
    const first = await boot(dir);
    const key = /\b(lf_[A-Za-z0-9_-]{20,})/.exec(first.out())?.[1];
    expect(key).toBeDefined();
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const token = await call(first.url, '/v1/sessions/token', {
      key,
      body: { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID },
    });
    expect(token.status).toBe(200);
    const { session_id, session_token } = token.body.data;
    expect((await call(first.url, '/v1/sessions/start', { token: session_token, body: {} })).status).toBe(
      200,
    );

    first.child.kill('SIGKILL'); // a crash: nothing gets to close the session
    await exited(first.child);

    const second = await boot(dir);
    expect(second.out()).not.toMatch(/lf_[A-Za-z0-9_-]{20,}/); // no new key on later boots
    const record = await call(second.url, `/v1/sessions/${session_id}`, { key });
    expect(record.status).toBe(200);
    expect(record.body.data.status).toBe('ended');
    expect(record.body.data.end_reason).toBe('ZOMBIE_SESSION_REAP');
    const historic = await call(second.url, '/v1/sessions?type=historic', { key });
    expect(historic.body.data.results.map((r: any) => r.id)).toContain(session_id);
    // The token minted before the restart still verifies (same secret): the answer is about the session.
    const keepAlive = await call(second.url, '/v1/sessions/keep-alive', { token: session_token, body: {} });
    expect(keepAlive.status).toBe(409);
    expect(keepAlive.body.data.error).toBe('session_ended');

    // Keys are stored hashed: the SQLite file never holds the key itself.
    const db = new SQLite(join(dir, 'liveface.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM api_keys').all();
    db.close();
    expect(rows.length).toBe(1);
    expect(JSON.stringify(rows)).not.toContain(key!.slice(10));

    // Graceful shutdown: exit code 0, live sessions recorded as ended.
    const live = await call(second.url, '/v1/sessions/token', {
      key,
      body: { mode: 'LITE', avatar_id: SANDBOX_AVATAR_ID },
    });
    await call(second.url, '/v1/sessions/start', { token: live.body.data.session_token, body: {} });
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    const third = await boot(dir);
    const after = await call(third.url, `/v1/sessions/${live.body.data.session_id}`, { key });
    expect(after.body.data.end_reason).toBe('UNKNOWN');
    third.child.kill('SIGTERM');
    await exited(third.child);
  }, 90_000);

  it('refuses a bad configuration, listing every problem', async () => {
    const d = mkdtempSync(join(tmpdir(), 'liveface-cfg-'));
    try {
      await run(process.execPath, [cli, 'serve'], {
        env: { ...process.env, LIVEFACE_DATA_DIR: d, LIVEFACE_PORT: 'abc', LIVEFACE_IDLE_TIMEOUT_S: '-5' },
      });
      throw new Error('expected a failure');
    } catch (e) {
      const err = e as { code: number; stderr: string };
      expect(err.code).toBe(1);
      expect(err.stderr).toMatch(/LIVEFACE_PORT/);
      expect(err.stderr).toMatch(/LIVEFACE_IDLE_TIMEOUT_S/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('liveface keys', () => {
  it('creates, lists and revokes keys that a running server honours', async () => {
    const d = mkdtempSync(join(tmpdir(), 'liveface-keys-'));
    try {
      const env = {
        ...process.env,
        LIVEFACE_DATA_DIR: d,
        LIVEFACE_API_KEY: 'lf_configured_key_0123456789abcdef',
      };
      const created = await run(process.execPath, [cli, 'keys', 'create', '--name', 'ci'], { env });
      const key = /\b(lf_[A-Za-z0-9_-]{20,})/.exec(created.stdout)![1]!;
      const id = /Created API key ([0-9a-f-]{36})/.exec(created.stdout)![1]!;
      const list = await run(process.execPath, [cli, 'keys', 'list'], { env });
      expect(list.stdout).toContain(id);
      expect(list.stdout).toContain(key.slice(0, 9));
      expect(list.stdout).not.toContain(key);

      const server = await boot(d, { LIVEFACE_API_KEY: env.LIVEFACE_API_KEY });
      expect((await call(server.url, '/v1/avatars', { key })).status).toBe(200);
      await run(process.execPath, [cli, 'keys', 'revoke', id], { env });
      const refused = await call(server.url, '/v1/avatars', { key });
      expect(refused.status).toBe(401);
      expect(refused.body.data.error).toBe('api_key_revoked');
      server.child.kill('SIGTERM');
      await exited(server.child);

      const unknown = await run(process.execPath, [cli, 'frobnicate'], { env }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect((unknown as { code: number }).code).toBe(2);
      expect((unknown as { stderr: string }).stderr).toMatch(/Usage/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, 60_000);
});
