/**
 * Priming: starting a load early, in the same tick as the load its parent waits for, so that both
 * requests go out together instead of one level after the other.
 *
 * Contract: `prime(start)` calls `start` now and forgets the outcome. It never throws and never leaves
 * an unhandled rejection: the field that needs the value asks the same per-request loader with the same
 * key later, gets the same (cached) promise, and reports its failure with its own path. For the same
 * reason a `start` that throws synchronously (arguments the field will refuse) is ignored here: the
 * field's resolver refuses them with the proper error. Only prime what a field of the current
 * selection will load with exactly that key, or the call is wasted.
 */
export function prime(start: () => Promise<unknown>): void {
  try {
    start().catch(() => undefined);
  } catch {
    // Refused by the field's own resolver, with its path.
  }
}
