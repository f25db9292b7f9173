/** Avatar and language routes (spec §6.1, §6.7). */
import {
  Avatar,
  AvatarPatch,
  LANGUAGES,
  Language,
  PageQuery,
  SANDBOX_AVATAR_ID,
  paginated,
} from '@liveface/protocol';
import { z } from 'zod';
import { LivefaceError } from '../../errors.js';
import * as avatars from '../../store/avatars.js';
import type { AvatarRow } from '../../store/avatars.js';
import { route } from '../route.js';
import { iso, pageLinks, type HttpContext } from './context.js';

/** An avatar record as the API shows it. */
function show(r: AvatarRow): Avatar {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    name: r.name,
    preview_url: r.preview_url,
    is_expired: false,
    default_voice: r.default_voice_id ? { id: r.default_voice_id, name: r.default_voice_id } : null,
    is_1080p: r.is_1080p === 1,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    error_message: null,
  };
}

const IdParam = z.object({ avatar_id: z.string() });

/** Avatar and language routes. */
export function avatarRoutes(ctx: HttpContext) {
  const { db, clock, sessions } = ctx;
  const find = async (id: string) => {
    const row = await avatars.getAvatar(db, id);
    if (!row) throw new LivefaceError('avatar_not_found', `No avatar with id ${id}.`);
    return row;
  };
  const list = (publicOnly: boolean) =>
    route({
      method: 'GET',
      path: publicOnly ? '/v1/avatars/public' : '/v1/avatars',
      tag: 'avatars',
      summary: publicOnly ? 'Avatars built into Liveface (no key needed).' : 'All avatars of this server.',
      auth: publicOnly ? 'none' : 'key',
      query: PageQuery,
      response: paginated(Avatar),
      handler: async ({ req, query }) => {
        const { rows, count } = await avatars.listAvatars(db, {
          page: query.page,
          pageSize: query.page_size,
          publicOnly,
        });
        return { count, ...pageLinks(ctx, req, query.page, query.page_size, count), results: rows.map(show) };
      },
    });

  return [
    list(false),
    list(true),
    route({
      method: 'GET',
      path: '/v1/avatars/:avatar_id',
      tag: 'avatars',
      summary: 'One avatar.',
      auth: 'key',
      response: Avatar,
      handler: async ({ params }) => {
        return show(await find(IdParam.parse(params).avatar_id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/v1/avatars/:avatar_id',
      tag: 'avatars',
      summary: 'Rename an avatar or set its default voice.',
      auth: 'key',
      body: AvatarPatch,
      response: Avatar,
      handler: async ({ params, body }) => {
        const { avatar_id } = IdParam.parse(params);
        await find(avatar_id);
        await avatars.updateAvatar(db, avatar_id, body, clock.now());
        return show(await find(avatar_id));
      },
    }),
    route({
      method: 'DELETE',
      path: '/v1/avatars/:avatar_id',
      tag: 'avatars',
      summary: 'Delete an avatar (soft); its live sessions end with AVATAR_DELETED.',
      auth: 'key',
      response: null,
      handler: async ({ params }) => {
        const { avatar_id } = IdParam.parse(params);
        await find(avatar_id);
        if (avatar_id === SANDBOX_AVATAR_ID) {
          throw new LivefaceError('avatar_protected', 'The sandbox avatar cannot be deleted.');
        }
        await avatars.deleteAvatar(db, avatar_id, clock.now());
        await sessions.endByAvatar(avatar_id);
        return null;
      },
    }),
    route({
      method: 'GET',
      path: '/v1/languages',
      tag: 'misc',
      summary: 'Languages (ISO 639-1 codes).',
      auth: 'none',
      response: z.array(Language),
      handler: () => Promise.resolve(LANGUAGES),
    }),
  ];
}
