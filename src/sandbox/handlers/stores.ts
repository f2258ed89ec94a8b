/**
 * Stores: list (all of an account's stores, across its store groups), read and update. An update's
 * store type is checked by `storeTypeViolation` (r6 takes only websites; see `store-rules.ts`).
 */
import { conflict, validationError } from '../errors.ts';
import { json, type HandlerMap } from '../handler.ts';
import { paginate } from '../paging.ts';
import type { AccountRecord, Pm } from '../state.ts';
import { storeRecord } from './account-builder.ts';
import { groupIdOfStore } from './account-views.ts';
import { itemOf, ownedAccount, pathParam } from './common.ts';
import { storeTypeViolation } from './store-rules.ts';

/** The account's store using `reference`, other than `except`. Store references are unique per account. */
export function storeByReference(record: AccountRecord, reference: string, except?: string): Pm['Store'] | undefined {
  for (const store of record.stores.values()) {
    if (store.store_reference === reference && store.store_id !== except) return store;
  }
  return undefined;
}

export const storeHandlers: HandlerMap = {
  listStores: (context) => {
    const record = ownedAccount(context);
    const page = paginate([...record.stores.values()], context.request.query, (store) => store.store_id, context.path);
    return json(200, { stores: page.items, pagination: page.pagination });
  },

  getStore: (context) => {
    const record = ownedAccount(context);
    return json(200, itemOf(record.stores, pathParam(context, 'store_id'), 'Store'));
  },

  /** Replaces the store's `type`, `store_reference` and `url`; it stays in its store group. */
  updateStore: (context) => {
    const record = ownedAccount(context);
    const id = pathParam(context, 'store_id');
    const store = itemOf(record.stores, id, 'Store');
    const body = context.request.body as Pm['StoreData'];
    const violation = storeTypeViolation(context.behaviour, body.type, 'body.type');
    if (violation) throw validationError([violation]);
    if (storeByReference(record, body.store_reference, id)) {
      throw conflict(`Another store of this account already uses the reference ${body.store_reference}.`);
    }
    const replaced = storeRecord(body, id, store.store_group_id ?? groupIdOfStore(record, id));
    record.stores.set(id, replaced);
    context.applied(id);
    return json(200, replaced);
  },
};
