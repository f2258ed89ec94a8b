/**
 * The one set of rules for identifiers a caller gives, checked before anything is sent: every value
 * that becomes a path segment or a header of a Klarna call (root arguments, mutation inputs, the parts
 * of a global id) is one of these shapes, at most `MAX_ID_LENGTH` characters:
 * - a Klarna identifier (KRN) for everything of the Partner Management API, as its contract names
 *   them (`krn:partner:global:account:live:LWT2XJSE`): `krn:`, a namespace, then two or more parts of
 *   letters, digits, `.`, `_` and `-`, each starting with a letter or digit;
 * - a credential KRN, by the contract's own pattern;
 * - a payment product KRN or the literal `default` (the contract's `PaymentProductIdOrDefault`);
 * - an opaque token for the Merchant Card Service's order, promise, settlement and key ids (the contract
 *   says only "a string"; its examples are UUIDs): letters, digits, `.`, `_`, `:` and `-`, starting
 *   with a letter or digit.
 * None of these shapes admits an empty value, `.`, `..`, `/`, `\`, `%`, spaces or control characters,
 * so none can leave its path segment; the REST client's `pathOf` refuses those again as a last guard.
 */
import { z } from 'zod';
import { BadUserInputError } from '../errors.ts';

export const MAX_ID_LENGTH = 255;

const KRN = /^krn:[a-z0-9-]+(:[A-Za-z0-9][A-Za-z0-9._-]*){2,}$/;
const CREDENTIAL_KRN = /^krn:partner:global:(test|live|dev):credential:(api|client|client_cert):[A-Za-z0-9-]+$/;
const OPAQUE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** One kind of identifier: what it is called, the shape it must have, and an example to copy. */
export interface IdRule {
  /** `account id`, as in "`id` is not a valid account id". */
  name: string;
  /** The shape, as in "it must be a Klarna identifier (KRN)". */
  shape: string;
  example: string;
  test(value: string): boolean;
}

const KRN_SHAPE = 'a Klarna identifier (KRN)';
const OPAQUE_SHAPE = 'letters, digits, ".", "_", ":" and "-", starting with a letter or digit';

const within = (pattern: RegExp) => (value: string) => value.length <= MAX_ID_LENGTH && pattern.test(value);
const krnOf = (name: string, example: string): IdRule => ({ name, shape: KRN_SHAPE, example, test: within(KRN) });
const opaqueOf = (name: string, example: string): IdRule => ({ name, shape: OPAQUE_SHAPE, example, test: within(OPAQUE) });

export const ID_RULES = {
  /** Any Klarna identifier, where no kind is more specific (cursors' items, payment programs). */
  klarnaId: krnOf('Klarna identifier', 'krn:partner:global:account:live:LWT2XJSE'),
  account: krnOf('account id', 'krn:partner:global:account:live:LWT2XJSE'),
  businessEntity: krnOf('business entity id', 'krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58'),
  brand: krnOf('brand id', 'krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613'),
  store: krnOf('store id', 'krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613'),
  storeGroup: krnOf('store group id', 'krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613'),
  paymentProduct: {
    name: 'payment product id',
    shape: `${KRN_SHAPE} or \`default\``,
    example: 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918',
    test: (value: string) => value === 'default' || within(KRN)(value),
  },
  paymentAccount: krnOf('payment account id', 'krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b'),
  complianceDecision: krnOf('compliance decision id', 'krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291'),
  settlement: krnOf('settlement id', 'krn:partner:eu1:settlement:live:113574395'),
  pricePlan: krnOf('price plan id', 'krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf'),
  credential: {
    name: 'credential id',
    shape: 'a Klarna credential id',
    example: 'krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5',
    test: within(CREDENTIAL_KRN),
  },
  cardOrder: opaqueOf('order id', 'f3392f8b-6116-4073-ab96-e330819e2c07'),
  cardPromise: opaqueOf('card promise id', 'ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c'),
  cardSettlement: opaqueOf('card settlement id', 'b0ec0bbd-534c-4b1c-b28a-628bf33c3324'),
  cardKey: opaqueOf('enrolled key id', '16e4b85e-899b-4427-a39f-07a496e9515b'),
} as const satisfies Record<string, IdRule>;

/** The problem with `value` as an id of `rule`'s kind at `path`, as BAD_USER_INPUT. */
export function invalidId(rule: IdRule, path: string): BadUserInputError {
  return new BadUserInputError(
    `\`${path}\` is not a valid ${rule.name}: it must be ${rule.shape}, at most ${MAX_ID_LENGTH} characters, e.g. ${rule.example}.`,
    [{ path, message: `is not a valid ${rule.name}` }],
  );
}

/** Refuses, before any call, a value that is not an id of `rule`'s kind. */
export function assertId(rule: IdRule, value: string, path: string): void {
  if (!rule.test(value)) throw invalidId(rule, path);
}

/** The same rule for a mutation input checked with zod (`parseInput` names the input path). */
export const zodId = (rule: IdRule) => z.string().refine((value) => rule.test(value), `must be ${rule.shape} of at most ${MAX_ID_LENGTH} characters`);
