/**
 * What the schema's resolvers need of their context, declared here, where it is used: the context
 * factory one floor up (`src/context.ts`) makes it, with what only the plugins use (the call budget).
 */
import type { Caller } from '../auth/caller.ts';
import type { Principal } from '../auth/principal.ts';
import type { MerchantCardServiceClient } from '../datasources/merchant-card-service.ts';
import type { PartnerManagementClient } from '../datasources/partner-management.ts';
import type { Loaders } from '../loaders/index.ts';
import type { EventService } from '../webhooks/event-service.ts';
import type { AccessVerdicts } from './access-verdicts.ts';

export interface SchemaContext {
  requestId: string;
  principal: Principal;
  /** The caller's role and accounts: what the schema's authorization rules (`access-policy.ts`) check. */
  caller: Caller;
  pm: PartnerManagementClient;
  mcs: MerchantCardServiceClient;
  loaders: Loaders;
  /** The partner accounts this request sent writes for (`CallContext.writtenAccounts`). */
  writtenAccounts: Set<string>;
  /** Drops everything loaded so far in this request: after a write, the payload reads the new state. */
  refreshLoaders(): void;
  /** Live events (made at boot): subscriptions read `events.bus`; `events.watchOrderCancellation` polls a cancellation. */
  events: EventService | undefined;
  /** What Klarna said each principal may read, kept briefly for subscriptions (made at boot, keyed by principal). */
  accessVerdicts: AccessVerdicts;
}
