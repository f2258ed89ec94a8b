/**
 * The sandbox's time, and the work it has promised to do later (an onboarded account becoming
 * operational, a pending order cancellation resolving, a webhook retry).
 *
 * Time can be moved forward through the admin route, so tests see a day pass in a millisecond; every
 * request first runs whatever fell due, so state never lags the clock a caller sees.
 */
export interface Clock {
  now(): number;
  iso(offsetMs?: number): string;
  advance(ms: number): void;
  /** Runs `task` once the sandbox time reaches `atMs`. */
  schedule(atMs: number, task: () => void): void;
  /** Runs every task that is due now. */
  runDue(): void;
  stop(): void;
}

export function createClock({ tickMs = 25 }: { tickMs?: number } = {}): Clock {
  let offsetMs = 0;
  const tasks: { atMs: number; task: () => void }[] = [];
  const now = () => Date.now() + offsetMs;

  function runDue() {
    const current = now();
    for (;;) {
      const index = tasks.findIndex((entry) => entry.atMs <= current);
      if (index < 0) return;
      const [due] = tasks.splice(index, 1);
      due!.task();
    }
  }

  const timer = setInterval(() => {
    if (tasks.length) runDue();
  }, tickMs);
  timer.unref();

  return {
    now,
    iso: (addMs = 0) => new Date(now() + addMs).toISOString(),
    advance(ms) {
      offsetMs += ms;
      runDue();
    },
    schedule(atMs, task) {
      tasks.push({ atMs, task });
    },
    runDue,
    stop: () => clearInterval(timer),
  };
}
