/**
 * The gateway's version, from package.json beside `src/` or `dist/` (read once at start): sent to
 * Klarna as the integration metadata's `module_version`, and on every span as `service.version`.
 */
import { readFileSync } from 'node:fs';

function packageVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const VERSION = packageVersion();
