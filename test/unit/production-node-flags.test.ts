import { describe, expect, it } from 'vitest';
import { imageNodeFlags, startProdNodeFlags } from '../../bench/production-node-flags.ts';

describe('the Node flags the product runs with in production', () => {
  it('are the same in the image (NODE_OPTIONS) and in npm run start:prod', () => {
    expect(imageNodeFlags().length).toBeGreaterThan(0);
    expect(startProdNodeFlags()).toEqual(imageNodeFlags());
  });

  it('are all flags node accepts in NODE_OPTIONS', () => {
    for (const flag of imageNodeFlags()) expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0]!), flag).toBe(true);
  });

  it('are read from the Dockerfile line alone', () => {
    expect(imageNodeFlags('FROM node\nENV NODE_OPTIONS="--max-semi-space-size=8 --stack-trace-limit=20"\nCMD ["node"]')).toEqual(['--max-semi-space-size=8', '--stack-trace-limit=20']);
    expect(imageNodeFlags('FROM node\nENV NODE_ENV=production\n')).toEqual([]);
    expect(() => startProdNodeFlags(JSON.stringify({ scripts: { 'start:prod': 'tsx src/main.ts' } }))).toThrow(/start:prod/);
  });
});
