/**
 * LLM configuration routes (spec §6.6), served under both spellings: `/v1/llm-configurations` (OAS) and
 * `/v1/llm_configurations` (the custom-LLM guide).
 */
import {
  LlmConfiguration,
  LlmConfigurationCreate,
  LlmConfigurationItem,
  LlmConfigurationPatch,
} from '@liveface/protocol';
import { z } from 'zod';
import { LivefaceError } from '../../errors.js';
import * as llm from '../../store/llm-configurations.js';
import type { LlmConfigurationRow } from '../../store/llm-configurations.js';
import { requireSecret } from '../../store/secrets.js';
import { route, type AnyRoute } from '../route.js';
import { iso, type HttpContext } from './context.js';

/** A configuration as the API shows it. */
const show = (r: LlmConfigurationRow): LlmConfiguration => ({
  id: r.id,
  base_url: r.base_url,
  display_name: r.display_name,
  model_name: r.model_name,
  secret_id: r.secret_id,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

const IdParam = z.object({ config_id: z.string() });

/** LLM configuration routes. */
export function llmConfigurationRoutes(ctx: HttpContext) {
  const { db, clock } = ctx;
  const find = async (id: string) => {
    const row = await llm.getLlmConfiguration(db, id);
    if (!row) throw new LivefaceError('llm_configuration_not_found', `No LLM configuration with id ${id}.`);
    return row;
  };

  const routes = (base: string): AnyRoute[] => [
    route({
      method: 'POST',
      path: base,
      tag: 'llm-configurations',
      summary: 'Register an OpenAI-compatible LLM endpoint (base_url defaults to OpenAI).',
      auth: 'key',
      body: LlmConfigurationCreate,
      response: LlmConfiguration,
      handler: async ({ body }) => {
        await requireSecret(db, body.secret_id);
        return show(await llm.createLlmConfiguration(db, body, clock.now()));
      },
    }),
    route({
      method: 'GET',
      path: base,
      tag: 'llm-configurations',
      summary: 'All LLM configurations, newest first.',
      auth: 'key',
      response: z.array(LlmConfigurationItem),
      handler: async () =>
        (await llm.listLlmConfigurations(db)).map((r) => ({
          id: r.id,
          display_name: r.display_name,
          model_name: r.model_name,
          secret_id: r.secret_id,
        })),
    }),
    route({
      method: 'GET',
      path: `${base}/:config_id`,
      tag: 'llm-configurations',
      summary: 'One LLM configuration.',
      auth: 'key',
      response: LlmConfiguration,
      handler: async ({ params }) => show(await find(IdParam.parse(params).config_id)),
    }),
    route({
      method: 'PATCH',
      path: `${base}/:config_id`,
      tag: 'llm-configurations',
      summary: 'Change any of display_name, model_name, secret_id, base_url.',
      auth: 'key',
      body: LlmConfigurationPatch,
      response: LlmConfiguration,
      handler: async ({ params, body }) => {
        const { config_id } = IdParam.parse(params);
        await find(config_id);
        if (body.secret_id !== undefined) await requireSecret(db, body.secret_id);
        await llm.updateLlmConfiguration(db, config_id, body, clock.now());
        return show(await find(config_id));
      },
    }),
    route({
      method: 'DELETE',
      path: `${base}/:config_id`,
      tag: 'llm-configurations',
      summary: 'Delete an LLM configuration (its secret stays).',
      auth: 'key',
      response: null,
      handler: async ({ params }) => {
        const { config_id } = IdParam.parse(params);
        if (!(await llm.deleteLlmConfiguration(db, config_id))) await find(config_id);
        return null;
      },
    }),
  ];
  return [...routes('/v1/llm-configurations'), ...routes('/v1/llm_configurations')];
}
