/**
 * Voice routes (spec §6.2): the built-in offline voices (`voice_type=public`) and voices bound to a
 * third-party TTS provider through a stored secret (`private`).
 */
import {
  ThirdPartyVoiceBind,
  ThirdPartyVoiceBound,
  VOICE_PROVIDER_SECRET,
  Voice,
  VoiceListQuery,
  VoicePatch,
  paginated,
  type ThirdPartyVoiceProvider,
} from '@liveface/protocol';
import { z } from 'zod';
import { LivefaceError } from '../../errors.js';
import { requireSecret } from '../../store/secrets.js';
import * as voices from '../../store/voices.js';
import type { VoiceRecord } from '../../store/voices.js';
import { route } from '../route.js';
import { iso, pageLinks, type HttpContext } from './context.js';

/** A voice as the API shows it. */
const show = (v: VoiceRecord): Voice => ({
  id: v.id,
  name: v.name,
  description: v.description,
  language: v.language,
  gender: v.gender,
  created_at: iso(v.created_at),
  updated_at: iso(v.updated_at),
  tags: v.tags,
  provider: v.provider,
  provider_voice_id: v.provider_voice_id,
  base_url: v.base_url,
  model: v.model,
});

const IdParam = z.object({ voice_id: z.string() });

/** The provider whose key a secret type is, if any. */
const providerOfSecret = (type: string): ThirdPartyVoiceProvider | undefined =>
  (Object.keys(VOICE_PROVIDER_SECRET) as ThirdPartyVoiceProvider[]).find(
    (p) => VOICE_PROVIDER_SECRET[p] === type,
  );

/** Voice routes. */
export function voiceRoutes(ctx: HttpContext) {
  const { db, clock } = ctx;
  const find = async (id: string) => {
    const v = await voices.getVoice(db, id);
    if (!v) throw new LivefaceError('voice_not_found', `No voice with id ${id}.`);
    return v;
  };
  const editable = async (id: string) => {
    const v = await find(id);
    if (v.builtin)
      throw new LivefaceError('voice_protected', `Voice ${id} is built in; it cannot be changed.`);
    return v;
  };
  return [
    route({
      method: 'GET',
      path: '/v1/voices',
      tag: 'voices',
      summary: 'A page of voices: built-in (voice_type=public, default) or bound third-party (private).',
      auth: 'key',
      query: VoiceListQuery,
      response: paginated(Voice),
      handler: async ({ req, query }) => {
        const { rows, count } = await voices.listVoices(db, {
          page: query.page,
          pageSize: query.page_size,
          type: query.voice_type,
        });
        return { count, ...pageLinks(ctx, req, query.page, query.page_size, count), results: rows.map(show) };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/voices/third_party',
      tag: 'voices',
      summary: 'Bind a third-party TTS voice (provider inferred from the secret type when absent).',
      auth: 'key',
      body: ThirdPartyVoiceBind,
      response: ThirdPartyVoiceBound,
      handler: async ({ body }) => {
        const secret = await requireSecret(db, body.secret_id);
        const fromSecret = providerOfSecret(secret.type);
        const provider = body.provider ?? fromSecret;
        if (!provider) {
          throw new LivefaceError(
            'invalid_secret_reference',
            `secret_id: secret ${secret.id} is a ${secret.type}, which is no TTS provider's key; ` +
              `use a ${Object.values(VOICE_PROVIDER_SECRET).join(', ')} secret, or name the provider.`,
            { field: 'secret_id' },
          );
        }
        if (secret.type !== VOICE_PROVIDER_SECRET[provider]) {
          throw new LivefaceError(
            'invalid_secret_reference',
            `secret_id: provider ${provider} needs a ${VOICE_PROVIDER_SECRET[provider]} secret; ` +
              `secret ${secret.id} is a ${secret.type}.`,
            { field: 'secret_id' },
          );
        }
        const v = await voices.createVoice(
          db,
          {
            name: body.name ?? body.provider_voice_id.slice(0, 64),
            provider,
            provider_voice_id: body.provider_voice_id,
            secret_id: secret.id,
            base_url: body.base_url,
            model: body.model,
          },
          clock.now(),
        );
        return { voice_id: v.id };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/voices/:voice_id',
      tag: 'voices',
      summary: 'One voice.',
      auth: 'key',
      response: Voice,
      handler: async ({ params }) => show(await find(IdParam.parse(params).voice_id)),
    }),
    route({
      method: 'PATCH',
      path: '/v1/voices/:voice_id',
      tag: 'voices',
      summary: 'Change the name, base_url or model of a bound voice (built-in voices: 409).',
      auth: 'key',
      body: VoicePatch,
      response: Voice,
      handler: async ({ params, body }) => {
        const { voice_id } = IdParam.parse(params);
        await editable(voice_id);
        await voices.updateVoice(db, voice_id, body, clock.now());
        return show(await find(voice_id));
      },
    }),
    route({
      method: 'DELETE',
      path: '/v1/voices/:voice_id',
      tag: 'voices',
      summary: 'Delete a bound voice (built-in voices: 409).',
      auth: 'key',
      response: null,
      handler: async ({ params }) => {
        const { voice_id } = IdParam.parse(params);
        await editable(voice_id);
        await voices.deleteVoice(db, voice_id);
        return null;
      },
    }),
  ];
}
