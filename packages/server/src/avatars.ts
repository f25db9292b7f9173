/** The built-in avatar catalog (drawn by the engine), seeded into the store at boot. */
import { BUILTIN_AVATARS as ENGINE_AVATARS } from '@liveface/engine';
import type { BuiltinAvatar } from './store/avatars.js';

/** Avatars every Liveface installation has; the first is the sandbox avatar (LiveAvatar's "Wayne" id). */
export const BUILTIN_AVATARS: readonly BuiltinAvatar[] = ENGINE_AVATARS.map((a) => ({
  id: a.id,
  name: a.name,
}));
