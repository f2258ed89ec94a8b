/**
 * The error codes the README documents: the first column of the table under **Errors.** Tests that
 * look at what the gateway answers check each code against it, so an answer with a new code fails
 * until the README says what it means and what to do.
 */
import { readFileSync } from 'node:fs';

export function documentedErrorCodes(): ReadonlySet<string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('**Errors.**');
  if (start < 0) throw new Error('README.md has no **Errors.** paragraph');
  const codes = new Set<string>();
  for (const line of readme.slice(start).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (codes.size) break; // the table has ended
      continue;
    }
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z_]+)`/g)) codes.add(match[1]!);
  }
  return codes;
}

/** Every `extensions.code` in a GraphQL answer (a single result or a batch), `(none)` for an error without one. */
export function answerCodes(body: unknown): string[] {
  const results = Array.isArray(body) ? body : [body];
  return results.flatMap((result) =>
    ((result as { errors?: { extensions?: { code?: unknown } }[] } | null)?.errors ?? []).map((error) => (typeof error.extensions?.code === 'string' ? error.extensions.code : '(none)')),
  );
}
