/**
 * Bookkeeping that tests and benchmarks read through the admin routes:
 * - counters of requests by operation and status (to count upstream calls), with the last request
 *   targets (path and query) of each operation (to see what was asked, e.g. which `expand`);
 * - the ledger of applied writes (to prove a write was applied exactly once);
 * - the idempotency store (`Klarna-Idempotency-Key` replays the first response for 24 hours).
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface CounterSnapshot {
  total: number;
  /** The most requests that were in progress at the same time since the last reset. */
  peakInFlight: number;
  byOperation: Record<string, { total: number; byStatus: Record<string, number> }>;
}

export interface LedgerEntry {
  operationId: string;
  idempotencyKey: string | null;
  target: string;
  applied: number;
}

/** Request targets kept per operation: enough for a test to read what one operation sent, bounded. */
export const RECENT_REQUESTS_PER_OPERATION = 20;

/** The last request targets (`/path?query`, as received) of each operation since the last reset, oldest first. */
export type RecentRequests = Record<string, string[]>;

export function createCounters() {
  let byOperation: CounterSnapshot['byOperation'] = {};
  let recent: RecentRequests = {};
  let total = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  return {
    /** A request started (admin routes excluded). */
    enter() {
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
    },
    /** A request that entered, for `target` (path and query), was answered (or dropped) with `status`. */
    record(operationId: string, status: number, target: string) {
      inFlight -= 1;
      total += 1;
      const entry = (byOperation[operationId] ??= { total: 0, byStatus: {} });
      entry.total += 1;
      entry.byStatus[status] = (entry.byStatus[status] ?? 0) + 1;
      const targets = (recent[operationId] ??= []);
      targets.push(target);
      if (targets.length > RECENT_REQUESTS_PER_OPERATION) targets.shift();
    },
    snapshot: (): CounterSnapshot => structuredClone({ total, peakInFlight, byOperation }),
    requests: (): RecentRequests => structuredClone(recent),
    reset() {
      byOperation = {};
      recent = {};
      total = 0;
      peakInFlight = inFlight;
    },
  };
}
export type Counters = ReturnType<typeof createCounters>;

export function createLedger() {
  const entries: LedgerEntry[] = [];
  const byKey = new Map<string, LedgerEntry>();
  return {
    /** Records one application of a write. Writes sharing an idempotency key share an entry. */
    apply(operationId: string, target: string, idempotencyKey: string | null) {
      const scoped = idempotencyKey ? `${operationId}\u0000${idempotencyKey}` : undefined;
      const existing = scoped ? byKey.get(scoped) : undefined;
      if (existing) {
        existing.applied += 1;
        return;
      }
      const entry: LedgerEntry = { operationId, idempotencyKey, target, applied: 1 };
      entries.push(entry);
      if (scoped) byKey.set(scoped, entry);
    },
    entries: () => entries.map((entry) => ({ ...entry })),
    reset() {
      entries.length = 0;
      byKey.clear();
    },
  };
}
export type Ledger = ReturnType<typeof createLedger>;

export function createIdempotencyStore(now: () => number) {
  const stored = new Map<string, { atMs: number; response: StoredResponse }>();
  /** Keys with a request under way: the end of the last one to enter, by key. */
  const underWay = new Map<string, Promise<void>>();
  const keyOf = (principal: string, key: string) => `${principal}\u0000${key}`;
  return {
    /**
     * Waits until no other request with this key is under way, then holds the key until the returned
     * release is called: requests with one key are applied (or replayed) one after the other.
     */
    async enter(principal: string, key: string): Promise<() => void> {
      const id = keyOf(principal, key);
      const before = underWay.get(id);
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      underWay.set(id, done);
      await before;
      return () => {
        release();
        if (underWay.get(id) === done) underWay.delete(id);
      };
    },
    get(principal: string, key: string): StoredResponse | undefined {
      const hit = stored.get(keyOf(principal, key));
      if (!hit) return undefined;
      if (now() - hit.atMs > IDEMPOTENCY_TTL_MS) {
        stored.delete(keyOf(principal, key));
        return undefined;
      }
      return hit.response;
    },
    set(principal: string, key: string, response: StoredResponse) {
      stored.set(keyOf(principal, key), { atMs: now(), response });
    },
  };
}
export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
