/**
 * Fault injection: what a real upstream does on a bad day, on demand. Rules apply globally or to one
 * operation; each may add latency (fixed plus jitter), answer with an error status at a rate, drop
 * the connection, or send the body slowly. `times` limits a rule to its next N matching requests,
 * which makes "the next two calls fail with 503" exact rather than probabilistic.
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
  /** The body is sent in chunks spread over this many milliseconds. */
  slowBodyMs: z.number().int().min(0).max(60_000).default(0),
  /** Seconds in the `Retry-After` header of injected 429 and 503 answers. */
  retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
  /** Apply to the next N matching requests only, then expire. */
  times: z.number().int().positive().optional(),
  /** When true the fault strikes after the operation is applied (the client still sees a failure). */
  afterApply: z.boolean().default(false),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export interface FaultDecision {
  latencyMs: number;
  slowBodyMs: number;
  /** What to do instead of answering normally, if anything. */
  failure?: { kind: 'drop' } | { kind: 'status'; status: number; retryAfterSeconds: number };
  afterApply: boolean;
}

export interface Faults {
  add(rule: FaultRuleInput): void;
  clear(): void;
  list(): FaultRule[];
  decide(operationId: string): FaultDecision;
}

export function createFaults(random: Random, initial: FaultRuleInput[] = []): Faults {
  let rules: FaultRule[] = initial.map((rule) => faultRuleSchema.parse(rule));

  function decide(operationId: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, slowBodyMs: 0, afterApply: false };
    for (const rule of rules) {
      if (rule.operationId && rule.operationId !== operationId) continue;
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
    return decision;
  }

  return {
    add: (rule) => void rules.push(faultRuleSchema.parse(rule)),
    clear: () => void (rules = []),
    list: () => rules.map((rule) => ({ ...rule })),
    decide,
  };
}
