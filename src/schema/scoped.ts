/**
 * Klarna addresses an account's sub-resources under the account (`/v2/accounts/{id}/brands/{brandId}`),
 * so their backing shapes carry the account id, and their Relay ids hold both parts.
 */
import { BadUserInputError } from '../errors.ts';

export type Scoped<T> = T & { accountId: string };

export const scope = <T extends object>(accountId: string, item: T): Scoped<T> => ({ ...item, accountId });

export const scopeAll = <T extends object>(accountId: string, items: readonly T[] | undefined): Scoped<T>[] =>
  (items ?? []).map((item) => scope(accountId, item));

/** The local part of a sub-resource's global id: `<account id> <item id>` (Klarna ids hold no spaces). */
export const scopedKey = (accountId: string, id: string) => `${accountId} ${id}`;

/** The parts of a local key made with `scopedKey` (or with more parts, for deeper resources). */
export function keyParts(key: string, count: number): string[] {
  const parts = key.split(' ');
  if (parts.length !== count || parts.some((part) => !part)) {
    throw new BadUserInputError('This id does not name an object of this gateway.', [{ path: 'id', message: 'is not a valid id' }]);
  }
  return parts;
}

export function parseScopedKey(key: string): { accountId: string; id: string } {
  const [accountId = '', id = ''] = keyParts(key, 2);
  return { accountId, id };
}
