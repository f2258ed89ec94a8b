/**
 * Fault injection: what a real upstream does on a bad day, on demand. Rules apply globally or to one
 * operation; each may add latency (fixed plus jitter), answer with an error status at a rate, drop
 * the connection, or send the body slowly. `times` limits a rule to its next N matching requests,
 * which makes "the next two calls fail with 503" exact rather than probabilistic.
 *
 * Two gates make order and concurrency observable without timing: `barrier: N` holds matching requests
 * until N of them are waiting, then lets them all go (so "these 4 calls are in flight together" is
 * proven, whatever the machine's speed); `hold: true` holds them until `POST /faults/release` (so "the
 * client got the first part while this call was still running" is proven). Either gate opens by itself
 * after `gateTimeoutMs`, so a request never hangs forever on a test that went wrong.
 */
import { z } from 'zod';
import type { Random } from './random.ts';

export const faultRuleSchema = z.object({
  /** An operationId; absent means every operation. */
  operationId: z.string().optional(),
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  jitterMs: z.number().int().min(0).max(60_000).default(0),
  /** Probability (0..1) per status: `{ "503": 0.2, "429": 0.1 }`. */
  errorRates: z.partialRecord(z.enum(['429', '500', '502', '503', '504']), z.number().min(0).max(1)).default({}),
  /** Probability (0..1) that the connection is destroyed before any response. */
  dropRate: z.number().min(0).max(1).default(0),
  /** The body is sent in chunks spread over this many milliseconds (a streamed body, the CSV report: a fifth of it before each of its chunks). */
  slowBodyMs: z.number().int().min(0).max(60_000).default(0),
  /** Seconds in the `Retry-After` header of injected 429 and 503 answers. */
  retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
  /** Apply to the next N matching requests only, then expire. */
  times: z.number().int().positive().optional(),
  /** When true the fault strikes after the operation is applied (the client still sees a failure). */
  afterApply: z.boolean().default(false),
  /** Hold matching requests until this many are waiting, then release them together. */
  barrier: z.number().int().min(2).max(1_000).optional(),
  /** Hold matching requests until `release()` (`POST /faults/release`). */
  hold: z.boolean().default(false),
  /** A gate opens by itself after this long. */
  gateTimeoutMs: z.number().int().min(1).max(120_000).default(30_000),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export interface FaultDecision {
  latencyMs: number;
  slowBodyMs: number;
  /** What to do instead of answering normally, if anything. */
  failure?: { kind: 'drop' } | { kind: 'status'; status: number; retryAfterSeconds: number };
  afterApply: boolean;
  /** Resolves when every gate this request waits at has opened (absent: no gate). */
  gate?: Promise<void>;
}

export interface Faults {
  add(rule: FaultRuleInput): void;
  clear(): void;
  list(): FaultRule[];
  /** How many requests wait at a gate now (their rule may have expired since they arrived). */
  waiting(): number;
  decide(operationId: string): FaultDecision;
  /** Opens every `hold` gate: the requests waiting there go on. Returns how many were waiting. */
  release(): number;
}

/** A gate that opens once `open()` is called or `timeoutMs` passes. */
interface Gate {
  waiting: number;
  opened: Promise<void>;
  open(): void;
}

function createGate(timeoutMs: number): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(open, timeoutMs);
  timer.unref();
  void opened.then(() => clearTimeout(timer));
  return { waiting: 0, opened, open };
}

export function createFaults(random: Random, initial: FaultRuleInput[] = []): Faults {
  let rules: FaultRule[] = initial.map((rule) => faultRuleSchema.parse(rule));
  /** The gate each rule's requests are currently waiting at. */
  const gates = new Map<FaultRule, Gate>();

  /** Enters `rule`'s gate; a barrier opens when its count is reached, and the next arrival starts a new one. */
  function enterGate(rule: FaultRule): Promise<void> {
    let gate = gates.get(rule);
    if (!gate) {
      const created = (gate = createGate(rule.gateTimeoutMs));
      gates.set(rule, created);
      // However it opens (count reached, released, timed out), an open gate holds no one.
      void created.opened.then(() => gates.get(rule) === created && gates.delete(rule));
    }
    gate.waiting += 1;
    if (rule.barrier !== undefined && !rule.hold && gate.waiting >= rule.barrier) {
      gates.delete(rule); // now, not a microtask later: the next arrival starts a new barrier
      gate.open();
    }
    return gate.opened;
  }

  function decide(operationId: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, slowBodyMs: 0, afterApply: false };
    const waits: Promise<void>[] = [];
    for (const rule of rules) {
      if (rule.operationId && rule.operationId !== operationId) continue;
      if (rule.hold || rule.barrier !== undefined) waits.push(enterGate(rule));
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) rules = rules.filter((other) => other !== rule);
      }
      decision.latencyMs += rule.latencyMs + Math.round(random() * rule.jitterMs);
      decision.slowBodyMs = Math.max(decision.slowBodyMs, rule.slowBodyMs);
      if (decision.failure) continue;
      if (rule.dropRate && random() < rule.dropRate) {
        decision.failure = { kind: 'drop' };
        decision.afterApply = rule.afterApply;
        continue;
      }
      for (const [status, rate] of Object.entries(rule.errorRates)) {
        if (rate && random() < rate) {
          decision.failure = { kind: 'status', status: Number(status), retryAfterSeconds: rule.retryAfterSeconds };
          decision.afterApply = rule.afterApply;
          break;
        }
      }
    }
    if (waits.length) decision.gate = Promise.all(waits).then(() => undefined);
    return decision;
  }

  function release(): number {
    let waiting = 0;
    for (const [rule, gate] of gates) {
      if (!rule.hold) continue;
      waiting += gate.waiting;
      gates.delete(rule);
      gate.open();
    }
    return waiting;
  }

  return {
    add: (rule) => void rules.push(faultRuleSchema.parse(rule)),
    clear: () => {
      rules = [];
      for (const gate of gates.values()) gate.open();
      gates.clear();
    },
    list: () => rules.map((rule) => ({ ...rule })),
    waiting: () => [...gates.values()].reduce((sum, gate) => sum + gate.waiting, 0),
    decide,
    release,
  };
}
