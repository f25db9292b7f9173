import { z } from 'zod';

/** The one avatar sandbox sessions may use ("Wayne" on LiveAvatar). */
export const SANDBOX_AVATAR_ID = 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a';

/** An avatar as the REST API shows it (LiveAvatar `AvatarSchema`). */
export const Avatar = z.object({
  id: z.string(),
  type: z.enum(['IMAGE', 'VIDEO']),
  status: z.enum(['ACTIVE', 'INIT', 'DEPLOYING', 'FAILED']),
  name: z.string(),
  preview_url: z.string().nullable(),
  is_expired: z.boolean(),
  default_voice: z.object({ id: z.string(), name: z.string() }).nullable(),
  is_1080p: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  error_message: z.string().nullable(),
});
/** An avatar as the REST API shows it. */
export type Avatar = z.infer<typeof Avatar>;

/** `PATCH /v1/avatars/{id}` body. */
export const AvatarPatch = z.object({
  name: z.string().min(1).max(255).optional(),
  default_voice_id: z.string().min(1).nullish(),
});
/** `PATCH /v1/avatars/{id}` body. */
export type AvatarPatch = z.infer<typeof AvatarPatch>;

/** One entry of `GET /v1/languages`. */
export const Language = z.object({ language: z.string(), code: z.string() });
