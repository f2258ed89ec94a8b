/**
 * Hostile identifiers, as a path-walking, header-injecting or parser-confusing client sends them:
 * dot segments, separators raw and percent-encoded, CR/LF, NUL and other control characters, emoji and
 * lone surrogates, whitespace, look-alike letters, huge strings, and valid-looking Klarna ids and UUIDs
 * with any of those around them. Deterministic: the same list on every run.
 */
import { ID_RULES } from '../../src/schema/ids.ts';

/** Ids the sandbox has, for the positions of a call that are not under test. */
export const VALID = {
  account: 'krn:partner:global:account:live:LWT2XJSE',
  businessEntity: 'krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58',
  brand: 'krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613',
  store: 'krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613',
  storeGroup: 'krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613',
  product: 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918',
  paymentAccount: 'krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b',
  decision: 'krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291',
  settlement: 'krn:partner:eu1:settlement:live:113574395',
  pricePlan: 'krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf',
  credential: 'krn:partner:global:test:credential:api:5b1c7a0e-3f2d-4e8a-9c61-2d7f0b9e4a13',
  clientCredential: 'krn:partner:global:test:credential:client:5b1c7a0e-3f2d-4e8a-9c61-2d7f0b9e4a13',
  certificate: 'krn:partner:global:test:credential:client_cert:5b1c7a0e-3f2d-4e8a-9c61-2d7f0b9e4a13',
  order: 'f3392f8b-6116-4073-ab96-e330819e2c07',
  promise: 'ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c',
  cardSettlement: 'b0ec0bbd-534c-4b1c-b28a-628bf33c3324',
  key: '16e4b85e-899b-4427-a39f-07a496e9515b',
} as const;

/** What, put in or around an id, tries to leave its path segment, split a header or confuse a parser. */
const ATOMS = [
  '',
  ' ',
  '.',
  '..',
  '...',
  '../x',
  '..\\x',
  './',
  '/..',
  '/../..',
  '/',
  '//',
  '\\',
  '%2F',
  '%2e%2e',
  '%2e%2e%2f',
  '%252e%252e',
  '%00',
  '\r\n',
  '\rX-Injected: 1',
  '\nX-Injected: 1',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\t',
  '?expand=brands',
  '#fragment',
  '&size=100',
  '😀',
  '\ud800',
  '\udc00x',
  '．．',
  '‥',
  'ЅЕ',
  '<script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '*',
  '@',
] as const;

const SURROUNDINGS = ['', VALID.account, VALID.order, 'krn:partner:global:account:live:'] as const;

/** Long strings: just over the 255-character cap with a valid shape, and far over it. */
const LONG = [
  `krn:partner:global:account:live:${'A'.repeat(256)}`,
  `f3392f8b${'-0'.repeat(130)}`,
  'a'.repeat(256),
  `krn:${'a:'.repeat(40_000)}b`,
  'x'.repeat(100 * 1024),
  `${VALID.account}/${'..'.repeat(50_000)}`,
];

const unique = (values: string[]) => [...new Set(values)];

/** Every hostile value: each atom alone, appended to and prefixed to valid-looking ids, and the long ones. */
export function hostileValues(): string[] {
  const values: string[] = [];
  for (const atom of ATOMS) {
    for (const around of SURROUNDINGS) values.push(`${around}${atom}`, `${atom}${around}`);
  }
  return unique([...values, ...LONG]);
}

/** Whether any id rule of the gateway accepts `value` (it is then no hostile input for the schema). */
export const anyRuleAccepts = (value: string) => Object.values(ID_RULES).some((rule) => rule.test(value));

/** The hostile values that no id rule accepts: every one must be refused before any call. */
export function invalidIds(): string[] {
  return hostileValues().filter((value) => !anyRuleAccepts(value));
}
