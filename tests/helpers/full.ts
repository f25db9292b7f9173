/**
 * FULL-mode fixtures on a test server: the persona (an LLM configuration, with its secret, pointing at
 * a local OpenAI-compatible server, and a context) and FULL tokens for it.
 */
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { expectOk } from './rest.js';
import type { TestServer } from './server.js';

/** Stores a secret, an LLM configuration at `llmBaseUrl` (model `gpt-fake`) and `context`. */
export async function fullPersona(
  server: TestServer,
  llmBaseUrl: string,
  context: { name: string; prompt: string; opening_text?: string },
): Promise<{ llmConfigId: string; contextId: string }> {
  const secret = expectOk(
    await server.api('/v1/secrets', {
      body: { secret_name: 'llm', secret_value: 'sk-test', secret_type: 'OPENAI_API_KEY' },
    }),
  );
  const config = expectOk(
    await server.api('/v1/llm-configurations', {
      body: { display_name: 'fake', model_name: 'gpt-fake', secret_id: secret.id, base_url: llmBaseUrl },
    }),
  );
  const ctx = expectOk(await server.api('/v1/contexts', { body: context }));
  return { llmConfigId: config.id as string, contextId: ctx.id as string };
}

/** A FULL token of the sandbox avatar with `persona` (and its voice, if it names one) and the given body fields. */
export async function fullToken(
  server: TestServer,
  persona: { llmConfigId: string; contextId: string; voiceId?: string },
  fields: Record<string, unknown> = {},
): Promise<{ session_id: string; session_token: string }> {
  return expectOk(
    await server.api('/v1/sessions/token', {
      body: {
        mode: 'FULL',
        avatar_id: SANDBOX_AVATAR_ID,
        avatar_persona: {
          context_id: persona.contextId,
          ...(persona.voiceId ? { voice_id: persona.voiceId } : {}),
        },
        llm_configuration_id: persona.llmConfigId,
        ...fields,
      },
    }),
  );
}
