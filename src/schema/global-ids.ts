/**
 * Global ids, as `node(id:)` and `nodes(ids:)` take them. An object's key is the Klarna ids that
 * address it, joined by single spaces (`<account> <brand>`, see `scoped.ts`), in the order `NODE_KEYS`
 * lists, each checked by its rule from `ids.ts` before anything is read. Two forms:
 * - compact (what this API hands out now, `compact-ids.ts`): a type byte and each id packed (a KRN's
 *   UUID in 16 bytes), base64url: 11 characters for an account, 24 for an id of one UUID-based KRN,
 *   34 for a brand or store of an account of Klarna's 8-character form;
 * - the old form, `base64("<Type>:<key>")` as Pothos's relay plugin encodes it (what this API handed
 *   out before, 64–284 characters): still read, so ids clients kept go on working. It is also what a
 *   key that does not fit the compact form (a part over 255 bytes) gets.
 *
 * Contract: a value that is not a global id this API could have made (not canonical in its form,
 * over `MAX_GLOBAL_ID_LENGTH`, no `Type:key`), or a known type's key with a wrong number of parts or a
 * part of the wrong shape, is BAD_USER_INPUT naming the argument; a well-formed global id of a type
 * `node` cannot read (an unknown type in the old form) is NOT_FOUND.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { BadUserInputError, NotFoundError } from '../errors.ts';
import { decodeCompact, encodeCompact, isCompactForm } from './compact-ids.ts';
import { ID_RULES, MAX_ID_LENGTH, type IdRule } from './ids.ts';

/** Each node type's key: the ids it is made of, in order. A type missing here cannot be read by `node`. */
export const NODE_KEYS = {
  Account: [ID_RULES.account],
  BusinessEntity: [ID_RULES.account, ID_RULES.businessEntity],
  Brand: [ID_RULES.account, ID_RULES.brand],
  Store: [ID_RULES.account, ID_RULES.store],
  StoreGroup: [ID_RULES.account, ID_RULES.storeGroup],
  ComplianceDecision: [ID_RULES.account, ID_RULES.complianceDecision],
  PaymentProduct: [ID_RULES.account, ID_RULES.paymentProduct],
  PaymentAccount: [ID_RULES.account, ID_RULES.paymentProduct, ID_RULES.paymentAccount],
  Settlement: [ID_RULES.settlement],
  Credential: [ID_RULES.credential],
  CardPromise: [ID_RULES.cardPromise],
  CardSettlement: [ID_RULES.cardSettlement, ID_RULES.cardKey],
  CardOrder: [ID_RULES.cardOrder],
} as const satisfies Record<string, readonly IdRule[]>;

export type NodeType = keyof typeof NODE_KEYS;

/** The longest global id this API makes: a type name (at most 32 characters) and three ids, in base64. */
export const MAX_GLOBAL_ID_LENGTH = 4 * Math.ceil((32 + 1 + 3 * MAX_ID_LENGTH + 2) / 3);

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TYPE_NAME = /^[A-Z_a-z]\w{0,31}$/;
const AS_RETURNED = 'Pass an `id` exactly as this API returned it.';

const notAGlobalId = (path: string) =>
  new BadUserInputError(`\`${path}\` is not a global id of this API. ${AS_RETURNED}`, [{ path, message: 'is not a global id of this API' }]);

/** The global id this API hands out for an object of `typename` with `key` (the relay plugin's `encodeGlobalID`). */
export function encodeGlobalId(typename: string, key: string): string {
  return encodeCompact(typename, key.split(' ')) ?? encodeGlobalID(typename, key);
}

/**
 * The type name and key of a global id, or BAD_USER_INPUT naming `path`. Strict: only what encoding
 * would give back is one (the canonical compact form, or the canonical base64 of `<Type>:<key>`), so
 * junk never reaches a loader.
 */
export function decodeGlobalId(globalId: string, path = 'id'): { typename: string; id: string } {
  if (globalId.length > MAX_GLOBAL_ID_LENGTH) throw notAGlobalId(path);
  if (isCompactForm(globalId)) {
    const compact = decodeCompact(globalId, (typename) => (isNodeType(typename) ? NODE_KEYS[typename].length : undefined));
    if (!compact) throw notAGlobalId(path);
    return { typename: compact.typename, id: compact.parts.join(' ') };
  }
  if (globalId.length % 4 !== 0 || !BASE64.test(globalId)) throw notAGlobalId(path);
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator < 1 || !TYPE_NAME.test(typename) || !id || encodeGlobalID(typename, id) !== globalId) throw notAGlobalId(path);
  return { typename, id };
}

export const isNodeType = (typename: string): typename is NodeType => Object.hasOwn(NODE_KEYS, typename);

/** The ids a node type's key is made of, each checked by its rule; BAD_USER_INPUT naming `path` otherwise. */
export function nodeKeyParts(typename: NodeType, key: string, path = 'id'): string[] {
  const rules: readonly IdRule[] = NODE_KEYS[typename];
  const parts = key.split(' ');
  const problem = (reason: string) =>
    new BadUserInputError(`\`${path}\` is not a valid ${typename} id: ${reason}. ${AS_RETURNED}`, [{ path, message: `is not a valid ${typename} id` }]);
  if (parts.length !== rules.length) throw problem(`its key must be ${rules.length === 1 ? 'one id' : `${rules.length} ids separated by a space`}`);
  parts.forEach((part, index) => {
    const rule = rules[index]!;
    if (!rule.test(part)) throw problem(`its ${rule.name} must be ${rule.shape}, at most ${MAX_ID_LENGTH} characters`);
  });
  return parts;
}

/** NOT_FOUND for a well-formed global id that names nothing `node` can read. */
export function unreadableNode(path: string): NotFoundError {
  const error = new NotFoundError();
  error.message = `\`${path}\` names no object that \`node\` can read (its type has no global id). ${AS_RETURNED}`;
  return error;
}

/**
 * A global id `node`/`nodes` may read, checked whole before anything is read: BAD_USER_INPUT (thrown)
 * when it is malformed, a NOT_FOUND error (returned, so `nodes` can answer null for it alone) when its
 * type cannot be read by id.
 */
export function readableNodeId(globalId: string, path: string): { typename: NodeType; id: string } | NotFoundError {
  const { typename, id } = decodeGlobalId(globalId, path);
  if (!isNodeType(typename)) return unreadableNode(path);
  nodeKeyParts(typename, id, path);
  return { typename, id };
}

/**
 * The objects global ids name, for the access rules (which account each belongs to); an id that is not
 * a global id of this API is left out, since `node`/`nodes` refuse it before anything is read.
 */
export function nodeIdsForAccess(globalIds: readonly unknown[]): { typename: string; id: string }[] {
  return globalIds.flatMap((globalId) => {
    try {
      return [decodeGlobalId(String(globalId))];
    } catch {
      return [];
    }
  });
}
