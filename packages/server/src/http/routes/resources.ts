/** The resource routes of spec §6 beyond avatars: secrets, LLM configurations, contexts, voices. */
import type { AnyRoute } from '../route.js';
import type { HttpContext } from './context.js';
import { contextRoutes } from './contexts.js';
import { llmConfigurationRoutes } from './llm-configurations.js';
import { secretRoutes } from './secrets.js';
import { voiceRoutes } from './voices.js';

/** Every resource route. */
export function resourceRoutes(ctx: HttpContext): AnyRoute[] {
  return [...secretRoutes(ctx), ...llmConfigurationRoutes(ctx), ...contextRoutes(ctx), ...voiceRoutes(ctx)];
}
