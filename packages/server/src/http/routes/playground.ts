/**
 * The playground: the page at `/` (built by packages/playground, with the browser SDK's script-tag
 * build at `/sdk/liveface.js`) and its key-less session endpoint.
 *
 * `POST /v1/playground/session` creates a LITE session without an API key, so the page works right
 * after `npm start`. It exists only when the `playground` setting resolves to on: `on`, or `auto` while
 * the server listens on loopback and is not set up behind a proxy (no `publicUrl`, no `trustProxy`).
 * Under `auto` each request must also be local (see {@link keylessAllowed}); see docs/playground.md.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SANDBOX_AVATAR_ID, TokenRequest, TokenResponse, VideoQuality } from '@liveface/protocol';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { LivefaceError } from '../../errors.js';
import { route, type AnyRoute } from '../route.js';
import { createContext } from '../../store/contexts.js';
import type { HttpContext } from './context.js';

/** Built files of the page and of the SDK (the server runs from src/ in tests and dist/ in production). */
const PAGE_DIR = fileURLToPath(new URL('../../../../playground/dist/', import.meta.url));
const SDK_DIR = fileURLToPath(new URL('../../../../sdk-browser/dist/', import.meta.url));

/** URL path → file served; a fixed table, so no request path ever reaches the file system. */
const FILES: Record<string, { dir: string; file: string; type: string }> = {
  '/': { dir: PAGE_DIR, file: 'index.html', type: 'text/html; charset=utf-8' },
  '/playground.js': { dir: PAGE_DIR, file: 'playground.js', type: 'text/javascript; charset=utf-8' },
  '/playground.css': { dir: PAGE_DIR, file: 'playground.css', type: 'text/css; charset=utf-8' },
  '/mic-worklet.js': { dir: PAGE_DIR, file: 'mic-worklet.js', type: 'text/javascript; charset=utf-8' },
  '/favicon.svg': { dir: PAGE_DIR, file: 'favicon.svg', type: 'image/svg+xml' },
  '/sdk/liveface.js': { dir: SDK_DIR, file: 'liveface.js', type: 'text/javascript; charset=utf-8' },
  '/sdk/liveface.mjs': { dir: SDK_DIR, file: 'liveface.mjs', type: 'text/javascript; charset=utf-8' },
};

/** The page talks only to this server; media arrive over WebRTC, the LITE socket may use LIVEFACE_PUBLIC_URL. */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self' * ws: wss:",
  "frame-ancestors 'none'",
].join('; ');

const isLoopbackName = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
const isLoopbackAddress = (ip: string | undefined): boolean =>
  !!ip && (ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.'));

/** Whether the key-less endpoint exists at all (the setting, resolved against how the server is bound). */
export function playgroundKeyless(config: Config): boolean {
  switch (config.playground) {
    case 'on':
      return true;
    case 'off':
      return false;
    case 'auto':
      return isLoopbackName(config.host) && !config.publicUrl && !config.trustProxy;
  }
}

/**
 * Whether this request may use the key-less endpoint. Always: a browser `Origin`, if sent, is this
 * server's own (another site open in the same browser cannot mint sessions). Under `auto` also: the
 * peer is loopback, nothing forwarded it (a reverse proxy on the same machine would make every visitor
 * look local), and the Host is a loopback name (a DNS-rebinding page names its own host).
 */
export function keylessAllowed(config: Config, req: FastifyRequest): boolean {
  if (!playgroundKeyless(config)) return false;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    try {
      if (new URL(origin).host !== req.headers.host) return false;
    } catch {
      return false;
    }
  }
  if (config.playground === 'on') return true;
  const forwarded = ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'x-real-ip'].some(
    (h) => req.headers[h] !== undefined,
  );
  const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
  return !forwarded && isLoopbackAddress(req.socket.remoteAddress) && isLoopbackName(hostName);
}

