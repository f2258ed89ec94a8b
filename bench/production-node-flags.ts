/**
 * The Node flags the product runs with in production: the image's `NODE_OPTIONS` (Dockerfile), which
 * `npm run start:prod` passes too. `npm run bench -- overhead` and `fanout` give them to every server
 * they measure alike, so the gateway is measured as it is deployed and compared like for like.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The flags of the Dockerfile's `ENV NODE_OPTIONS="..."` line (none when it has no such line). */
export function imageNodeFlags(dockerfile = readFileSync(`${root}Dockerfile`, 'utf8')): string[] {
  const line = /^ENV NODE_OPTIONS="([^"]*)"\s*$/m.exec(dockerfile);
  return line ? line[1]!.split(/\s+/).filter(Boolean) : [];
}

/** The flags `npm run start:prod` gives node before `dist/main.js`. */
export function startProdNodeFlags(packageJson = readFileSync(`${root}package.json`, 'utf8')): string[] {
  const script = (JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts?.['start:prod'] ?? '';
  const words = script.split(/\s+/).filter(Boolean);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`start:prod is not "node [flags] dist/main.js": ${script}`);
  return words.slice(1, -1);
}

/** `--node-flags "..."`: the flags given (`--node-flags=` for none, Node's defaults); undefined without the option. */
export function nodeFlagsOption(flags: Record<string, string | true>): string[] | undefined {
  const given = flags['node-flags'];
  return typeof given === 'string' ? given.split(/\s+/).filter(Boolean) : undefined;
}
