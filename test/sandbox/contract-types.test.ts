import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../src/contracts/generate.ts';

describe('generated contract files', () => {
  for (const { tsPath, render } of generatedFiles) {
    it(`${tsPath.split('/').pop()} is what the YAML generates today`, async () => {
      const [expected, actual] = await Promise.all([render(), readFile(tsPath, 'utf8')]);
      expect(actual === expected, 'stale generated file: run `npm run contracts`').toBe(true);
    });
  }
});
