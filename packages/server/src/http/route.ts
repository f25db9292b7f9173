/**
 * Routes are declared as data (method, path, auth, schemas) so one table both registers the handlers and
 * generates /openapi.json. Bodies and queries are parsed with the protocol's zod schemas here, in one place.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SUCCESS_CODE } from '@liveface/protocol';
import type { z } from 'zod';
import { invalidRequest } from '../errors.js';
import type { Principal } from './auth.js';

/** Who may call a route. */
export type RouteAuth = 'none' | 'key' | 'token' | 'key_or_token';

/** What a handler receives; `body` and `query` are already parsed by the route's schemas. */
export interface HandlerContext<B, Q> {
  req: FastifyRequest;
  reply: FastifyReply;
  /** The caller, authenticated as the route's `auth` demands (null for public routes). */
  principal: Principal | null;
  body: B;
  query: Q;
  params: Record<string, string>;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** A route declaration. */
export interface RouteDef<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Fastify path syntax (`/v1/sessions/:session_id`). */
  path: string;
  summary: string;
  auth: RouteAuth;
  tag: string;
  body?: B;
  query?: Q;
  /** Schema of `data` in the success envelope (for docs); null for endpoints that answer `data: null`. */
  response: z.ZodType | null;
  /** Answer with the raw value instead of the envelope (health, metrics, docs). */
  raw?: boolean;
  handler: (ctx: HandlerContext<Infer<B>, Infer<Q>>) => Promise<unknown>;
}

/** A declared route with its schema types erased, so routes of any shape fit in one table. */
export type AnyRoute = Omit<RouteDef<undefined, undefined>, 'body' | 'query' | 'handler'> & {
  body?: z.ZodType;
  query?: z.ZodType;
  handler: (ctx: HandlerContext<unknown, unknown>) => Promise<unknown>;
};

/** Declares a route with inferred body and query types. */
export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
>(def: RouteDef<B, Q>): AnyRoute {
  // The handler only ever receives values parsed by `def.body` / `def.query`, so erasing is sound.
  return def as unknown as AnyRoute;
}

/** The success envelope. */
export function ok(data: unknown): { code: number; message: string; data: unknown } {
  return { code: SUCCESS_CODE, message: 'success', data: data ?? null };
}

/** Authenticates a request as a route demands. */
export type Authenticate = (req: FastifyRequest, auth: RouteAuth) => Promise<Principal | null>;

/**
 * Registers every route of the table on `app`. Credentials are checked before the body is read, so an
 * unauthenticated caller learns nothing about the request schema.
 */
export function registerRoutes(
  app: FastifyInstance,
  routes: readonly AnyRoute[],
  authenticate: Authenticate,
): void {
  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req, reply) => {
        const principal = await authenticate(req, r.auth);
        const body: unknown = r.body ? parse(r.body, req.body ?? {}, 'body') : undefined;
        const query: unknown = r.query ? parse(r.query, req.query ?? {}, 'query') : undefined;
        const params = req.params as Record<string, string>;
        const result = await r.handler({ req, reply, principal, body, query, params });
        return r.raw ? result : ok(result);
      },
    });
  }
}

function parse(schema: z.ZodType, value: unknown, where: string): unknown {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidRequest(r.error.issues, where);
  return r.data;
}
