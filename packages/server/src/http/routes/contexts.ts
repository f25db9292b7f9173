/** Context routes (spec §6.3): the persona prompt, opening text and FAQ links of FULL sessions. */
import {
  ContextCreate,
  ContextDetail,
  ContextItem,
  ContextPatch,
  PageQuery,
  paginated,
} from '@liveface/protocol';
import { z } from 'zod';
import { LivefaceError } from '../../errors.js';
import { placeholderNames } from '../../sessions/dynamic-variables.js';
import * as contexts from '../../store/contexts.js';
import type { ContextRecord } from '../../store/contexts.js';
import { route } from '../route.js';
import { iso, pageLinks, type HttpContext } from './context.js';

/** A context as the API shows it. */
const show = (r: ContextRecord): ContextDetail => ({
  id: r.id,
  name: r.name,
  prompt: r.prompt,
  opening_text: r.opening_text,
  links: r.links,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
  required_dynamic_variables: placeholderNames(r.prompt, r.opening_text),
});

const IdParam = z.object({ context_id: z.string() });

/** Context routes. */
export function contextRoutes(ctx: HttpContext) {
  const { db, clock } = ctx;
  const find = async (id: string) => {
    const row = await contexts.getContext(db, id);
    if (!row) throw new LivefaceError('context_not_found', `No context with id ${id}.`);
    return row;
  };
  return [
    route({
      method: 'POST',
      path: '/v1/contexts',
      tag: 'contexts',
      summary: 'Create a context; ${name} placeholders become required_dynamic_variables.',
      auth: 'key',
      body: ContextCreate,
      response: ContextDetail,
      handler: async ({ body }) => show(await contexts.createContext(db, body, clock.now())),
    }),
    route({
      method: 'GET',
      path: '/v1/contexts',
      tag: 'contexts',
      summary: 'A page of contexts, newest first.',
      auth: 'key',
      query: PageQuery,
      response: paginated(ContextItem),
      handler: async ({ req, query }) => {
        const { rows, count } = await contexts.listContexts(db, {
          page: query.page,
          pageSize: query.page_size,
        });
        return {
          count,
          ...pageLinks(ctx, req, query.page, query.page_size, count),
          results: rows.map((r) => ({
            id: r.id,
            name: r.name,
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at),
          })),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/contexts/:context_id',
      tag: 'contexts',
      summary: 'One context with its prompt and required_dynamic_variables.',
      auth: 'key',
      response: ContextDetail,
      handler: async ({ params }) => show(await find(IdParam.parse(params).context_id)),
    }),
    route({
      method: 'PATCH',
      path: '/v1/contexts/:context_id',
      tag: 'contexts',
      summary: 'Update a context (name, prompt and opening_text required; links replace when given).',
      auth: 'key',
      body: ContextPatch,
      response: ContextDetail,
      handler: async ({ params, body }) => {
        const { context_id } = IdParam.parse(params);
        await find(context_id);
        await contexts.updateContext(db, context_id, body, clock.now());
        return show(await find(context_id));
      },
    }),
    route({
      method: 'DELETE',
      path: '/v1/contexts/:context_id',
      tag: 'contexts',
      summary: 'Delete a context.',
      auth: 'key',
      response: null,
      handler: async ({ params }) => {
        const { context_id } = IdParam.parse(params);
        if (!(await contexts.deleteContext(db, context_id))) await find(context_id);
        return null;
      },
    }),
  ];
}
