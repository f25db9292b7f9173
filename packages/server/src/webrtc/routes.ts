/**
 * WHEP-style signalling for the built-in WebRTC transport. The start response's `webrtc_url` is a
 * capability (like `ws_url`): whoever holds it may watch the session, no other credential needed.
 *
 *   POST   {webrtc_url}                      SDP offer (application/sdp) → 201, SDP answer, Location
 *   DELETE {webrtc_url}/viewers/{viewer_id}  (the Location) → leaves
 */
import { checkCapability } from '../auth/secrets.js';
import { LivefaceError } from '../errors.js';
import { route, type AnyRoute } from '../http/route.js';
import type { HttpContext } from '../http/routes/context.js';

const BASE = '/v1/webrtc/:session_id/:capability';

/** The signalling routes. */
export function webrtcRoutes(ctx: HttpContext): AnyRoute[] {
  const check = (params: Record<string, string>) => {
    const id = params.session_id ?? '';
    if (!checkCapability(ctx.rtcKey, id, params.capability ?? '')) {
      throw new LivefaceError(
        'invalid_capability',
        'This WebRTC URL is not valid for the session; use the webrtc_url of the start response.',
      );
    }
    return id;
  };
  return [
    route({
      method: 'POST',
      path: BASE,
      tag: 'webrtc',
      summary:
        'Join a session as a WebRTC viewer: POST an SDP offer (application/sdp), receive the SDP answer (201) and the viewer URL in Location.',
      auth: 'none',
      response: null,
      raw: true,
      handler: async ({ req, reply, params }) => {
        const id = check(params);
        if (!String(req.headers['content-type'] ?? '').startsWith('application/sdp')) {
          throw new LivefaceError(
            'unsupported_media_type',
            'Send the SDP offer as Content-Type: application/sdp.',
          );
        }
        const offer = typeof req.body === 'string' ? req.body : '';
        const { answer, viewerId } = await ctx.webrtc.connect(id, offer);
        void reply
          .status(201)
          .type('application/sdp')
          .header('location', `${req.url.split('?')[0]!.replace(/\/+$/, '')}/viewers/${viewerId}`);
        return answer;
      },
    }),
    route({
      method: 'DELETE',
      path: `${BASE}/viewers/:viewer_id`,
      tag: 'webrtc',
      summary: 'Leave: closes this viewer’s peer connection (the session goes on).',
      auth: 'none',
      response: null,
      handler: ({ params }) => {
        ctx.webrtc.disconnect(check(params), params.viewer_id ?? '');
        return Promise.resolve(null);
      },
    }),
  ];
}
