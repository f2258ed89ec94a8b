/**
 * The id rules (`src/schema/ids.ts`) and global ids (`src/schema/global-ids.ts`): every id the sandbox
 * seeds passes its rule (so nothing real is refused), every node type of the schema has its key rules,
 * and decoding is strict, with BAD_USER_INPUT or NOT_FOUND as documented.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { isInterfaceType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createEmptyState } from '../../src/sandbox/state.ts';
import { seedState } from '../../src/sandbox/seed/index.ts';
import { GatewayError } from '../../src/errors.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { MAX_GLOBAL_ID_LENGTH, NODE_KEYS, decodeGlobalId, encodeGlobalId, nodeKeyParts, readableNodeId } from '../../src/schema/global-ids.ts';
import { TYPE_CODES } from '../../src/schema/compact-ids.ts';
import { ID_RULES, MAX_ID_LENGTH, assertId } from '../../src/schema/ids.ts';

/** The code and problem path of what `work` throws. */
function refusal(work: () => unknown): { code: string; path: string | undefined } {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    const refused = error as GatewayError & { problems?: { path: string }[] };
    return { code: refused.code, path: refused.problems?.[0]?.path };
  }
  throw new Error('expected a refusal');
}

describe('id rules', () => {
  const state = createEmptyState();
  seedState(state, { accounts: 25, seed: 20_250_101, now: Date.parse('2025-06-01T00:00:00Z') });

  it('accept every id the sandbox seeds, each by the rule of its kind', () => {
    const seeded: [keyof typeof ID_RULES, string][] = [];
    for (const record of state.accounts.values()) {
      seeded.push(['account', record.account.partner_account_id]);
      for (const id of record.entities.keys()) seeded.push(['businessEntity', id]);
      for (const id of record.brands.keys()) seeded.push(['brand', id]);
      for (const id of record.storeGroups.keys()) seeded.push(['storeGroup', id]);
      for (const id of record.stores.keys()) seeded.push(['store', id]);
      for (const id of record.decisions.keys()) seeded.push(['complianceDecision', id]);
      for (const [id, product] of record.products) {
        seeded.push(['paymentProduct', id]);
        for (const paymentAccount of product.payment_accounts ?? []) seeded.push(['paymentAccount', paymentAccount.payment_account_id]);
      }
    }
    for (const id of state.settlements.keys()) seeded.push(['settlement', id]);
    for (const id of state.pricePlans.keys()) seeded.push(['pricePlan', id]);
    for (const id of state.credentials.keys()) seeded.push(['credential', id]);
    for (const id of state.cardOrders.keys()) seeded.push(['cardOrder', id]);
    for (const id of state.promises.keys()) seeded.push(['cardPromise', id]);
    for (const id of state.cardSettlements.keys()) seeded.push(['cardSettlement', id]);
    for (const id of state.enrolledKeys.keys()) seeded.push(['cardKey', id]);

    expect(new Set(seeded.map(([kind]) => kind)).size).toBe(Object.keys(ID_RULES).length - 1); // all but the generic klarnaId
    expect(seeded.filter(([kind, id]) => !ID_RULES[kind].test(id))).toEqual([]);
  });

  it('accept their own examples and refuse dot parts, separators, spaces and more than MAX_ID_LENGTH characters', () => {
    for (const rule of Object.values(ID_RULES)) {
      expect(rule.test(rule.example), rule.name).toBe(true);
      for (const bad of ['', '.', '..', `${rule.example}/..`, `${rule.example} `, `${rule.example}%2F`, `${rule.example}\r\n`, 'x'.repeat(MAX_ID_LENGTH + 1)]) {
        expect(rule.test(bad), `${rule.name}: ${JSON.stringify(bad)}`).toBe(false);
      }
    }
    expect(ID_RULES.account.test('krn:partner:global:account:live:..')).toBe(false);
    expect(ID_RULES.account.test(`krn:partner:global:account:live:${'A'.repeat(MAX_ID_LENGTH)}`)).toBe(false);
    expect(ID_RULES.paymentProduct.test('default')).toBe(true);
  });

  it('refuse with BAD_USER_INPUT naming the argument, with a message saying the shape and an example', () => {
    let message = '';
    try {
      assertId(ID_RULES.settlement, '..', 'id');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('`id` is not a valid settlement id');
    expect(message).toContain(ID_RULES.settlement.example);
    expect(refusal(() => assertId(ID_RULES.cardKey, 'a\r\nb', 'keyId'))).toEqual({ code: 'BAD_USER_INPUT', path: 'keyId' });
  });
});

describe('global ids', () => {
  it('have key rules for exactly the types that implement Node', () => {
    const schema = buildSchema();
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('no Node interface');
    expect(schema.getPossibleTypes(node).map((type) => type.name).sort()).toEqual(Object.keys(NODE_KEYS).sort());
  });

  it('decode what the relay plugin encodes, and check each part of the key', () => {
    const key = 'krn:partner:global:account:live:LWT2XJSE krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613';
    expect(decodeGlobalId(encodeGlobalID('Brand', key))).toEqual({ typename: 'Brand', id: key });
    expect(readableNodeId(encodeGlobalID('Brand', key), 'ids.0')).toEqual({ typename: 'Brand', id: key });
    expect(nodeKeyParts('Brand', key)).toEqual(key.split(' '));
  });

  it.each([
    ['not base64', 'not a global id!'],
    ['base64url', Buffer.from('Account:krn:partner:global:account:live:LWT2XJSE???').toString('base64url')],
    ['unpadded', encodeGlobalID('Brand', 'krn:a:b:c krn:d:e:f').replace(/=+$/, '')],
    ['whitespace around', ` ${encodeGlobalID('Account', 'krn:partner:global:account:live:LWT2XJSE')}`],
    ['no type', Buffer.from(':krn:partner:global:account:live:LWT2XJSE').toString('base64')],
    ['no key', Buffer.from('Account:').toString('base64')],
    ['no separator', Buffer.from('Account').toString('base64')],
    ['not UTF-8', Buffer.from([0x41, 0x3a, 0xff, 0xfe]).toString('base64')],
    ['too long', encodeGlobalID('Account', 'a'.repeat(MAX_GLOBAL_ID_LENGTH))],
  ])('refuse a value that is not a global id (%s) with BAD_USER_INPUT naming the argument', (_case, value) => {
    expect(refusal(() => readableNodeId(value, 'ids.3'))).toEqual({ code: 'BAD_USER_INPUT', path: 'ids.3' });
  });

  it.each([
    ['a bad account part', 'Brand', '.. krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613'],
    ['a dot-segment item', 'Store', 'krn:partner:global:account:live:LWT2XJSE ..'],
    ['too few parts', 'PaymentAccount', 'krn:partner:global:account:live:LWT2XJSE default'],
    ['too many parts', 'Account', 'krn:partner:global:account:live:LWT2XJSE krn:partner:global:account:live:LWT2XJSE'],
    ['a key id with CR/LF', 'CardSettlement', 'b0ec0bbd-534c-4b1c-b28a-628bf33c3324 key\r\nX-Injected:1'],
    ['a credential of another shape', 'Credential', 'krn:partner:global:account:live:LWT2XJSE'],
  ])('refuse a known type with %s with BAD_USER_INPUT', (_case, typename, key) => {
    expect(refusal(() => readableNodeId(encodeGlobalID(typename, key), 'id'))).toEqual({ code: 'BAD_USER_INPUT', path: 'id' });
  });

  it('answer NOT_FOUND for a well-formed id of a type node cannot read', () => {
    for (const typename of ['Nope', 'VirtualCard', 'Query', 'Money']) {
      const answer = readableNodeId(encodeGlobalID(typename, 'f3392f8b-6116-4073-ab96-e330819e2c07'), 'id');
      expect(answer).toBeInstanceOf(GatewayError);
      expect((answer as GatewayError).code).toBe('NOT_FOUND');
      expect((answer as GatewayError).message).toContain('`id` names no object that `node` can read');
    }
  });
});

describe('compact global ids', () => {
  const state = createEmptyState();
  seedState(state, { accounts: 25, seed: 20_250_101, now: Date.parse('2025-06-01T00:00:00Z') });
  /** The key of every object the sandbox seeds, by its node type. */
  function seededKeys(): [string, string][] {
    const keys: [string, string][] = [];
    for (const record of state.accounts.values()) {
      const account = record.account.partner_account_id;
      keys.push(['Account', account]);
      for (const id of record.entities.keys()) keys.push(['BusinessEntity', `${account} ${id}`]);
      for (const id of record.brands.keys()) keys.push(['Brand', `${account} ${id}`]);
      for (const id of record.storeGroups.keys()) keys.push(['StoreGroup', `${account} ${id}`]);
      for (const id of record.stores.keys()) keys.push(['Store', `${account} ${id}`]);
      for (const id of record.decisions.keys()) keys.push(['ComplianceDecision', `${account} ${id}`]);
      for (const [id, product] of record.products) {
        keys.push(['PaymentProduct', `${account} ${id}`]);
        for (const paymentAccount of product.payment_accounts ?? []) keys.push(['PaymentAccount', `${account} ${id} ${paymentAccount.payment_account_id}`]);
      }
    }
    for (const id of state.settlements.keys()) keys.push(['Settlement', id]);
    for (const id of state.credentials.keys()) keys.push(['Credential', id]);
    for (const id of state.cardOrders.keys()) keys.push(['CardOrder', id]);
    for (const id of state.promises.keys()) keys.push(['CardPromise', id]);
    for (const id of state.cardSettlements.keys()) keys.push(['CardSettlement', `${id} 16e4b85e-899b-4427-a39f-07a496e9515b`]);
    return keys;
  }

  it('give every node type a type code', () => {
    expect(Object.keys(TYPE_CODES).sort()).toEqual(Object.keys(NODE_KEYS).sort());
  });

  it('round-trip every seeded key, in at most 40 characters for a key of one KRN or UUID (and an account under Klarna\'s own form)', () => {
    const keys = seededKeys();
    expect(new Set(keys.map(([typename]) => typename)).size).toBe(Object.keys(NODE_KEYS).length);
    const tooLong: string[] = [];
    for (const [typename, key] of keys) {
      const id = encodeGlobalId(typename, key);
      expect(id, key).toMatch(/^[A-P][A-Za-z0-9_-]*$/);
      expect(readableNodeId(id, 'id'), key).toEqual({ typename, id: key });
      const parts = key.split(' ');
      const accountOfKlarnaForm = /^krn:partner:global:account:(live|test):[0-9A-Z]{8}$/.test(parts[0]!);
      // Beyond: about 23 characters per UUID-based part (a payment account: 3 parts, a card settlement: 2 UUIDs).
      const limit = parts.length === 1 || (parts.length === 2 && accountOfKlarnaForm) ? 40 : 24 * parts.length;
      if (id.length > limit) tooLong.push(`${typename} ${key}: ${id.length}`);
    }
    expect(tooLong).toEqual([]);
  });

  it('are as short as their design says, for the ids of the Dashboard', () => {
    const account = 'krn:partner:global:account:live:LWT2XJSE';
    expect(encodeGlobalId('Account', account)).toHaveLength(11);
    expect(encodeGlobalId('Brand', `${account} krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613`)).toHaveLength(34);
    expect(encodeGlobalId('Settlement', 'krn:partner:eu1:settlement:live:113574395')).toHaveLength(11);
    expect(encodeGlobalId('CardOrder', 'f3392f8b-6116-4073-ab96-e330819e2c07')).toHaveLength(24);
  });

  it('encode every key as ids handed out before did, byte for byte (the form is a contract)', () => {
    const account = 'krn:partner:global:account:live:LWT2XJSE';
    for (const [typename, key, id] of [
      ['Account', account, 'AQoBj8js-G4'],
      ['Brand', `${account} krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613`, 'AwoBj8js-G4ZiMF1yLV4Q5KOYQFcG132Ew'],
      [
        'PaymentAccount',
        'krn:partner:global:account:test:00000001 krn:partner:global:account:product:payment:5a4e4ac3-2b9b-4c9e-9b31-6b1d1b6c0f4e krn:partner:global:payment-account:test:1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
        'CBIAAAAAAAFBWk5KwyubTJ6bMWsdG2wPTkkfLj1MW2pJeIaVpLPC0eD5',
      ],
      ['Settlement', 'krn:partner:eu1:settlement:live:113574395', 'CVsAAAbFAfs'],
      ['Settlement', 'krn:partner:eu1:settlement:live:0113574395', 'CVgKMDExMzU3NDM5NQ'],
      ['Credential', 'krn:partner:global:live:credential:client_cert:2C8A1053F979D1E8C96A3A9357AE7D1E', 'CowsihBT-XnR6MlqOpNXrn0e'],
      ['CardPromise', 'order.with_dots:and-colons', 'CwAab3JkZXIud2l0aF9kb3RzOmFuZC1jb2xvbnM'],
      ['Account', 'krn:partner:us1:account:live:lowercase-or-other', 'AbAjdXMxOmFjY291bnQ6bGl2ZTpsb3dlcmNhc2Utb3Itb3RoZXI'],
      ['CardSettlement', 'f3392f8b-6116-4073-ab96-e330819e2c07 16e4b85e-899b-4427-a39f-07a496e9515b', 'DAHzOS-LYRZAc6uW4zCBniwHARbkuF6Jm0Qno58HpJbpUVs'],
      ['Store', `${account} krn:partner:global:account:stores:ÄÖü-ünïcode`, 'BAoBj8js-G4gEMOEw5bDvC3DvG7Dr2NvZGU'],
      ['PaymentProduct', `${account} default`, 'BwoBj8js-G4AB2RlZmF1bHQ'],
    ] as const) {
      expect(encodeGlobalId(typename, key), key).toBe(id);
    }
  });

  it('keep reading every id of the old form (base64 of Type:key), for ids handed out before', () => {
    for (const [typename, key] of seededKeys()) expect(readableNodeId(encodeGlobalID(typename, key), 'id'), key).toEqual({ typename, id: key });
  });

  it('fall back to text for parts of no known shape, and still round-trip', () => {
    for (const [typename, key] of [
      ['Account', 'krn:partner:us1:account:live:lowercase-or-other'],
      ['Account', 'krn:partner:global:account:live:LWT2XJS'],
      ['Account', 'krn:partner:global:account:live:88C175C8-B578-4392-8E61-015C1B5DF613'],
      ['Settlement', 'krn:partner:eu1:settlement:live:0113574395'],
      ['Settlement', 'krn:partner:eu1:settlement:live:999999999999999999'],
      ['PaymentProduct', 'krn:partner:global:account:live:LWT2XJSE default'],
      ['Credential', 'krn:partner:global:live:credential:client_cert:2C8A1053F979D1E8C96A3A9357AE7D1E'],
      ['CardPromise', 'order.with_dots:and-colons'],
    ] as const) {
      expect(readableNodeId(encodeGlobalId(typename, key), 'id'), key).toEqual({ typename, id: key });
    }
  });

  it.each([
    ['cut short', encodeGlobalId('Brand', 'krn:partner:global:account:live:LWT2XJSE krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613').slice(0, -2)],
    ['a byte too many', `${encodeGlobalId('Account', 'krn:partner:global:account:live:LWT2XJSE')}AA`],
    ['an unknown type code', `P${encodeGlobalId('Account', 'krn:partner:global:account:live:LWT2XJSE').slice(1)}`],
    ['type code 0', Buffer.from([0, (1 << 3) | 2, 0, 0, 0, 0, 0, 1]).toString('base64url')],
    ['an unknown prefix', Buffer.from([1, 31 << 3, 1, 65]).toString('base64url')],
    ['an unknown form', Buffer.from([1, (1 << 3) | 7, 1, 65]).toString('base64url')],
    ['a code of 9 characters', Buffer.from([1, (1 << 3) | 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).toString('base64url')],
    ['a part that would be packed otherwise', Buffer.from([1, (1 << 3) | 0, 8, ...Buffer.from('LWT2XJSE')]).toString('base64url')],
    ['stray bits in the last character', `${encodeGlobalId('Settlement', 'krn:partner:eu1:settlement:live:113574395').slice(0, -1)}B`],
    ['padding', `${encodeGlobalId('CardOrder', 'f3392f8b-6116-4073-ab96-e330819e2c07')}==`],
    ['a standard base64 character', `${encodeGlobalId('CardOrder', 'f3392f8b-6116-4073-ab96-e330819e2c07').slice(0, -1)}+`],
    ['not UTF-8', Buffer.from([11, 0, 2, 0xff, 0xfe]).toString('base64url')],
    ['the id of a type code not a node', Buffer.from([14, 0, 1, 65]).toString('base64url')],
    ['a part of the wrong kind', encodeGlobalId('Brand', 'krn:partner:global:account:live:LWT2XJSE default')],
  ])('refuse a compact id %s with BAD_USER_INPUT', (_case, value) => {
    expect(refusal(() => readableNodeId(value, 'id'))).toEqual({ code: 'BAD_USER_INPUT', path: 'id' });
  });
});