/** Body of `POST /v1/playground/session`. */
const PlaygroundSessionRequest = z.object({
  avatar_id: z.string().min(1).max(128).default(SANDBOX_AVATAR_ID),
  quality: VideoQuality.default('medium'),
  /** FULL: a conversation with the server's default LLM (LIVEFACE_LLM_*) and the playground context. */
  mode: z.enum(['LITE', 'FULL']).default('LITE'),
  interactivity_type: z.enum(['CONVERSATIONAL', 'PUSH_TO_TALK']).default('CONVERSATIONAL'),
});

/** The playground's answer: the token, and for FULL which providers the server has. */
const PlaygroundSessionResponse = TokenResponse.extend({
  providers: z.object({ llm: z.boolean(), stt: z.string().nullable() }).optional(),
});

/** The context of playground conversations: made on first use, then the user's to edit (GET /v1/contexts). */
const PLAYGROUND_CONTEXT = {
  name: 'Liveface playground',
  prompt:
    'You are a friendly assistant shown as a talking avatar in the Liveface playground. Answer in one or two short sentences.',
  opening_text: "Hi! I'm listening. Ask me anything.",
};

async function playgroundContextId(ctx: HttpContext): Promise<string> {
  const found = await ctx.db
    .selectFrom('contexts')
    .select('id')
    .where('name', '=', PLAYGROUND_CONTEXT.name)
    .orderBy('created_at')
    .executeTakeFirst();
  if (found) return found.id;
  return (await createContext(ctx.db, PLAYGROUND_CONTEXT, ctx.clock.now())).id;
}

/** The key-less session route, present only when the playground resolves to on. */
export function playgroundRoutes(ctx: HttpContext): AnyRoute[] {
  if (!playgroundKeyless(ctx.config)) return [];
  return [
    route({
      method: 'POST',
      path: '/v1/playground/session',
      tag: 'playground',
      summary:
        'Create a session without an API key, for the playground page: LITE, or FULL with the server default LLM and the "Liveface playground" context. Exists only while the playground setting resolves to on (docs/playground.md).',
      auth: 'none',
      body: PlaygroundSessionRequest,
      response: PlaygroundSessionResponse,
      handler: async ({ req, body }) => {
        if (!keylessAllowed(ctx.config, req)) {
          throw new LivefaceError(
            'not_found',
            'The key-less playground endpoint answers only local requests from the playground page; use an API key with POST /v1/sessions/token.',
          );
        }
        if (body.mode === 'LITE') {
          const request = TokenRequest.parse({
            mode: 'LITE',
            avatar_id: body.avatar_id,
            video_settings: { quality: body.quality },
          });
          return ctx.sessions.create(request, null);
        }
        const request = TokenRequest.parse({
          mode: 'FULL',
          avatar_id: body.avatar_id,
          video_settings: { quality: body.quality },
          avatar_persona: { context_id: await playgroundContextId(ctx) },
          interactivity_type: body.interactivity_type,
        });
        return {
          ...(await ctx.sessions.create(request, null)),
          providers: { llm: !!ctx.config.llmBaseUrl, stt: ctx.config.sttProvider ?? null },
        };
      },
    }),
  ];
}

/** Serves the page and the SDK builds (GET only, outside the API route table and its docs). */
export function registerPlaygroundPages(app: FastifyInstance, ctx: HttpContext): void {
  for (const [path, f] of Object.entries(FILES)) {
    app.get(path, async (req, reply) => {
      let body: string;
      try {
        body = await readFile(f.dir + f.file, 'utf8');
      } catch {
        throw new LivefaceError(
          'not_found',
          `The playground is not built (${f.file} missing): run npm run build.`,
        );
      }
      if (f.file === 'index.html') {
        // Tells the page whether to offer the key-less start or ask for an API key.
        body = body.replace('__LIVEFACE_KEYLESS__', keylessAllowed(ctx.config, req) ? 'on' : 'off');
        void reply.header('content-security-policy', PAGE_CSP).header('referrer-policy', 'no-referrer');
      }
      return reply
        .type(f.type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    });
  }
}
