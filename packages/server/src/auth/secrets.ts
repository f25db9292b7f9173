/** The server's signing secret: from config, or generated once into the data folder (mode 0600). */
import { randomBytes, createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Returns the signing secret, creating `<dataDir>/secret.key` on first boot when none is configured. */
export function loadSigningSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

/** Derives a purpose-specific key so one secret never signs two kinds of thing. */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`liveface:${purpose}`).digest();
}

/** The unguessable capability in a session's WebSocket or WebRTC URL: HMAC of the session id. */
export function capability(key: Buffer, sessionId: string): string {
  return createHmac('sha256', key).update(sessionId).digest('base64url');
}

/** Checks a presented capability in constant time. */
export function checkCapability(key: Buffer, sessionId: string, presented: string): boolean {
  const expected = Buffer.from(capability(key, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
