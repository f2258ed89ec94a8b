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
    // Limits that catch a hang, not slowness: CI machines can be throttled to a fraction of a core
    // (seen: the whole suite 4x slower than here). Speed is measured in bench/, never here.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Servers bind ephemeral loopback ports, so files can run in parallel safely.
    pool: 'forks',
  },
});
