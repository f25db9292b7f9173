import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@liveface/protocol': src('protocol'),
      // Before the package: aliases match by prefix, in order.
      '@liveface/engine/render': fileURLToPath(
        new URL('./packages/engine/src/render/index.ts', import.meta.url),
      ),
      '@liveface/engine/sizes': fileURLToPath(
        new URL('./packages/engine/src/render/sizes.ts', import.meta.url),
      ),
      '@liveface/engine': src('engine'),
      '@liveface/server': src('server'),
    },
  },
  test: {
    reporters: ['default', './vitest.reporter.ts'],
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
