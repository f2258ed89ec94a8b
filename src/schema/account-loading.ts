/**
 * How an account is read: one `GET /v2/accounts/{id}` whose `expand` covers every sub-resource the
 * operation selects under it, with the lists Klarna does not embed (compliance decisions, the flat
 * store list) started in the same tick, so they travel together. Bad input is refused first. Only what
 * execution will resolve counts: a sub-resource under `@skip(if: true)` is neither expanded nor fetched.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SchemaContext } from './context.ts';
import { ACCOUNT_EXPANSIONS, type AccountExpansion, type PageRequest, type PartnerAccount } from '../datasources/partner-management.ts';
import { pageRequestFrom } from './connections.ts';
import { connectionNodes, lookahead, type SelectedField } from './plan/lookahead.ts';
import { prime } from './plan/prime.ts';
import { windowArguments } from './plan/window.ts';

/** The most accounts `accounts(ids:)` (and a subscription's `accountIds`) takes. */
export const MAX_ACCOUNTS_PER_QUERY = 100;

/** `Account` fields answered from the account itself when it is read with the expansion named. */
const EXPANSION_BY_FIELD = {
  businessEntities: ACCOUNT_EXPANSIONS.businessEntities,
  brands: ACCOUNT_EXPANSIONS.brands,
  paymentProducts: ACCOUNT_EXPANSIONS.products,
  storeGroups: ACCOUNT_EXPANSIONS.storeGroups,
} as const satisfies Record<string, AccountExpansion>;

/** The expansions that answer every sub-resource selected under an account. */
export function expansionsFor(selected: Map<string, SelectedField>): AccountExpansion[] {
  const expand: AccountExpansion[] = [];
  for (const [field, expansion] of Object.entries(EXPANSION_BY_FIELD)) if (selected.has(field)) expand.push(expansion);
  // `storeGroups { edges { node { stores } } }`: the groups' stores come inside the groups.
  if (connectionNodes(selected.get('storeGroups')).has('stores')) expand.push(ACCOUNT_EXPANSIONS.storeGroupsWithStores);
  return expand;
}

/** What reading an account for a selection takes: one `getAccount` with `expand`, and the list pages started with it. */
export interface AccountReadPlan {
  expand: AccountExpansion[];
  /** Compliance decision pages (Klarna does not embed them), one per `complianceDecisions` occurrence. */
  decisionPages: PageRequest[];
  /** Pages of the flat store list, one per `stores` occurrence. */
  storePages: PageRequest[];
}

const ACCOUNT_CONNECTIONS = ['businessEntities', 'brands', 'storeGroups', 'stores', 'complianceDecisions'];

/** Refuses bad paging anywhere under an account before the account is read (no call for bad input). */
function assertPagingArguments(selected: Map<string, SelectedField>): void {
  for (const field of ACCOUNT_CONNECTIONS) {
    for (const args of windowArguments(selected.get(field))) pageRequestFrom(args);
  }
  for (const args of windowArguments(connectionNodes(selected.get('storeGroups')).get('stores'))) pageRequestFrom(args);
}

/**
 * The calls reading an account for `selected` starts together, or BAD_USER_INPUT for bad paging
 * anywhere under it (then nothing is read). `loadAccount` makes them; the call planner counts them.
 */
export function planAccountRead(selected: Map<string, SelectedField>): AccountReadPlan {
  assertPagingArguments(selected);
  return {
    expand: expansionsFor(selected),
    decisionPages: windowArguments(selected.get('complianceDecisions')).map(pageRequestFrom),
    storePages: windowArguments(selected.get('stores')).map(pageRequestFrom),
  };
}

export function loadAccount(context: SchemaContext, id: string, info: GraphQLResolveInfo): Promise<PartnerAccount> {
  const plan = planAccountRead(lookahead(info));
  const account = context.loaders.account.load(id, plan.expand);
  // The lists Klarna does not embed go out in the same tick as the account.
  for (const page of plan.decisionPages) prime(() => context.loaders.complianceDecisionPage.load({ accountId: id, page }));
  for (const page of plan.storePages) prime(() => context.loaders.storePage.load({ accountId: id, page }));
  return account;
}
