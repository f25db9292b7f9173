/** The built-in avatars, the sandbox avatar first. Ids are stable: clients store them. */
import { AMARA } from './avatars/amara.js';
import { MAYA } from './avatars/maya.js';
import { WAYNE } from './avatars/wayne.js';
import type { BuiltinAvatar } from './look.js';

/** Every built-in avatar; the first is the sandbox avatar. */
export const BUILTIN_AVATARS: readonly BuiltinAvatar[] = [WAYNE, MAYA, AMARA];

/** The built-in avatar with this id, if any. */
export function findBuiltinAvatar(id: string): BuiltinAvatar | undefined {
  return BUILTIN_AVATARS.find((a) => a.id === id);
}
