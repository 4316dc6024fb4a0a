import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Graph builds and real HTTP servers take longer than the default 5 s
    // on a busy two-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
