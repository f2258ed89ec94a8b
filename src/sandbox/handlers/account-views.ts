/**
 * How an account's records are shown: store groups carry their stores inline (the REST shape), while
 * the state keeps membership apart (`storeIdsByGroup`) so a store is one record however it is reached.
 */
import type { AccountRecord, Pm } from '../state.ts';

/** The stores of a group, in the order they were attached. */
export function storesOfGroup(record: AccountRecord, groupId: string): Pm['Store'][] {
  const ids = record.storeIdsByGroup.get(groupId) ?? [];
  return ids.flatMap((id) => {
    const store = record.stores.get(id);
    return store ? [store] : [];
  });
}

/** A store group as the API returns it; `withStores: false` leaves the (possibly long) list out. */
export function storeGroupView(record: AccountRecord, group: Pm['StoreGroup'], withStores = true): Pm['StoreGroup'] {
  return withStores ? { ...group, stores: storesOfGroup(record, group.store_group_id) } : { ...group };
}

/** The group a store belongs to, if any. */
export function groupIdOfStore(record: AccountRecord, storeId: string): string | undefined {
  for (const [groupId, ids] of record.storeIdsByGroup) if (ids.includes(storeId)) return groupId;
  return undefined;
}
