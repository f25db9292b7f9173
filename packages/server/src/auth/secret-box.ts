/**
 * Encryption of provider secrets at rest: AES-256-GCM under a key derived from `LIVEFACE_SECRETS_KEY` (or,
 * by default, from the server's signing secret). Sealed text is `v1.<key id>.<iv>.<ciphertext>.<tag>`
 * (base64url parts); the key id is a fingerprint of the key, so a wrong key is told apart from damage.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { deriveKey } from './secrets.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES-256 key for secrets at rest: from `secretsKey` when configured, else from the signing secret. */
export function secretsAtRestKey(configured: string | undefined, signingSecret: Buffer): Buffer {
  return deriveKey(configured ? Buffer.from(configured, 'utf8') : signingSecret, 'secrets-at-rest');
}

/** A short public fingerprint of a key (an HMAC under it; it reveals nothing about the key). */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('liveface:key-id').digest('hex').slice(0, 12);
}

/**
 * Encrypts `plaintext`. `aad` (the secret's id) is authenticated but not stored in the text, so a sealed
 * value copied onto another row does not open.
 */
export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyId(key), iv, ct, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Why a sealed value did not open. */
export type OpenFailure = { problem: 'wrong_key'; sealedWith: string } | { problem: 'damaged' };

/** Decrypts a value made by `seal`, or says why it cannot. */
export function open(
  key: Buffer,
  sealed: string,
  aad: string,
): { ok: true; plaintext: string } | ({ ok: false } & OpenFailure) {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, problem: 'damaged' };
  const [, kid, iv, ct, tag] = parts as [string, string, string, string, string];
  if (kid !== keyId(key)) return { ok: false, problem: 'wrong_key', sealedWith: kid };
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
    return { ok: true, plaintext: plain.toString('utf8') };
  } catch {
    // GCM authentication failed (or the parts are not valid): the text was altered.
    return { ok: false, problem: 'damaged' };
  }
}

/** Whether `sealed` was made under `key` (by key id; cheap, no decryption). */
export function isSealedWith(key: Buffer, sealed: string): boolean {
  return sealed.startsWith(`${VERSION}.${keyId(key)}.`);
}
