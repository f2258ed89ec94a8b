/**
 * The sandbox's private admin routes under `/__sandbox` (not part of Klarna's APIs): counters and the
 * last requests of each operation, the ledger, faults, the clock, webhook subscribers and deliveries, and the domain hooks that let a test
 * or a person make Klarna-side things happen (a compliance decision, a settlement, a used card).
 */
import { z } from 'zod';
import { faultRuleSchema } from './faults.ts';
import { cardAdminRoutes } from './handlers/card-admin.ts';
import { complianceAdminRoutes } from './handlers/compliance.ts';
import { settlementAdminRoutes } from './handlers/settlements.ts';
import type { AdminHandler, PipelineParts } from './server.ts';
import { webhookSubscriberSchema } from './webhooks.ts';

const advanceSchema = z.object({ ms: z.number().int().min(0) });

export function createAdminRoutes(parts: PipelineParts): Record<string, AdminHandler> {
  const services = { state: parts.state, clock: parts.clock, webhooks: parts.webhooks, behaviour: parts.behaviour };
  return {
    'GET /health': () => ({ ok: true, now: parts.clock.iso() }),
    'GET /counters': () => parts.counters.snapshot(),
    'DELETE /counters': () => parts.counters.reset(),
    'GET /requests': () => parts.counters.requests(),
    'GET /ledger': () => parts.ledger.entries(),
    'DELETE /ledger': () => parts.ledger.reset(),
    'GET /faults': () => parts.faults.list(),
    'POST /faults': ({ body }) => parts.faults.add(faultRuleSchema.parse(body)),
    'DELETE /faults': () => parts.faults.clear(),
    'GET /faults/waiting': () => ({ waiting: parts.faults.waiting() }),
    'POST /faults/release': () => ({ released: parts.faults.release() }),
    'POST /clock/advance': ({ body }) => {
      parts.clock.advance(advanceSchema.parse(body).ms);
      return { now: parts.clock.iso() };
    },
    'GET /webhooks': () => parts.webhooks.subscribers(),
    'POST /webhooks': ({ body }) => parts.webhooks.addSubscriber(webhookSubscriberSchema.parse(body)),
    'GET /webhooks/events': () => parts.webhooks.events(),
    'GET /webhooks/deliveries': () => parts.webhooks.attempts(),
    'GET /response-violations': () => parts.responseViolations ?? [],
    ...complianceAdminRoutes(services),
    ...settlementAdminRoutes(services),
    ...cardAdminRoutes(services),
  };
}
