import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { contractTypeFiles, renderContractTypes } from '../../src/contracts/generate.ts';

describe('generated contract types', () => {
  for (const { yamlPath, tsPath } of contractTypeFiles) {
    it(`${tsPath.split('/').pop()} is what openapi-typescript generates from the YAML today`, async () => {
      const [expected, actual] = await Promise.all([renderContractTypes(yamlPath), readFile(tsPath, 'utf8')]);
      expect(actual === expected, 'stale generated types: run `npm run contracts`').toBe(true);
    });
  }
});
