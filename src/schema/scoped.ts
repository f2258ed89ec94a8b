/**
 * Klarna addresses an account's sub-resources under the account (`/v2/accounts/{id}/brands/{brandId}`),
 * so their backing shapes carry the account id, and their Relay ids hold both parts.
 */
export type Scoped<T> = T & { accountId: string };

/**
 * `item` marked with its account, in place: an item is an object parsed from Klarna's answer for this
 * principal, held by its loaders, and always under the one account it was read from; so it is not copied
 * (a copy of every store, brand and product of a page, for one more key, was a per-item cost).
 */
export const scope = <T extends object>(accountId: string, item: T): Scoped<T> => {
  (item as Scoped<T>).accountId = accountId;
  return item as Scoped<T>;
};

export const scopeAll = <T extends object>(accountId: string, items: readonly T[] | undefined): Scoped<T>[] =>
  (items ?? []).map((item) => scope(accountId, item));

/**
 * The local part of a sub-resource's global id: `<account id> <item id>` (Klarna ids hold no spaces);
 * `global-ids.ts` reads it back, checking each part.
 */
export const scopedKey = (accountId: string, id: string) => `${accountId} ${id}`;
