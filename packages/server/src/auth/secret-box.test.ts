import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealedWith, keyId, open, seal, secretsAtRestKey } from './secret-box.js';
import { deriveKey } from './secrets.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const PLAIN = 'sk-test-PLAINTEXT-0123456789';

describe('seal / open', () => {
  it('round-trips, hides the plaintext, and uses a fresh IV each time', () => {
    const s1 = seal(keyA, PLAIN, 'id-1');
    const s2 = seal(keyA, PLAIN, 'id-1');
    expect(s1).not.toBe(s2);
    expect(s1).not.toContain(PLAIN);
    expect(Buffer.from(s1.split('.')[3]!, 'base64url').toString('latin1')).not.toContain(PLAIN);
    expect(open(keyA, s1, 'id-1')).toEqual({ ok: true, plaintext: PLAIN });
    expect(open(keyA, s2, 'id-1')).toEqual({ ok: true, plaintext: PLAIN });
    expect(isSealedWith(keyA, s1)).toBe(true);
    expect(isSealedWith(keyB, s1)).toBe(false);
  });

  it('round-trips non-ASCII and long values', () => {
    const v = 'ключ-🔑-'.repeat(500);
    expect(open(keyA, seal(keyA, v, 'x'), 'x')).toEqual({ ok: true, plaintext: v });
  });

  it('tells a wrong key (by key id) from damage', () => {
    const s = seal(keyA, PLAIN, 'id-1');
    expect(open(keyB, s, 'id-1')).toEqual({ ok: false, problem: 'wrong_key', sealedWith: keyId(keyA) });
  });

  it('refuses an altered ciphertext or tag, another row id, and garbage', () => {
    const s = seal(keyA, PLAIN, 'id-1');
    const parts = s.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0]! ^= 1;
    const altered = [...parts.slice(0, 3), ct.toString('base64url'), parts[4]].join('.');
    expect(open(keyA, altered, 'id-1')).toEqual({ ok: false, problem: 'damaged' });
    const badTag = [...parts.slice(0, 4), 'AAAA'].join('.');
    expect(open(keyA, badTag, 'id-1')).toEqual({ ok: false, problem: 'damaged' });
    expect(open(keyA, s, 'id-2')).toEqual({ ok: false, problem: 'damaged' });
    expect(open(keyA, 'not sealed', 'id-1')).toEqual({ ok: false, problem: 'damaged' });
  });
});

describe('secretsAtRestKey', () => {
  const signing = Buffer.from('s'.repeat(40));

  it('derives a 32-byte key from the signing secret by default, distinct from its other keys', () => {
    const k = secretsAtRestKey(undefined, signing);
    expect(k).toHaveLength(32);
    expect(k.equals(secretsAtRestKey(undefined, signing))).toBe(true);
    expect(k.equals(deriveKey(signing, 'session-token'))).toBe(false);
    expect(k.equals(deriveKey(signing, 'secrets-at-rest'))).toBe(true);
  });

  it('uses the configured key when there is one', () => {
    const k = secretsAtRestKey('k'.repeat(32), signing);
    expect(k.equals(secretsAtRestKey(undefined, signing))).toBe(false);
    expect(k.equals(secretsAtRestKey('k'.repeat(32), Buffer.from('other')))).toBe(true);
    expect(keyId(k)).not.toBe(keyId(secretsAtRestKey('j'.repeat(32), signing)));
  });
});
