/**
 * `startSandbox(options)`: the embedded Klarna sandbox, in-process, on a loopback port. It serves both
 * REST APIs from one origin (`/v2/...` and `/merchantcard/v3/...`) over one consistent state, seeded
 * with the docs' samples and a deterministic generated portfolio.
 */
import { createClock } from './clock.ts';
import { createContract } from '../contracts/contract.ts';
import { createFaults, type FaultRuleInput } from './faults.ts';
import type { SandboxBehaviour } from './handler.ts';
import { sandboxHandlers } from './handlers/index.ts';
import { createAdminRoutes } from './admin.ts';
import { createCounters, createIdempotencyStore, createLedger } from './ledger.ts';
import { seededRandom } from './random.ts';
import { DEMO_CREDENTIALS, seedState } from './seed/index.ts';
import { createSandboxServer, listen, type PipelineParts } from './server.ts';
import { createEmptyState } from './state.ts';
import { createWebhookEmitter, type WebhookSubscriber } from './webhooks.ts';

export { DEMO_CREDENTIALS } from './seed/index.ts';

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** How many generated partner accounts to add to the docs' samples. */
  accounts?: number;
  /** Seed of the generated portfolio and of probabilistic faults. */
  seed?: number;
  /** Lenient mode: `Klarna-Integration-Metadata` optional and onboarding arrays 1..n (later releases). */
  lenient?: boolean;
  onboardingDelayMs?: number;
  cancellationDelayMs?: number;
  cardTtlMs?: number;
  faults?: FaultRuleInput[];
  webhooks?: WebhookSubscriber[];
  /** Delays between webhook delivery attempts; Klarna's own schedule by default. */
  webhookRetryScheduleMs?: number[];
  /** Check every JSON response against the contract and keep the violations (tests turn this on). */
  validateResponses?: boolean;
}

export async function startSandbox({
  port = 0,
  host = '127.0.0.1',
  accounts = 25,
  seed = 20_250_101,
  lenient = false,
  onboardingDelayMs = 2_000,
  cancellationDelayMs = 5_000,
  cardTtlMs = 24 * 60 * 60 * 1000,
  faults: initialFaults = [],
  webhooks: subscribers = [],
  webhookRetryScheduleMs,
  validateResponses = false,
}: SandboxOptions = {}) {
  const clock = createClock();
  const state = createEmptyState();
  seedState(state, { accounts, seed, now: clock.now() });
  const behaviour: SandboxBehaviour = { strictExactlyOne: !lenient, onboardingDelayMs, cancellationDelayMs, cardTtlMs };
  const faults = createFaults(seededRandom(seed), initialFaults);
  const counters = createCounters();
  const ledger = createLedger();
  const webhooks = createWebhookEmitter({
    clock,
    subscribers,
    ...(webhookRetryScheduleMs ? { retryScheduleMs: webhookRetryScheduleMs } : {}),
  });
  const responseViolations: NonNullable<PipelineParts['responseViolations']> = [];
  const parts: PipelineParts = {
    contract: createContract(),
    handlers: sandboxHandlers,
    adminRoutes: {},
    state,
    clock,
    faults,
    counters,
    ledger,
    idempotency: createIdempotencyStore(clock.now),
    webhooks,
    behaviour,
    requireMetadataHeader: !lenient,
    ...(validateResponses ? { responseViolations } : {}),
  };
  parts.adminRoutes = createAdminRoutes(parts);
  const server = createSandboxServer(parts);
  const url = await listen(server, port, host);

  return {
    url,
    state,
    clock,
    faults,
    counters,
    ledger,
    webhooks,
    responseViolations,
    credentials: DEMO_CREDENTIALS,
    async close() {
      clock.stop();
      await webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
