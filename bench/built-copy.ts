/**
 * Benchmark servers compiled as `npm run build` compiles the product (TypeScript's own emit), for runs
 * that measure the built gateway (`--built`). Run through tsx instead, a server pays for esbuild's
 * `keepNames`: every function made in a closure is passed through `__name(fn, "name")`, which defines
 * its `name` property each time; in a Portfolio profile the bare gateway spent ~2% of its CPU there
 * while the built gateway beside it paid nothing alike.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));
/** Under node_modules, so the copies resolve their packages from this checkout's node_modules. */
const outDir = join(root, 'node_modules/.cache/overhead-bench');

/**
 * Compiles `sources` (paths from the checkout's root: the entry and every local module it imports) and
 * copies `assets` beside them, keeping their relative paths; returns the entry's compiled path (the
 * first source's). Each file is compiled alone (`transpileModule`): the bench's `tsc --noEmit` checks them.
 */
export function builtCopy(sources: string[], assets: string[] = []): string {
  const compilerOptions = { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, rewriteRelativeImportExtensions: true, verbatimModuleSyntax: true };
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), text);
  };
  write('package.json', JSON.stringify({ type: 'module' }));
  for (const source of sources) {
    const { outputText } = ts.transpileModule(readFileSync(join(root, source), 'utf8'), { compilerOptions, fileName: source });
    write(source.replace(/\.ts$/, '.js'), outputText);
  }
  for (const asset of assets) {
    mkdirSync(dirname(join(outDir, asset)), { recursive: true });
    copyFileSync(join(root, asset), join(outDir, asset));
  }
  return join(outDir, sources[0]!.replace(/\.ts$/, '.js'));
}
