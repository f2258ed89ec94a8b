/**
 * Generates the checked-in TypeScript that derives from `openapi/*.yaml` (see `src/contracts/generate.ts`).
 * `--check` writes nothing and exits 1 when a checked-in file differs from what would be generated.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { generatedFiles } from '../src/contracts/generate.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const { tsPath, render } of generatedFiles) {
  const next = await render();
  const current = await readFile(tsPath, 'utf8').catch(() => '');
  if (current === next) continue;
  if (check) {
    stale += 1;
    console.error(`stale: ${tsPath} (run \`npm run contracts\`)`);
  } else {
    await writeFile(tsPath, next);
    console.log(`wrote ${tsPath}`);
  }
}
process.exitCode = stale ? 1 : 0;
