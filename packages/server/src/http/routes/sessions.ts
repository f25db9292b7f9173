/** The session REST API (spec §4): token, start, stop, keep-alive, listings, transcript. */
import { z } from 'zod';
import {
  ListSessionsQuery,
  SessionEntry,
  SessionRefBody,
  StartResponse,
  StopRequest,
  TokenRequest,
  TokenResponse,
  TranscriptQuery,
  TranscriptResponse,
  paginated,
} from '@liveface/protocol';
import { LivefaceError } from '../../errors.js';
import * as store from '../../store/sessions.js';
import type { SessionRow } from '../../store/sessions.js';
import { route } from '../route.js';
import type { Principal } from '../auth.js';
import { baseUrl, iso, pageLinks, type HttpContext } from './context.js';

/** A session record as the API shows it. */
function entry(row: SessionRow, now: number): SessionEntry {
  const startedAt = row.started_at;
  const until = row.ended_at ?? now;
  return {
    id: row.id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    duration: startedAt === null ? 0 : Math.max(0, Math.round((until - startedAt) / 1000)),
    source: 'API',
    mode: row.mode,
    is_sandbox: row.is_sandbox === 1,
    credits_consumed: 0,
    avatar_id: row.avatar_id,
    status: row.status,
    ...(row.status === 'ended'
      ? {
          end_at: row.ended_at === null ? null : iso(row.ended_at),
          end_reason: (row.end_reason ?? null) as SessionEntry['end_reason'],
        }
      : {}),
  };
}

const SessionIdParam = z.object({ session_id: z.string() });

/** Session routes. */
export function sessionRoutes(ctx: HttpContext) {
  const { auth, sessions, db, clock } = ctx;

  const readable = async (p: Principal | null, id: string) => {
    auth.sessionOf(p, id);
    const row = await store.getSession(db, id);
    if (!row) throw new LivefaceError('session_not_found', `No session with id ${id}.`);
    return row;
  };

  const stop = route({
    method: 'POST',
    path: '/v1/sessions/stop',
    tag: 'sessions',
    summary: 'Stop a session. Idempotent: stopping an ended session succeeds.',
    auth: 'key_or_token',
    body: StopRequest,
    response: null,
    handler: async ({ principal, body }) => {
      const id = auth.sessionOf(principal, body.session_id);
      await sessions.stop(id, body.reason ?? 'USER_CLOSED');
      return null;
    },
  });

  return [
    route({
      method: 'POST',
      path: '/v1/sessions/token',
      tag: 'sessions',
      summary: 'Create a session and its session token.',
      auth: 'key',
      body: TokenRequest,
      response: TokenResponse,
      handler: async ({ principal, body }) =>
        sessions.create(body, principal?.kind === 'key' ? principal.keyId : null),
    }),
    route({
      method: 'POST',
      path: '/v1/sessions/start',
      tag: 'sessions',
      summary: 'Start a created session; LITE answers carry the WebSocket URL.',
      auth: 'key_or_token',
      body: SessionRefBody,
      response: StartResponse,
      handler: async ({ req, principal, body }) => {
        const id = auth.sessionOf(principal, body.session_id);
        return sessions.start(id, baseUrl(ctx, req));
      },
    }),
    stop,
    route({
      ...stop,
      method: 'DELETE',
      path: '/v1/sessions',
      summary: 'Stop a session (alias of POST /v1/sessions/stop used by the LiveAvatar demo).',
    }),
    route({
      method: 'POST',
      path: '/v1/sessions/keep-alive',
      tag: 'sessions',
      summary: 'Reset the idle timer of a session.',
      auth: 'key_or_token',
      body: SessionRefBody,
      response: null,
      handler: async ({ principal, body }) => {
        await sessions.keepAlive(auth.sessionOf(principal, body.session_id));
        return null;
      },
    }),
    route({
      method: 'GET',
      path: '/v1/sessions',
      tag: 'sessions',
      summary: 'List active or historic sessions, newest first.',
      auth: 'key',
      query: ListSessionsQuery,
      response: paginated(SessionEntry),
      handler: async ({ req, query }) => {
        const { rows, count } = await store.listSessions(db, {
          type: query.type,
          page: query.page,
          pageSize: query.page_size,
          avatarId: query.avatar_id,
        });
        const now = clock.now();
        return {
          count,
          ...pageLinks(ctx, req, query.page, query.page_size, count),
          results: rows.map((r) => entry(r, now)),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/sessions/:session_id',
      tag: 'sessions',
      summary: 'One session.',
      auth: 'key_or_token',
      response: SessionEntry,
      handler: async ({ principal, params }) =>
        entry(await readable(principal, SessionIdParam.parse(params).session_id), clock.now()),
    }),
    route({
      method: 'GET',
      path: '/v1/sessions/:session_id/transcript',
      tag: 'sessions',
      summary: 'Transcript of a session (timestamps in seconds).',
      auth: 'key_or_token',
      query: TranscriptQuery,
      response: TranscriptResponse,
      handler: async ({ principal, params, query }): Promise<TranscriptResponse> => {
        const row = await readable(principal, SessionIdParam.parse(params).session_id);
        const lines = await store.listTranscript(
          db,
          row.id,
          query.start_timestamp === undefined ? undefined : query.start_timestamp * 1000,
          query.end_timestamp === undefined ? undefined : query.end_timestamp * 1000,
        );
        const origin = row.started_at ?? row.created_at;
        return {
          session_active: row.status !== 'ended',
          transcript_data: lines.map((l) => ({
            role: l.role,
            transcript: l.text,
            absolute_timestamp: Math.floor(l.at_ms / 1000),
            relative_timestamp: Math.max(0, Math.floor((l.at_ms - origin) / 1000)),
          })),
        };
      },
    }),
  ];
}
