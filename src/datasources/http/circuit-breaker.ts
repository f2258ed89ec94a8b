/**
 * A circuit breaker for one operation family of an upstream (one operationId of one API: Klarna's
 * failures are often local to one endpoint, and faults on `createApiKey` must not stop `apiKeys` reads).
 *
 * It counts LOGICAL calls, not attempts: a call that succeeded after two retries is one success; a call
 * that gave up after its last attempt is one failure. Closed → open when, over the last `windowMs`, at
 * least `minCalls` calls ended and at least `failureRate` of them failed. Open: every call is refused
 * for `openMs`. Then half-open: one trial call goes through (the caller sends it without retries) →
 * closed on its success (the window starts empty), open again for another `openMs` on its failure.
 *
 * A call asks for a permit (`tryAcquire`) and reports on it exactly once: `success`, `failure`, or
 * `release` when the call ended without telling anything about the upstream's health (the caller went
 * away, or Klarna asked to slow down with 429). A permit given before the breaker opened reports into
 * nothing once it has (the window it counted in is gone); a released trial frees the half-open slot.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Fraction of failed calls in the window (0 to 1) that opens the breaker. */
  failureRate: number;
  /** Calls that must have ended in the window before its rate is judged. */
  minCalls: number;
  /** The sliding window, kept as 10 buckets of `windowMs / 10`. */
  windowMs: number;
  /** How long it stays open before letting one trial through. */
  openMs: number;
  /** Milliseconds on any monotonic-enough clock (`Date.now` in production, a fake one in tests). */
  now: () => number;
  /** Told each time it opens (from closed, or again after a failed trial): for metrics. */
  onOpen?: () => void;
}

/** Called as methods (`permit.success()`): a permit is one object per call, its methods shared, not bound. */
export interface CallPermit {
  /** The half-open trial: the one call that decides whether the breaker closes (send it once, no retries). */
  readonly trial: boolean;
  success(): void;
  failure(): void;
  release(): void;
}

type Outcome = 'success' | 'failure' | 'release';

/**
 * A permit as a breaker issues it: its first report goes to the breaker's `settle` with the generation it
 * was issued in; later ones are ignored. (A class, not closures per permit: one is made per call, and
 * lives as long as the call.)
 */
class Permit implements CallPermit {
  private reported = false;

  constructor(
    readonly trial: boolean,
    private readonly issuedIn: number,
    private readonly settle: (issuedIn: number, trial: boolean, outcome: Outcome) => void,
  ) {}

  success(): void {
    this.report('success');
  }

  failure(): void {
    this.report('failure');
  }

  release(): void {
    this.report('release');
  }

  private report(outcome: Outcome): void {
    if (this.reported) return;
    this.reported = true;
    this.settle(this.issuedIn, this.trial, outcome);
  }
}

export interface CircuitBreaker {
  /** A permit for one logical call, or `undefined` when the breaker refuses it (open, or a trial already out). */
  tryAcquire(): CallPermit | undefined;
  readonly state: BreakerState;
  /** Since when (on `now`) it has been open or half-open without closing in between; `undefined` while closed. */
  readonly openSince: number | undefined;
}

const BUCKETS = 10;

export function createCircuitBreaker({ failureRate, minCalls, windowMs, openMs, now, onOpen }: CircuitBreakerOptions): CircuitBreaker {
  const bucketMs = Math.max(1, windowMs / BUCKETS);
  /** Per bucket: its number (time / bucketMs), calls ended and failures in it. */
  const buckets = Array.from({ length: BUCKETS }, () => ({ at: -1, calls: 0, failures: 0 }));
  /** Bumped on every transition, so permits from an earlier state report into nothing. */
  let generation = 0;
  let openSince: number | undefined;
  let openUntil = 0;
  let trialOut = false;

  function record(failed: boolean): void {
    const at = Math.floor(now() / bucketMs);
    const bucket = buckets[at % BUCKETS]!;
    if (bucket.at !== at) Object.assign(bucket, { at, calls: 0, failures: 0 });
    bucket.calls += 1;
    if (failed) bucket.failures += 1;
    if (!failed) return;
    let calls = 0;
    let failures = 0;
    for (const other of buckets) {
      if (other.at > at - BUCKETS) {
        calls += other.calls;
        failures += other.failures;
      }
    }
    if (calls >= minCalls && failures >= failureRate * calls) open();
  }

  function open(): void {
    generation += 1;
    openSince ??= now();
    openUntil = now() + openMs;
    trialOut = false;
    onOpen?.();
  }

  function close(): void {
    generation += 1;
    openSince = undefined;
    trialOut = false;
    for (const bucket of buckets) Object.assign(bucket, { at: -1, calls: 0, failures: 0 });
  }

  /** A permit's one report: it counts only in the generation it was issued in. */
  function settle(issuedIn: number, trial: boolean, outcome: Outcome): void {
    if (issuedIn !== generation) return;
    if (!trial) {
      if (outcome !== 'release') record(outcome === 'failure');
      return;
    }
    if (outcome === 'success') close();
    else if (outcome === 'failure') open();
    else trialOut = false;
  }

  const permit = (trial: boolean): CallPermit => new Permit(trial, generation, settle);

  const state = (): BreakerState => (openSince === undefined ? 'closed' : now() < openUntil ? 'open' : 'half-open');

  return {
    tryAcquire() {
      const current = state();
      if (current === 'closed') return permit(false);
      if (current === 'open' || trialOut) return undefined;
      trialOut = true;
      return permit(true);
    },
    get state() {
      return state();
    },
    get openSince() {
      return openSince;
    },
  };
}

/** One breaker per operation family, made on first use, all with the same options. */
export interface BreakerFamilies {
  of(family: string): CircuitBreaker;
  /**
   * The whole upstream's state: `open` when every family seen has been refusing calls (open, or
   * half-open), `closed` as long as any family is closed (or none was used yet).
   */
  readonly state: BreakerState;
  /** How long every family seen has been open or half-open without a break; `undefined` while one is closed (or none was used). */
  openForMs(): number | undefined;
  /** Every family used so far and its state (for metrics). */
  states(): Iterable<[family: string, state: BreakerState]>;
}

/** `onOpen(family)`: told each time a family's breaker opens. */
export function createBreakerFamilies({ onOpen, ...options }: Omit<CircuitBreakerOptions, 'onOpen'> & { onOpen?: (family: string) => void }): BreakerFamilies {
  const families = new Map<string, CircuitBreaker>();
  const states = () => [...families.values()].map((breaker) => breaker.state);
  return {
    of(family) {
      let breaker = families.get(family);
      if (!breaker) families.set(family, (breaker = createCircuitBreaker({ ...options, ...(onOpen ? { onOpen: () => onOpen(family) } : {}) })));
      return breaker;
    },
    get state(): BreakerState {
      const all = states();
      if (all.length === 0 || all.includes('closed')) return 'closed';
      return all.includes('open') ? 'open' : 'half-open';
    },
    openForMs() {
      if (families.size === 0) return undefined;
      let since = -Infinity;
      for (const breaker of families.values()) {
        if (breaker.openSince === undefined) return undefined;
        since = Math.max(since, breaker.openSince);
      }
      return options.now() - since;
    },
    *states() {
      for (const [family, breaker] of families) yield [family, breaker.state];
    },
  };
}
