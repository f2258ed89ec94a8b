/**
 * Partner accounts: `getAccount` (with `expand`) and `updateAccount`.
 *
 * An account is always returned with its own fields and its payment products (Klarna's sample shows
 * `products` without any `expand`); business entities, brands and store groups only when expanded.
 * `store_groups.stores` expands the groups with their stores inline; `store_groups` alone lists the
 * groups without them.
 */
import { conflict } from '../errors.ts';
import { json, type HandlerContext, type HandlerMap } from '../handler.ts';
import type { AccountRecord, Pm } from '../state.ts';
import { beginAccountSetup } from './account-lifecycle.ts';
import { storeGroupView } from './account-views.ts';
import { ownedAccount } from './common.ts';

/** Klarna's reference spells the entities expansion with one "s"; the correct spelling is accepted too. */
const ENTITY_EXPANSIONS = new Set(['partner_busines_entities', 'partner_business_entities']);

function expansionsOf(context: HandlerContext): Set<string> {
  const raw = context.request.query.expand;
  return new Set(Array.isArray(raw) ? raw.map(String) : []);
}

/** The account's REST shape with the collections `expand` asks for. */
export function accountView(record: AccountRecord, expand: ReadonlySet<string> = new Set()): Pm['PartnerAccount'] {
  const view: Record<string, unknown> = { ...record.account, products: [...record.products.values()] };
  if ([...expand].some((value) => ENTITY_EXPANSIONS.has(value))) {
    view.partner_business_entities = [...record.entities.values()];
  }
  if (expand.has('brands')) view.brands = [...record.brands.values()];
  const withStores = expand.has('store_groups.stores');
  if (withStores || expand.has('store_groups')) {
    view.store_groups = [...record.storeGroups.values()].map((group) => storeGroupView(record, group, withStores));
  }
  return view as Pm['PartnerAccount'];
}

/** The short form onboarding, migration and updates answer with. */
export function accountSummary(record: AccountRecord, withContact = false): Record<string, unknown> {
  const { partner_account_id, partner_account_reference, partner_account_name, partner_account_contact, state, state_reason } =
    record.account;
  return {
    partner_account_id,
    partner_account_reference,
    partner_account_name,
    ...(withContact && partner_account_contact ? { partner_account_contact } : {}),
    state,
    state_reason,
  };
}

/** Another of the caller's accounts already using `reference`, if any. */
export function accountByReference(context: HandlerContext, reference: string): AccountRecord | undefined {
  for (const record of context.state.accounts.values()) {
    if (record.ownerId === context.principal.id && record.account.partner_account_reference === reference) return record;
  }
  return undefined;
}

export const accountHandlers: HandlerMap = {
  getAccount: (context) => json(200, accountView(ownedAccount(context), expansionsOf(context))),

  /**
   * A partial update. Top-level fields apply at once; a nested `partner_account_contact` is applied
   * asynchronously at Klarna, so the account is PARTIALLY_OPERATIONAL / ACCOUNT_UPDATE until the
   * sandbox's onboarding delay has passed.
   */
  updateAccount: (context) => {
    const record = ownedAccount(context);
    const body = (context.request.body ?? {}) as Pm['AccountUpdateRequest'];
    const reference = body.partner_account_reference;
    if (reference !== undefined && reference !== record.account.partner_account_reference) {
      const other = accountByReference(context, reference);
      if (other && other !== record) throw conflict(`Another partner account already uses the reference ${reference}.`);
      record.account.partner_account_reference = reference;
    }
    if (body.partner_account_name !== undefined) record.account.partner_account_name = body.partner_account_name;
    if (body.partner_account_contact !== undefined) {
      record.account.partner_account_contact = body.partner_account_contact;
      // Only Klarna moves an account out of DISABLED; an update does not bring it back to OPERATIONAL.
      if (record.account.state !== 'DISABLED') beginAccountSetup(context, record, 'ACCOUNT_UPDATE');
    }
    context.applied(record.account.partner_account_id);
    return json(200, accountSummary(record, true));
  },
};
