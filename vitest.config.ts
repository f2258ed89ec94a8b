import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (`main`) and ESM (`module`) builds. Node loads the CJS one for our
    // dependencies (Pothos, Yoga); Vite would give our own files the ESM one, and graphql refuses
    // types from "another realm". One copy for everyone:
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Servers bind ephemeral loopback ports, so files can run in parallel safely.
    pool: 'forks',
  },
});
