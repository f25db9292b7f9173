/** The built-in avatar catalog, seeded into the store at boot. The engine issue gives each one its look. */
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import type { BuiltinAvatar } from './store/avatars.js';

/** Avatars every Liveface installation has. The first is the sandbox avatar (LiveAvatar's "Wayne" id). */
export const BUILTIN_AVATARS: readonly BuiltinAvatar[] = [{ id: SANDBOX_AVATAR_ID, name: 'Wayne' }];
