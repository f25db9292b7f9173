import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@liveface/protocol': src('protocol'),
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
