/** Who is calling: an API key (the account) or a session token (one session). */
import type { FastifyRequest } from 'fastify';
import { SessionTokenClaims } from '@liveface/protocol';
import { verifyJwt } from '../auth/jwt.js';
import type { Clock } from '../clock.js';
import { LivefaceError } from '../errors.js';
import { findKey, touchKey } from '../store/keys.js';
import type { Db } from '../store/db.js';

/** An authenticated caller. */
export type Principal =
  { kind: 'key'; keyId: string } | { kind: 'token'; sessionId: string; claims: SessionTokenClaims };

/** Reads credentials from a request. */
export class Authenticator {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tokenKey: Buffer,
  ) {}

  /** The API key principal; fails unless a valid key is presented. */
  async key(req: FastifyRequest): Promise<Principal & { kind: 'key' }> {
    const header = req.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) {
      throw new LivefaceError(
        this.bearer(req) ? 'api_key_required' : 'missing_api_key',
        this.bearer(req)
          ? 'This endpoint needs an API key (X-API-KEY); a session token is not enough.'
          : undefined,
      );
    }
    const found = await findKey(this.db, key);
    if (!found) throw new LivefaceError('invalid_api_key');
    if (found.revokedAt !== null) throw new LivefaceError('api_key_revoked');
    await touchKey(this.db, found, this.clock.now());
    return { kind: 'key', keyId: found.id };
  }

  /** The session token principal; fails unless a valid, unexpired token is presented. */
  token(req: FastifyRequest): Principal & { kind: 'token' } {
    const token = this.bearer(req);
    if (!token)
      throw new LivefaceError(
        'missing_credentials',
        'Send the session token as Authorization: Bearer <token>.',
      );
    const v = verifyJwt(token, this.tokenKey, this.clock.now());
    if (!v.ok)
      throw new LivefaceError(v.problem === 'expired' ? 'session_token_expired' : 'invalid_session_token');
    const claims = SessionTokenClaims.safeParse(v.payload);
    if (!claims.success) throw new LivefaceError('invalid_session_token');
    return { kind: 'token', sessionId: claims.data.session_id, claims: claims.data };
  }

  /** An API key if one is sent, else a session token. */
  async any(req: FastifyRequest): Promise<Principal> {
    if (req.headers['x-api-key']) return this.key(req);
    if (this.bearer(req)) return this.token(req);
    throw new LivefaceError('missing_credentials');
  }

  /** Authenticates as a route demands: nothing, an API key, a session token, or either. */
  async forRoute(
    req: FastifyRequest,
    auth: 'none' | 'key' | 'token' | 'key_or_token',
  ): Promise<Principal | null> {
    switch (auth) {
      case 'none':
        return null;
      case 'key':
        return this.key(req);
      case 'token':
        return this.token(req);
      case 'key_or_token':
        return this.any(req);
    }
  }

  /**
   * Resolves which session a session-scoped call is about: the token's own session (a `session_id` in
   * the body must match it), or with an API key the `session_id` given.
   */
  sessionOf(p: Principal | null, given: string | null | undefined): string {
    if (!p) throw new LivefaceError('missing_credentials');
    if (p.kind === 'token') {
      if (given && given !== p.sessionId) {
        throw new LivefaceError(
          'session_token_mismatch',
          `The session token belongs to another session than ${given}.`,
        );
      }
      return p.sessionId;
    }
    if (!given) {
      throw new LivefaceError('invalid_request', 'session_id is required when calling with an API key.', {
        field: 'session_id',
      });
    }
    return given;
  }

  private bearer(req: FastifyRequest): string | null {
    const h = req.headers.authorization;
    if (!h) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m ? m[1]! : null;
  }
}
