/**
 * How an account is read: one `GET /v2/accounts/{id}` whose `expand` covers every sub-resource the
 * operation selects under it, with the lists Klarna does not embed (compliance decisions, the flat
 * store list) started in the same tick, so they travel together. Only what execution will resolve
 * counts: a sub-resource under `@skip(if: true)` is neither expanded nor fetched.
 *
 * Bad paging under an account (`stores(first: 500)`) is the connection's own error: the plan leaves
 * that occurrence out (no expansion, no page for it), the account is read for the rest, and the
 * connection field, nullable, answers BAD_USER_INPUT at its own path (its resolver parses the window
 * before it reads anything), as a failing sub-resource does. It never nulls the account.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SchemaContext } from './context.ts';
import { ACCOUNT_EXPANSIONS, type AccountExpansion, type PageRequest, type PartnerAccount } from '../datasources/partner-management.ts';
import { pageRequestFrom } from './connections.ts';
import { connectionNodes, lookahead, type SelectedField } from './plan/lookahead.ts';
import { prime } from './plan/prime.ts';
import { SelectionPlans } from './plan/selection-plans.ts';
import { plansOfValidWindows } from './plan/window.ts';

/** The most accounts `accounts(ids:)` (and a subscription's `accountIds`) takes. */
export const MAX_ACCOUNTS_PER_QUERY = 100;

/** `Account` fields answered from the account itself when it is read with the expansion named. */
const EXPANSION_BY_FIELD = {
  businessEntities: ACCOUNT_EXPANSIONS.businessEntities,
  brands: ACCOUNT_EXPANSIONS.brands,
  paymentProducts: ACCOUNT_EXPANSIONS.products,
  storeGroups: ACCOUNT_EXPANSIONS.storeGroups,
} as const satisfies Record<string, AccountExpansion>;

/** The connections of an account answered from its expansions (they need a valid window to be expanded). */
const EXPANDED_CONNECTIONS = new Set(['businessEntities', 'brands', 'storeGroups']);

/** Klarna's page requests of the occurrences of a connection whose window is valid. */
const validPages = (field: SelectedField | undefined): PageRequest[] => plansOfValidWindows(field, pageRequestFrom);

/** The expansions that answer every sub-resource selected under an account (with a valid window, for a connection). */
export function expansionsFor(selected: Map<string, SelectedField>): AccountExpansion[] {
  const answered = (field: string) => selected.has(field) && (!EXPANDED_CONNECTIONS.has(field) || validPages(selected.get(field)).length > 0);
  const expand: AccountExpansion[] = [];
  for (const [field, expansion] of Object.entries(EXPANSION_BY_FIELD)) if (answered(field)) expand.push(expansion);
  // `storeGroups { edges { node { stores } } }`: the groups' stores come inside the groups.
  if (answered('storeGroups') && validPages(connectionNodes(selected.get('storeGroups')).get('stores')).length) {
    expand.push(ACCOUNT_EXPANSIONS.storeGroupsWithStores);
  }
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

/**
 * The calls reading an account for `selected` starts together; a connection with bad paging adds none
 * (it refuses itself). `loadAccount` makes them; the call planner counts them.
 */
export function planAccountRead(selected: Map<string, SelectedField>): AccountReadPlan {
  return {
    expand: expansionsFor(selected),
    decisionPages: validPages(selected.get('complianceDecisions')),
    storePages: validPages(selected.get('stores')),
  };
}

/** Account read plans: once per document and field, or once per request and field when the selection reads variables. */
const READ_PLANS = new SelectionPlans((info) => planAccountRead(lookahead(info)));

export function loadAccount(context: SchemaContext, id: string, info: GraphQLResolveInfo): Promise<PartnerAccount> {
  const plan = READ_PLANS.of(info, context);
  const account = context.loaders.account.load(id, plan.expand);
  // The lists Klarna does not embed go out in the same tick as the account.
  for (const page of plan.decisionPages) prime(() => context.loaders.complianceDecisionPage.load({ accountId: id, page }));
  for (const page of plan.storePages) prime(() => context.loaders.storePage.load({ accountId: id, page }));
  return account;
}
