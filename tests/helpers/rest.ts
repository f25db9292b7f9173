/** Assertions shared by the REST API suites (tests/rest-*.test.ts). */
import { expect } from 'vitest';
import { ERRORS, type ErrorCode } from '@liveface/protocol';

/** An answer as `TestServer.api()` returns it. */
export interface ApiAnswer {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * Asserts an error answer: the HTTP status of `code`, a JSON body `{code: int, message: string,
 * data: {error: code, ...}}`, and a JSON content type. Returns the body for further checks.
 */
export function expectError(r: ApiAnswer, code: ErrorCode): any {
  const ctx = `${r.status} ${JSON.stringify(r.body)}`;
  expect(r.status, ctx).toBe(ERRORS[code].status);
  expect(r.headers.get('content-type') ?? '', ctx).toMatch(/^application\/json/);
  expect(typeof r.body, ctx).toBe('object');
  expect(Number.isInteger(r.body.code), ctx).toBe(true);
  expect(r.body.code, ctx).not.toBe(1000);
  expect(typeof r.body.message, ctx).toBe('string');
  expect(r.body.message.length, ctx).toBeGreaterThan(0);
  expect(typeof r.body.data, ctx).toBe('object');
  expect(r.body.data.error, ctx).toBe(code);
  return r.body;
}

/** Asserts a success answer `{code: 1000, message: string, data}` with a 2xx status; returns `data`. */
export function expectOk(r: ApiAnswer): any {
  const ctx = `${r.status} ${JSON.stringify(r.body)}`;
  expect(r.status, ctx).toBeGreaterThanOrEqual(200);
  expect(r.status, ctx).toBeLessThan(300);
  expect(r.body.code, ctx).toBe(1000);
  expect(typeof r.body.message, ctx).toBe('string');
  expect('data' in r.body, ctx).toBe(true);
  return r.body.data;
}

/** The payload of a JWT, decoded without checking the signature (what the web SDK does). */
export function jwtPayload(token: string): any {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
}

/** A raw fetch to the server, for requests `api()` cannot shape (no body handling, raw headers). */
export async function raw(
  baseUrl: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<ApiAnswer> {
  const res = await fetch(baseUrl + path, {
    method: init.method ?? 'GET',
    headers: init.headers ?? {},
    body: init.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}
