/** Secret routes (spec §6.5): create, list (metadata only), delete. Values never leave the server. */
import { SecretCreate, SecretCreated, SecretInfo } from '@liveface/protocol';
import { z } from 'zod';
import { LivefaceError } from '../../errors.js';
import * as secrets from '../../store/secrets.js';
import type { SecretInfoRow } from '../../store/secrets.js';
import { route } from '../route.js';
import { iso, type HttpContext } from './context.js';

/** A secret's metadata as the API shows it. */
const show = (r: SecretInfoRow): SecretInfo => ({
  id: r.id,
  secret_name: r.name,
  secret_type: r.type,
  created_at: iso(r.created_at),
});

const IdParam = z.object({ secret_id: z.string() });

/** Secret routes. */
export function secretRoutes(ctx: HttpContext) {
  const { db, clock, secretsKey } = ctx;
  return [
    route({
      method: 'POST',
      path: '/v1/secrets',
      tag: 'secrets',
      summary: 'Store a provider API key (encrypted at rest; it is never shown again).',
      auth: 'key',
      body: SecretCreate,
      response: SecretCreated,
      handler: async ({ body }) => {
        const row = await secrets.createSecret(
          db,
          secretsKey,
          { name: body.secret_name, type: body.secret_type, value: body.secret_value },
          clock.now(),
        );
        return { id: row.id, secret_name: row.name };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/secrets',
      tag: 'secrets',
      summary: 'All secrets, newest first (names and types, never values).',
      auth: 'key',
      response: z.array(SecretInfo),
      handler: async () => (await secrets.listSecrets(db)).map(show),
    }),
    route({
      method: 'DELETE',
      path: '/v1/secrets/:secret_id',
      tag: 'secrets',
      summary: 'Delete a secret that no LLM configuration or voice uses.',
      auth: 'key',
      response: null,
      handler: async ({ params }) => {
        const { secret_id } = IdParam.parse(params);
        if (!(await secrets.getSecretInfo(db, secret_id))) {
          throw new LivefaceError('secret_not_found', `No secret with id ${secret_id}.`);
        }
        const users = await secrets.secretUsers(db, secret_id);
        if (users.llmConfigurations.length + users.voices.length > 0) {
          const list = [
            ...users.llmConfigurations.map((id) => `LLM configuration ${id}`),
            ...users.voices.map((id) => `voice ${id}`),
          ].join(', ');
          throw new LivefaceError(
            'secret_in_use',
            `Secret ${secret_id} is used by ${list}; delete those first.`,
          );
        }
        await secrets.deleteSecret(db, secret_id);
        return null;
      },
    }),
  ];
}
