/**
 * How an account is read: one `GET /v2/accounts/{id}` whose `expand` covers every sub-resource the
 * operation selects under it, with the lists Klarna does not embed (compliance decisions, the flat
 * store list) started in the same tick, so they travel together. Bad input is refused first.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { AccountExpansion, PartnerAccount } from '../datasources/partner-management.ts';
import { BadUserInputError } from '../errors.ts';
import { pageRequestFrom, type ConnectionArguments } from './connections.ts';
import { connectionNodes, lookahead, type SelectedField } from './lookahead.ts';

const KRN = /^krn:[a-z0-9-]+(:[A-Za-z0-9._-]+){2,}$/;

/** Refuses what cannot be a Klarna identifier before any call is made. */
export function assertKrn(id: string, path: string): void {
  if (!KRN.test(id) || id.length > 255) {
    throw new BadUserInputError(`\`${path}\` is not a Klarna identifier (KRN), e.g. krn:partner:global:account:live:LWT2XJSE.`, [
      { path, message: 'is not a Klarna identifier (KRN)' },
    ]);
  }
}

/** The expansions that answer every sub-resource selected under an account. */
export function expansionsFor(selected: Map<string, SelectedField>): AccountExpansion[] {
  const expand: AccountExpansion[] = [];
  if (selected.has('businessEntities')) expand.push('partner_busines_entities');
  if (selected.has('brands')) expand.push('brands');
  if (selected.has('paymentProducts')) expand.push('products');
  if (selected.has('storeGroups')) {
    expand.push('store_groups');
    if (connectionNodes(selected.get('storeGroups')).has('stores')) expand.push('store_groups.stores');
  }
  return expand;
}

/** Starts the list calls an account's selection will need, so they go out with the account itself. */
function prefetchLists(context: GatewayContext, accountId: string, selected: Map<string, SelectedField>): void {
  const start = (field: string, load: (args: ConnectionArguments) => Promise<unknown>) => {
    for (const args of selected.get(field)?.args ?? []) {
      try {
        load(args as ConnectionArguments).catch(() => undefined); // the field's own resolver reports it
      } catch {
        // Invalid arguments: the field's resolver refuses them with a proper error.
      }
    }
  };
  start('complianceDecisions', (args) => context.loaders.complianceDecisionPage.load({ accountId, page: pageRequestFrom(args) }));
  start('stores', (args) => context.loaders.storePage.load({ accountId, page: pageRequestFrom(args) }));
}

const ACCOUNT_CONNECTIONS = ['businessEntities', 'brands', 'storeGroups', 'stores', 'complianceDecisions'];

/** Refuses bad paging anywhere under an account before the account is read (no call for bad input). */
function assertPagingArguments(selected: Map<string, SelectedField>): void {
  for (const field of ACCOUNT_CONNECTIONS) {
    for (const args of selected.get(field)?.args ?? []) pageRequestFrom(args as ConnectionArguments);
  }
  for (const args of connectionNodes(selected.get('storeGroups')).get('stores')?.args ?? []) pageRequestFrom(args as ConnectionArguments);
}

export function loadAccount(context: GatewayContext, id: string, info: GraphQLResolveInfo): Promise<PartnerAccount> {
  const selected = lookahead(info);
  assertPagingArguments(selected);
  const account = context.loaders.account.load(id, expansionsFor(selected));
  prefetchLists(context, id, selected);
  return account;
}

