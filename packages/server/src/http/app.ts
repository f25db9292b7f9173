/** The HTTP application: body parsing, CORS, the route table, and the one place errors become HTTP answers. */
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError } from 'fastify';
import { envelopeCodeFor, type ErrorBody } from '@liveface/protocol';
import { LivefaceError } from '../errors.js';
import { docsPage, openApiDocument } from './openapi.js';
import { registerRoutes, route, type AnyRoute } from './route.js';
import { avatarRoutes } from './routes/avatars.js';
import type { HttpContext } from './routes/context.js';
import { playgroundRoutes, registerPlaygroundPages } from './routes/playground.js';
import { resourceRoutes } from './routes/resources.js';
import { sessionRoutes } from './routes/sessions.js';
import { webrtcRoutes } from '../webrtc/routes.js';

/** Largest accepted REST body. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/** Maps any thrown value to a LivefaceError (the single HTTP error mapping). */
export function toLivefaceError(err: unknown): LivefaceError {
  if (err instanceof LivefaceError) return err;
  const e = err as Partial<FastifyError>;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LivefaceError('payload_too_large', `The request body exceeds ${BODY_LIMIT_BYTES} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new LivefaceError('unsupported_media_type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new LivefaceError('invalid_json');
    default:
      return new LivefaceError('internal_error', undefined, { cause: err });
  }
}

/** The JSON body of an error answer. */
export function errorBody(e: LivefaceError): ErrorBody {
  return {
    code: envelopeCodeFor(e.status),
    message: e.message,
    data: {
      error: e.code,
      ...(e.field ? { field: e.field } : {}),
      ...(e.issues ? { issues: e.issues } : {}),
    },
  };
}

/** Builds the Fastify app with every route. */
export async function buildHttpApp(ctx: HttpContext, log: FastifyBaseLogger, version: string) {
  const app = Fastify({
    loggerInstance: log,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Clients send JSON with or without a content type, and start/stop/keep-alive often with no body at
  // all: read every body as text and parse it as JSON when there is one.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new LivefaceError('invalid_json', 'The request body is not valid JSON.'), undefined);
    }
  });

  // WHEP offers are SDP text.
  app.addContentTypeParser('application/sdp', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const allowAny = ctx.config.corsOrigins.includes('*');
  await app.register(cors, {
    // With `credentials: include` a browser needs its own origin echoed; `*` is refused.
    origin: (origin, cb) => cb(null, !origin ? false : allowAny || ctx.config.corsOrigins.includes(origin)),
    credentials: true,
    exposedHeaders: ['location'],
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'accept'],
    maxAge: 600,
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toLivefaceError(err);
    ctx.metrics.errors.inc({ code: e.code, channel: 'http' });
    if (e.status >= 500) req.log.error({ err, code: e.code }, 'request failed');
    else req.log.debug({ code: e.code, url: req.url }, 'request refused');
    return reply.status(e.status).send(errorBody(e));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new LivefaceError('not_found', `No endpoint ${req.method} ${req.url.split('?')[0]}.`);
    ctx.metrics.errors.inc({ code: e.code, channel: 'http' });
    return reply.status(404).send(errorBody(e));
  });
  app.addHook('onResponse', (req, reply, done) => {
    ctx.metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  const api: AnyRoute[] = [
    ...sessionRoutes(ctx),
    ...avatarRoutes(ctx),
    ...resourceRoutes(ctx),
    ...webrtcRoutes(ctx),
    ...playgroundRoutes(ctx),
  ];
  const ops: AnyRoute[] = [
    route({
      method: 'GET',
      path: '/healthz',
      tag: 'ops',
      summary: 'Liveness.',
      auth: 'none',
      response: null,
      raw: true,
      handler: () => Promise.resolve({ status: 'ok', version }),
    }),
    route({
      method: 'GET',
      path: '/metrics',
      tag: 'ops',
      summary: 'Prometheus metrics.',
      auth: 'none',
      response: null,
      raw: true,
      handler: async ({ reply }) => {
        const snap = ctx.sessions.snapshot();
        ctx.metrics.sessions.set({ status: 'created', mode: 'LITE' }, snap.created);
        ctx.metrics.sessions.set({ status: 'active', mode: 'LITE' }, snap.active);
        ctx.metrics.audioBuffered.set(snap.bufferedSeconds);
        void reply.type(ctx.metrics.registry.contentType);
        return ctx.metrics.registry.metrics();
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      tag: 'ops',
      summary: 'OpenAPI document.',
      auth: 'none',
      response: null,
      raw: true,
      handler: () => Promise.resolve(openApiDocument(api, version)),
    }),
    route({
      method: 'GET',
      path: '/docs',
      tag: 'ops',
      summary: 'API reference page.',
      auth: 'none',
      response: null,
      raw: true,
      handler: ({ reply }) => {
        void reply.type('text/html; charset=utf-8');
        return Promise.resolve(docsPage(api));
      },
    }),
  ];
  registerRoutes(app, [...api, ...ops], (req, auth) => ctx.auth.forRoute(req, auth));
  registerPlaygroundPages(app, ctx);
  return app;
}
