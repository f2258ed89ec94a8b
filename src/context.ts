/**
 * The per-request context: who is calling (the principal whose credentials reach Klarna, and the
 * caller's role and accounts, as `src/auth/authenticate.ts` established them before the request ran),
 * the two REST clients bound to that principal and this request's correlation id, and fresh loaders.
 * Nothing here outlives the request except what `shared` holds, keyed by principal.
 */
import type { Authentication } from './auth/authenticate.ts';
import { NOBODY } from './auth/caller.ts';
import { principalFor, type Principal } from './auth/principal.ts';
import type { Upstream } from './datasources/http.ts';
import { MerchantCardServiceClient } from './datasources/merchant-card-service.ts';
import { PartnerManagementClient } from './datasources/partner-management.ts';
import type { CallContext, ResponseCheck } from './datasources/rest-client.ts';
import type { ReportIndexes } from './datasources/report-index.ts';
import { createLoaders } from './loaders/index.ts';
import type { ReferenceCache } from './loaders/reference-cache.ts';
import { OperationBudget, type RequestCalls, type SignalledRequest } from './operation-budget.ts';
import { clientRequestId, newRequestId, settledRequestId } from './request-id.ts';
import { createAccessVerdicts, type AccessVerdicts } from './schema/access-verdicts.ts';
import type { SchemaContext } from './schema/context.ts';
import type { EventService } from './webhooks/event-service.ts';

// Where they were defined before `src/auth/` existed; importers may move to `./auth/principal.ts`.
export { principalFor, type Principal };

/** The context as the schema's resolvers see it, and what only the plugins use (the call budget, revocations). */
export interface GatewayContext extends SchemaContext {
  /** Upstream calls made by this operation, its call cap and deadline (armed when a query or mutation executes). */
  budget: OperationBudget;
  /** The credentials this operation disabled or revoked (`CallContext.credentialRevoked`): the response cache drops the caller's answers. */
  revokedCredentials: Set<string>;
}

/**
 * Every field the factory makes, which a subscription event's context takes from a fresh context
 * (`src/subscription-context.ts`). The check below fails to compile when a field is left out.
 */
export const CONTEXT_FIELDS = [
  'requestId', 'principal', 'caller', 'pm', 'mcs', 'loaders', 'budget', 'writtenAccounts', 'revokedCredentials', 'refreshLoaders', 'events', 'accessVerdicts',
] as const satisfies readonly (keyof GatewayContext)[];
type UnlistedField = Exclude<keyof GatewayContext, (typeof CONTEXT_FIELDS)[number]>;
export const contextFieldsComplete: [UnlistedField] extends [never] ? true : UnlistedField = true;

export interface ContextDependencies {
  upstreams: { pm: Upstream; mcs: Upstream };
  checkResponse: ResponseCheck;
  referenceCache: ReferenceCache;
  /** Where settlement reports' rows start, per principal and report (`src/datasources/report-index.ts`). */
  reportIndexes?: ReportIndexes;
  integratorName: string;
  /** The replica's live-event machinery (`src/webhooks/event-service.ts`). */
  events?: EventService;
  /** Subscriptions' access verdicts, per principal (default: made with the factory, 30 s each). */
  accessVerdicts?: AccessVerdicts;
}

/** The context as a Yoga plugin sees it: ours once built, and none of our fields on a refused request. */
export type YogaContext = Partial<GatewayContext> & { request?: Request; params?: { operationName?: string | null } };

/** `x-client-name: ops-dashboard` → `OPS_DASHBOARD` (Klarna's originator name rules). */
function originatorName(header: string | null): string | undefined {
  const name = header?.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 50);
  return name || undefined;
}

/** No authentication passed on: no Klarna credentials and no permissions (never more than that by mistake). */
const NO_AUTHENTICATION: Authentication = { principal: principalFor(undefined), caller: NOBODY };

/**
 * Makes the context of one request from its headers (HTTP, or a WebSocket's connection params) and
 * who the caller was authenticated as. `request`: the request the operation belongs to (its signal,
 * read when an upstream call needs it, cancels the operation's calls); unset: nothing cancels them.
 * `requestCalls`: what the operations of one HTTP request share (a batch: one call allowance, one
 * refusal of its credentials); unset: the operation's own.
 */
export function createContextFactory(deps: ContextDependencies) {
  const accessVerdicts = deps.accessVerdicts ?? createAccessVerdicts();
  return function createContext(headers: Headers, request?: SignalledRequest, auth: Authentication = NO_AUTHENTICATION, requestCalls?: RequestCalls): GatewayContext {
    const requestId = (request && settledRequestId(request)) ?? clientRequestId(headers) ?? newRequestId();
    const { principal, caller } = auth;
    const budget = new OperationBudget(request, requestCalls);
    const writtenAccounts = new Set<string>();
    const revokedCredentials = new Set<string>();
    // Revocation: what outlives the request for this principal is dropped when Klarna refuses its
    // credentials or it disables a key (the response cache drops its answers once the operation is done).
    const forgetPrincipal = () => {
      deps.referenceCache.drop(principal.hash);
      deps.reportIndexes?.dropPrincipal(principal.hash);
      accessVerdicts.dropPrincipal(principal.hash);
    };
    budget.onCredentialsRefused = forgetPrincipal;
    const call: CallContext = {
      correlationId: requestId,
      integratorName: deps.integratorName,
      ...(principal.authorization ? { authorization: principal.authorization } : {}),
      ...(originatorName(headers.get('x-client-name')) ? { originator: originatorName(headers.get('x-client-name'))! } : {}),
      budget,
      writtenAccounts,
      credentialRevoked(credentialId) {
        revokedCredentials.add(credentialId);
        forgetPrincipal();
      },
    };
    const pm = new PartnerManagementClient(deps.upstreams.pm, call, deps.checkResponse);
    const mcs = new MerchantCardServiceClient(deps.upstreams.mcs, call, deps.checkResponse);
    // Work that outlives the request (a report's background indexing): the same credentials and
    // correlation id, no budget, aborted by its own signal only.
    const backgroundPm = (background: AbortSignal) => {
      const { budget: _budget, ...detached } = call;
      return new PartnerManagementClient(deps.upstreams.pm, { ...detached, signal: background }, deps.checkResponse);
    };
    const freshLoaders = () =>
      createLoaders({
        pm,
        mcs,
        referenceCache: deps.referenceCache,
        principalHash: principal.hash,
        ...(deps.reportIndexes ? { reportIndexes: deps.reportIndexes, backgroundPm } : {}),
      });
    const context: GatewayContext = {
      requestId,
      principal,
      caller,
      pm,
      mcs,
      loaders: freshLoaders(),
      budget,
      writtenAccounts,
      revokedCredentials,
      events: deps.events,
      accessVerdicts,
      // On the object it is called on: Yoga copies these fields onto its own context object.
      refreshLoaders(this: { loaders: GatewayContext['loaders'] }) {
        this.loaders = freshLoaders();
      },
    };
    return context;
  };
}
