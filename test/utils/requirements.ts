/**
 * Tests that need a real part of the machine (Redis, Chromium). Under `CI=true` a missing part is a
 * failure, never a skip; elsewhere the test is skipped with a visible notice, so `npm test` passes on a
 * fresh machine.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but Chromium is missing at ${CHROMIUM_PATH} (.ci/run installs it).`);
  console.warn(`\n  NOTICE: browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH).\n`);
  return false;
}
