/**
 * @napi-rs/canvas (Skia), loaded on first use rather than on import, so a thread that imports the engine
 * for lip-sync and scheduling alone (the main thread of `liveface render`, whose workers draw) never
 * loads the native library. And `require`d rather than `import`ed: for an ES module importing a
 * CommonJS package, Node first lexes the package's source for its named exports (5–15 ms per thread
 * here, plus the optimising compile of the lexer itself).
 */
import { createRequire } from 'node:module';
import type * as Canvas from '@napi-rs/canvas';

let loaded: typeof Canvas | undefined;

/** The @napi-rs/canvas module. */
export function skia(): typeof Canvas {
  return (loaded ??= createRequire(import.meta.url)('@napi-rs/canvas') as typeof Canvas);
}
