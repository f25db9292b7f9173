/** The browser SDK, loaded by index.html as its script-tag build (global `Liveface`) before this script. */
import type * as Sdk from '../../sdk-browser/src/index.js';

export type { AgentEvent, LiveAvatarSession } from '../../sdk-browser/src/index.js';

/** The SDK's exports. */
export const Liveface = (globalThis as unknown as { Liveface: typeof Sdk }).Liveface;
