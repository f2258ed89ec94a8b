/**
 * Store groups: list, read (with their stores inline) and update.
 *
 * An update replaces the group's stores, matched by `store_reference`: a store whose reference is still
 * listed keeps its id and takes the new data, a new reference becomes a new store, and a store left out
 * is detached and, since a store exists only inside its group in r6, removed from the account.
 */
import type { Violation } from '../../contracts/contract.ts';
import { conflict, validationError } from '../errors.ts';
import { json, type HandlerMap } from '../handler.ts';
import { paginate } from '../paging.ts';
import type { AccountRecord, Pm } from '../state.ts';
import { storeGroupView } from './account-views.ts';
import { storeRecord } from './account-builder.ts';
import { itemOf, newKrn, ownedAccount, pathParam } from './common.ts';
import { storeTypeViolation } from './store-rules.ts';
import { storeByReference } from './stores.ts';

function replaceStores(record: AccountRecord, groupId: string, stores: Pm['StoreData'][]): void {
  const previous = new Map<string, string>();
  for (const id of record.storeIdsByGroup.get(groupId) ?? []) {
    const store = record.stores.get(id);
    if (store) previous.set(store.store_reference, id);
  }
  const ids = stores.map((data) => {
    const id = previous.get(data.store_reference) ?? newKrn('account:stores');
    previous.delete(data.store_reference);
    record.stores.set(id, storeRecord(data, id, groupId));
    return id;
  });
  for (const detached of previous.values()) record.stores.delete(detached);
  record.storeIdsByGroup.set(groupId, ids);
}

export const storeGroupHandlers: HandlerMap = {
  listStoreGroups: (context) => {
    const record = ownedAccount(context);
    const page = paginate([...record.storeGroups.values()], context.request.query, (group) => group.store_group_id, context.path);
    return json(200, { store_groups: page.items.map((group) => storeGroupView(record, group)), pagination: page.pagination });
  },

  getStoreGroup: (context) => {
    const record = ownedAccount(context);
    const group = itemOf(record.storeGroups, pathParam(context, 'store_group_id'), 'Store group');
    return json(200, storeGroupView(record, group));
  },

  updateStoreGroup: (context) => {
    const record = ownedAccount(context);
    const id = pathParam(context, 'store_group_id');
    const group = itemOf(record.storeGroups, id, 'Store group');
    const body = context.request.body as Pm['StoreGroupUpdateRequest'];

    const violations: Violation[] = [];
    body.stores.forEach((store, index) => {
      const violation = storeTypeViolation(context.behaviour, store.type, `body.stores.${index}.type`);
      if (violation) violations.push(violation);
    });
    if (violations.length) throw validationError(violations);

    for (const other of record.storeGroups.values()) {
      if (other.store_group_id !== id && other.store_group_reference === body.store_group_reference) {
        throw conflict(`Another store group of this account already uses the reference ${body.store_group_reference}.`);
      }
    }
    const ownIds = new Set(record.storeIdsByGroup.get(id) ?? []);
    const seen = new Set<string>();
    for (const store of body.stores) {
      const holder = storeByReference(record, store.store_reference);
      if (seen.has(store.store_reference) || (holder && !ownIds.has(holder.store_id))) {
        throw conflict(`Another store of this account already uses the reference ${store.store_reference}.`);
      }
      seen.add(store.store_reference);
    }

    group.store_group_reference = body.store_group_reference;
    if (body.support_contact !== undefined) group.support_contact = body.support_contact;
    if (body.social_media_links !== undefined) group.social_media_links = body.social_media_links;
    replaceStores(record, id, body.stores);
    context.applied(id);
    return json(200, storeGroupView(record, group));
  },
};
