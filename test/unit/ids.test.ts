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
import { MAX_GLOBAL_ID_LENGTH, NODE_KEYS, decodeGlobalId, nodeKeyParts, readableNodeId } from '../../src/schema/global-ids.ts';
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
    for (const typename of ['Nope', 'CardOrder', 'Query', 'Money']) {
      const answer = readableNodeId(encodeGlobalID(typename, 'f3392f8b-6116-4073-ab96-e330819e2c07'), 'id');
      expect(answer).toBeInstanceOf(GatewayError);
      expect((answer as GatewayError).code).toBe('NOT_FOUND');
      expect((answer as GatewayError).message).toContain('`id` names no object that `node` can read');
    }
  });
});
