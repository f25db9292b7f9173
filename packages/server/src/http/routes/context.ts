/** What route handlers need from the composition root. */
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Metrics } from '../../metrics.js';
import type { SessionManager } from '../../sessions/manager.js';
import type { Db } from '../../store/db.js';
import type { WebRtcTransport } from '../../webrtc/transport.js';
import type { Authenticator } from '../auth.js';

/** Dependencies of the HTTP routes. */
export interface HttpContext {
  db: Db;
  clock: Clock;
  config: Config;
  auth: Authenticator;
  sessions: SessionManager;
  metrics: Metrics;
  webrtc: WebRtcTransport;
  /** Key of the WebRTC capability URLs. */
  rtcKey: Buffer;
  /** AES-256 key that seals provider secrets at rest (store/secrets.ts). */
  secretsKey: Buffer;
}

/** Base URL of this server as the caller reached it (or the configured public URL), e.g. `http://127.0.0.1:8080`. */
export function baseUrl(ctx: HttpContext, req: FastifyRequest): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}

/** ISO-8601 text of a millisecond timestamp. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** `next`/`previous` links of a paginated answer. */
export function pageLinks(
  ctx: HttpContext,
  req: FastifyRequest,
  page: number,
  pageSize: number,
  count: number,
): { next: string | null; previous: string | null } {
  const url = new URL(req.url, baseUrl(ctx, req));
  const link = (p: number) => {
    url.searchParams.set('page', String(p));
    url.searchParams.set('page_size', String(pageSize));
    return url.toString();
  };
  return {
    next: page * pageSize < count ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(count / pageSize)))) : null,
  };
}
